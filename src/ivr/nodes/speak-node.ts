import { z } from 'zod';
import { CALLER_HANGUP, type FlowNode, type NodeRef, type NodeResult, type PromptRef } from '../flow-node.js';
import type { NodeContext } from '../node-context.js';
import { nodeId, optionalPromptList } from '../node-schemas.js';
import { parseTemplate, renderTemplate, type TemplatePart } from '../speech/template.js';

/** Played when no speech can be had (synthesis failed or timed out, a variable is missing). */
export const SPEECH_FALLBACK_PROMPT = 'speech-unavailable';

export const speakSchema = z
  .strictObject({
    type: z.literal('speak'),
    /** Text with `{{variable}}` slots, e.g. `您的工单已于{{date}}由{{unitName}}签收。` */
    text: z.string().max(500, 'must be at most 500 characters'),
    /** Played instead when the text cannot be spoken. */
    fallback: optionalPromptList.default([SPEECH_FALLBACK_PROMPT]),
    /** true: a key stops the speech and is kept for the next menu/collect (as in `play`). */
    bargeIn: z.boolean().default(false),
    /** true: when a variable of the text is not set, say nothing (no fallback) and go on, e.g. a reply only a replied order has. */
    skipWhenMissing: z.boolean().default(false),
    next: nodeId,
  })
  .transform((p, ctx) => {
    const parsed = parseTemplate(p.text);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: `bad template: ${parsed.reason}` });
      return z.NEVER;
    }
    return { ...p, parts: parsed.parts };
  });

export type SpeakParams = z.output<typeof speakSchema>;

/**
 * Speaks a text that cannot be recorded in advance (a unit's name, a date, an order's state): the
 * template is filled from the run's variables and synthesised through the `Speech` port (cached,
 * time-limited, off the event loop in media/). A missing variable, no synthesiser, or a failed or
 * slow synthesis plays `fallback` instead and the flow goes on.
 */
export class SpeakNode implements FlowNode {
  static readonly type = 'speak';
  static readonly schema = speakSchema;
  readonly type = SpeakNode.type;
  readonly waitsForInput = false;

  constructor(
    readonly id: string,
    readonly params: SpeakParams,
  ) {}

  get parts(): readonly TemplatePart[] {
    return this.params.parts;
  }

  references(): readonly NodeRef[] {
    return [{ field: 'next', target: this.params.next }];
  }

  prompts(): readonly PromptRef[] {
    return this.params.fallback.map((name, i) => ({ field: `fallback[${i}]`, name }));
  }

  async run(ctx: NodeContext): Promise<NodeResult> {
    const { bargeIn, fallback } = this.params;
    if (this.params.skipWhenMissing && renderTemplate(this.params.parts, ctx.variables).missing.length > 0) return { next: this.params.next };
    const prompts = await this.speech(ctx);
    if (ctx.hasEnded()) return CALLER_HANGUP;
    const outcome = await ctx.play(prompts ?? fallback, { bargeIn });
    if (outcome === 'ended') return CALLER_HANGUP;
    if (!bargeIn) ctx.keys.clear();
    return { next: this.params.next };
  }

  /**
   * The synthesised prompts, or undefined (logged) for the fallback. The template's fixed text and
   * each variable's value are synthesised apart and played one after the other, so that each piece is
   * cached on its own: the fixed text once for every caller, a unit's or category's name once for all
   * its orders (the catalogue is synthesised ahead: calls/catalogue-speech.ts). Pieces with nothing
   * to say (punctuation, spaces) are left out.
   */
  private async speech(ctx: NodeContext): Promise<string[] | undefined> {
    const { text, missing } = renderTemplate(this.params.parts, ctx.variables);
    // The text itself is not logged: it may carry a resident's details.
    if (missing.length > 0) {
      ctx.logger.warn('ivr speak: variables not set, playing the fallback', { nodeId: this.id, missing });
      return undefined;
    }
    if (ctx.speech === undefined) {
      ctx.logger.warn('ivr speak: no speech synthesiser, playing the fallback', { nodeId: this.id });
      return undefined;
    }
    const speech = ctx.speech;
    const pieces = this.params.parts.map((part) => (part.kind === 'text' ? part.text : (ctx.variables.get(part.name) ?? ''))).filter((piece) => SAYABLE.test(piece));
    const started = ctx.clock.now();
    try {
      const prompts = await Promise.all(pieces.map((piece) => speech.prepare(piece)));
      ctx.logger.info('ivr speak', { nodeId: this.id, chars: text.length, pieces: pieces.length, ms: ctx.clock.now() - started });
      ctx.spoken.push(text);
      return prompts;
    } catch (err) {
      ctx.logger.warn('ivr speak: synthesis failed, playing the fallback', { nodeId: this.id, error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  }
}

/** A piece of text with something to say: a letter, a digit or a CJK character. */
const SAYABLE = /[\p{L}\p{N}]/u;

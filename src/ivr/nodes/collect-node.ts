import { z } from 'zod';
import { afterFailedInput, CALLER_HANGUP, type FlowNode, type NodeRef, type NodeResult, type PromptRef } from '../flow-node.js';
import type { NodeContext } from '../node-context.js';
import { digitKey, nodeId, optionalPromptList, promptList, retries, seconds, variableName } from '../node-schemas.js';

export const collectSchema = z
  .strictObject({
    type: z.literal('collect'),
    prompt: promptList,
    minDigits: z.number().int().min(0).max(64).default(1),
    maxDigits: z.number().int().min(1).max(64).default(20),
    /** The key that ends the entry (not stored); `none` for entries that end by length or time only. */
    terminator: z.union([digitKey, z.literal('none')]).default('#'),
    /** Seconds to wait for the first key once the prompt has ended. */
    timeout: seconds.default(5),
    /** Seconds to wait for each following key; when it runs out the entry ends there. */
    interDigitTimeout: seconds.default(3),
    retries: retries.default(2),
    invalidPrompt: optionalPromptList.default(['invalid']),
    noInputPrompt: optionalPromptList.default(['no-input']),
    /** Variable that receives the digits (without the terminator). */
    variable: variableName.optional(),
    next: nodeId,
    onFailure: nodeId.optional(),
  })
  .refine((p) => p.minDigits <= p.maxDigits, { path: ['minDigits'], message: 'must not be more than maxDigits' });

export type CollectParams = z.output<typeof collectSchema>;

type Entry = { readonly kind: 'digits'; readonly digits: string } | { readonly kind: 'too-short' } | { readonly kind: 'no-input' } | { readonly kind: 'ended' };

/**
 * Collects a number (an order code, an ID) with barge-in on the prompt. The entry ends on the
 * terminator, at `maxDigits`, or when `interDigitTimeout` runs out; fewer than `minDigits` is
 * invalid. No first key within `timeout` is no-input. Retries and `onFailure` work as in `menu`.
 */
export class CollectNode implements FlowNode {
  static readonly type = 'collect';
  static readonly schema = collectSchema;
  readonly type = CollectNode.type;
  readonly waitsForInput = true;

  constructor(
    readonly id: string,
    readonly params: CollectParams,
  ) {}

  references(): readonly NodeRef[] {
    const next = { field: 'next', target: this.params.next };
    return this.params.onFailure === undefined ? [next] : [next, { field: 'onFailure', target: this.params.onFailure }];
  }

  prompts(): readonly PromptRef[] {
    const { prompt, invalidPrompt, noInputPrompt } = this.params;
    return [
      ...prompt.map((name, i) => ({ field: `prompt[${i}]`, name })),
      ...invalidPrompt.map((name, i) => ({ field: `invalidPrompt[${i}]`, name })),
      ...noInputPrompt.map((name, i) => ({ field: `noInputPrompt[${i}]`, name })),
    ];
  }

  async run(ctx: NodeContext): Promise<NodeResult> {
    const p = this.params;
    const attempts = p.retries + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if ((await ctx.play(p.prompt, { bargeIn: true })) === 'ended') return CALLER_HANGUP;
      const entry = await this.readEntry(ctx);
      if (entry.kind === 'ended') return CALLER_HANGUP;
      if (entry.kind === 'digits') {
        if (p.variable !== undefined) ctx.variables.set(p.variable, entry.digits);
        return { next: p.next };
      }
      ctx.logger.info(`ivr collect: ${entry.kind}`, { nodeId: this.id, attempt });
      ctx.keys.clear();
      const errorPrompt = entry.kind === 'no-input' ? p.noInputPrompt : p.invalidPrompt;
      if ((await ctx.play(errorPrompt, { bargeIn: true })) === 'ended') return CALLER_HANGUP;
    }
    return afterFailedInput(this.id, p.onFailure, attempts);
  }

  private async readEntry(ctx: NodeContext): Promise<Entry> {
    const p = this.params;
    let digits = '';
    for (;;) {
      const wait = await ctx.keys.next((digits === '' ? p.timeout : p.interDigitTimeout) * 1000);
      if (wait.kind === 'ended') return { kind: 'ended' };
      if (wait.kind === 'timeout' && digits === '' && p.minDigits > 0) return { kind: 'no-input' };
      if (wait.kind === 'timeout' || wait.key === p.terminator) {
        return digits.length >= p.minDigits ? { kind: 'digits', digits } : { kind: 'too-short' };
      }
      // A-D (rare on phones) are not part of any number we collect.
      if (!/^[0-9*#]$/.test(wait.key)) continue;
      digits += wait.key;
      if (digits.length >= p.maxDigits) return { kind: 'digits', digits };
    }
  }
}

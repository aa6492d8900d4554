import { z } from 'zod';
import { CALLER_HANGUP, type FlowNode, type NodeRef, type NodeResult, type PromptRef } from '../flow-node.js';
import type { NodeContext } from '../node-context.js';
import { nodeId, optionalPromptList, variableName } from '../node-schemas.js';

/** Counts read as one word each (`count-0` … `count-20`); larger ones are read as `count-many` (二十多). */
export const MAX_SPOKEN_COUNT = 20;

export const sayNumberSchema = z
  .strictObject({
    type: z.literal('say-number'),
    /** A variable holding a whole number (set by calls/ or a collect node)… */
    variable: variableName.optional(),
    /** …or a literal count. Exactly one of the two. */
    number: z.number().int('must be a whole number').min(0, 'must be 0 or more').optional(),
    /** Played first, e.g. `[queue-position-before]`. */
    prefix: optionalPromptList.default([]),
    /** Played after the number, e.g. `[queue-minutes-after]`. */
    suffix: optionalPromptList.default([]),
    next: nodeId,
  })
  .refine((p) => (p.variable === undefined) !== (p.number === undefined), {
    message: 'needs exactly one of "variable" or "number"',
  });

export type SayNumberParams = z.output<typeof sayNumberSchema>;

/** The prompt that reads a count in Mandarin (一 两 三 … 二十, then 二十多); undefined when not a count. */
export function countPrompt(value: number): string | undefined {
  if (!Number.isInteger(value) || value < 0) return undefined;
  return value > MAX_SPOKEN_COUNT ? 'count-many' : `count-${value}`;
}

/**
 * Reads a count (days, minutes, a queue position) with one `count-N` prompt, between an optional
 * prefix and suffix, as say-digits reads keys. No barge-in. A variable that is missing or not a
 * whole number is logged and skipped (the prefix and suffix still play).
 */
export class SayNumberNode implements FlowNode {
  static readonly type = 'say-number';
  static readonly schema = sayNumberSchema;
  readonly type = SayNumberNode.type;
  readonly waitsForInput = false;

  constructor(
    readonly id: string,
    readonly params: SayNumberParams,
  ) {}

  references(): readonly NodeRef[] {
    return [{ field: 'next', target: this.params.next }];
  }

  prompts(): readonly PromptRef[] {
    const { prefix, suffix, number } = this.params;
    // A variable may hold any count, so every count prompt must exist; a literal needs only its own.
    const literal = number === undefined ? undefined : countPrompt(number);
    const counts =
      literal !== undefined
        ? [{ field: 'number', name: literal }]
        : [...Array.from({ length: MAX_SPOKEN_COUNT + 1 }, (_, i) => `count-${i}`), 'count-many'].map((name) => ({ field: 'variable', name }));
    return [
      ...prefix.map((name, i) => ({ field: `prefix[${i}]`, name })),
      ...counts,
      ...suffix.map((name, i) => ({ field: `suffix[${i}]`, name })),
    ];
  }

  async run(ctx: NodeContext): Promise<NodeResult> {
    const { variable, number, prefix, suffix } = this.params;
    const raw = number ?? (variable === undefined ? undefined : ctx.variables.get(variable));
    const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    const spoken = typeof value === 'number' ? countPrompt(value) : undefined;
    if (spoken === undefined) ctx.logger.warn('say-number: not a whole number', { nodeId: this.id, variable });
    const outcome = await ctx.play([...prefix, ...(spoken === undefined ? [] : [spoken]), ...suffix], { bargeIn: false });
    if (outcome === 'ended') return CALLER_HANGUP;
    ctx.keys.clear();
    return { next: this.params.next };
  }
}

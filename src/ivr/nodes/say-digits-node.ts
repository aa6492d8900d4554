import { z } from 'zod';
import { CALLER_HANGUP, type FlowNode, type NodeRef, type NodeResult, type PromptRef } from '../flow-node.js';
import type { NodeContext } from '../node-context.js';
import { DIGIT_KEYS, nodeId, optionalPromptList, variableName } from '../node-schemas.js';

export const sayDigitsSchema = z
  .strictObject({
    type: z.literal('say-digits'),
    /** A variable set earlier (by a collect node)… */
    variable: variableName.optional(),
    /** …or literal digits. Exactly one of the two. */
    digits: z.string().regex(/^[0-9*#]+$/, 'must be keys 0-9, * or #').optional(),
    /** Played first, e.g. `[you-entered]`. */
    prefix: optionalPromptList.default([]),
    next: nodeId,
  })
  .refine((p) => (p.variable === undefined) !== (p.digits === undefined), {
    message: 'needs exactly one of "variable" or "digits"',
  });

export type SayDigitsParams = z.output<typeof sayDigitsSchema>;

/** The prompt that reads one key: `digit-5`, `star`, `pound`. */
export function digitPrompt(key: string): string | undefined {
  if (key === '*') return 'star';
  if (key === '#') return 'pound';
  return /^[0-9]$/.test(key) ? `digit-${key}` : undefined;
}

/** Reads digits back one by one (`digit-N` prompts), after an optional prefix. No barge-in. */
export class SayDigitsNode implements FlowNode {
  static readonly type = 'say-digits';
  static readonly schema = sayDigitsSchema;
  readonly type = SayDigitsNode.type;
  readonly waitsForInput = false;

  constructor(
    readonly id: string,
    readonly params: SayDigitsParams,
  ) {}

  references(): readonly NodeRef[] {
    return [{ field: 'next', target: this.params.next }];
  }

  prompts(): readonly PromptRef[] {
    const prefix = this.params.prefix.map((name, i) => ({ field: `prefix[${i}]`, name }));
    // A variable may hold any key, so every digit prompt must exist; literal digits need only theirs.
    const keys = this.params.digits === undefined ? DIGIT_KEYS : [...new Set(this.params.digits)];
    const field = this.params.digits === undefined ? 'variable' : 'digits';
    const digits = keys.flatMap((k) => {
      const name = digitPrompt(k);
      return name === undefined ? [] : [{ field, name }];
    });
    return [...prefix, ...digits];
  }

  async run(ctx: NodeContext): Promise<NodeResult> {
    const { variable, digits } = this.params;
    const value = digits ?? (variable === undefined ? undefined : ctx.variables.get(variable));
    if (value === undefined) ctx.logger.warn('say-digits: variable not set', { nodeId: this.id, variable });
    const spoken = (value?.match(/[0-9*#]/g) ?? []).flatMap((k) => {
      const name = digitPrompt(k);
      return name === undefined ? [] : [name];
    });
    const outcome = await ctx.play([...this.params.prefix, ...spoken], { bargeIn: false });
    if (outcome === 'ended') return CALLER_HANGUP;
    ctx.keys.clear();
    return { next: this.params.next };
  }
}

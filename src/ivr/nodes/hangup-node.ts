import { z } from 'zod';
import { CALLER_HANGUP, type FlowNode, type NodeRef, type NodeResult, type PromptRef } from '../flow-node.js';
import type { NodeContext } from '../node-context.js';
import { optionalPromptList } from '../node-schemas.js';

export const hangupSchema = z.strictObject({
  type: z.literal('hangup'),
  /** Played to the end (no barge-in) before the run ends, e.g. `[goodbye]`. */
  prompts: optionalPromptList.default([]),
});

export type HangupParams = z.output<typeof hangupSchema>;

/** Plays optional prompts, then ends the run with outcome `hangup` (calls/ hangs up the leg). */
export class HangupNode implements FlowNode {
  static readonly type = 'hangup';
  static readonly schema = hangupSchema;
  readonly type = HangupNode.type;
  readonly waitsForInput = false;

  constructor(
    readonly id: string,
    readonly params: HangupParams,
  ) {}

  references(): readonly NodeRef[] {
    return [];
  }

  prompts(): readonly PromptRef[] {
    return this.params.prompts.map((name, i) => ({ field: `prompts[${i}]`, name }));
  }

  async run(ctx: NodeContext): Promise<NodeResult> {
    const outcome = await ctx.play(this.params.prompts, { bargeIn: false });
    if (outcome === 'ended') return CALLER_HANGUP;
    return { end: { outcome: 'hangup', nodeId: this.id } };
  }
}

import { z } from 'zod';
import { CALLER_HANGUP, type FlowNode, type NodeRef, type NodeResult, type PromptRef } from '../flow-node.js';
import type { NodeContext } from '../node-context.js';
import { nodeId, promptList } from '../node-schemas.js';

export const playSchema = z.strictObject({
  type: z.literal('play'),
  prompts: promptList,
  next: nodeId,
  /**
   * true: a key stops the prompts and is kept for the next menu/collect (type-ahead).
   * false (default): the prompts play to the end and keys pressed meanwhile are discarded.
   */
  bargeIn: z.boolean().default(false),
});

export type PlayParams = z.output<typeof playSchema>;

/** Plays prompts, then goes to `next`. */
export class PlayNode implements FlowNode {
  static readonly type = 'play';
  static readonly schema = playSchema;
  readonly type = PlayNode.type;
  readonly waitsForInput = false;

  constructor(
    readonly id: string,
    readonly params: PlayParams,
  ) {}

  references(): readonly NodeRef[] {
    return [{ field: 'next', target: this.params.next }];
  }

  prompts(): readonly PromptRef[] {
    return this.params.prompts.map((name, i) => ({ field: `prompts[${i}]`, name }));
  }

  async run(ctx: NodeContext): Promise<NodeResult> {
    const outcome = await ctx.play(this.params.prompts, { bargeIn: this.params.bargeIn });
    if (outcome === 'ended') return CALLER_HANGUP;
    if (!this.params.bargeIn) ctx.keys.clear();
    return { next: this.params.next };
  }
}

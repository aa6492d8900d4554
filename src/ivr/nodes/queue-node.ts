import { z } from 'zod';
import { CALLER_HANGUP, type FlowNode, type NodeRef, type NodeResult, type PromptRef } from '../flow-node.js';
import type { NodeContext } from '../node-context.js';
import { optionalPromptList } from '../node-schemas.js';

export const queueSchema = z.strictObject({
  type: z.literal('queue'),
  /** A queue of the queues file (QUEUES_FILE), e.g. `general`. */
  queue: z.string().min(1, 'must name a queue'),
  /** Played before the caller joins the queue (no barge-in), e.g. `[branch-agent]`. */
  prompts: optionalPromptList.default([]),
});

export type QueueParams = z.output<typeof queueSchema>;

/**
 * Hands the caller to the agent queue: the IVR run ends with outcome `queue` and calls/ takes
 * over (hold music, announcements, the offer to an agent). Terminal, like `hangup`.
 */
export class QueueNode implements FlowNode {
  static readonly type = 'queue';
  readonly type = QueueNode.type;
  readonly waitsForInput = false;

  constructor(
    readonly id: string,
    readonly params: QueueParams,
  ) {}

  /** The schema, refusing queue names the queues file does not define. */
  static schema(isQueue: (name: string) => boolean): z.ZodType<QueueParams> {
    return queueSchema.refine((p) => isQueue(p.queue), { path: ['queue'], message: 'unknown queue (see the queues file)' });
  }

  references(): readonly NodeRef[] {
    return [];
  }

  prompts(): readonly PromptRef[] {
    return this.params.prompts.map((name, i) => ({ field: `prompts[${i}]`, name }));
  }

  async run(ctx: NodeContext): Promise<NodeResult> {
    const outcome = await ctx.play(this.params.prompts, { bargeIn: false });
    if (outcome === 'ended') return CALLER_HANGUP;
    return { end: { outcome: 'queue', queue: this.params.queue, nodeId: this.id } };
  }
}

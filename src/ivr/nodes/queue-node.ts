import { z } from 'zod';
import { CALLER_HANGUP, type FlowNode, type NodeRef, type NodeResult, type PromptRef } from '../flow-node.js';
import type { NodeContext } from '../node-context.js';
import { nodeId, optionalPromptList } from '../node-schemas.js';
import { NIGHT_QUEUE_VARIABLE, NIGHT_REASON_VARIABLE } from '../after-hours.js';

export const queueSchema = z.strictObject({
  type: z.literal('queue'),
  /** A queue of the queues file (QUEUES_FILE), e.g. `general`. */
  queue: z.string().min(1, 'must name a queue'),
  /**
   * Announced once the caller is already in the queue (before the position and the hold music),
   * e.g. `[branch-agent]`: the caller joins at once, so the service-level clock is not spent on it,
   * and an agent who becomes free cuts it short.
   */
  prompts: optionalPromptList.default([]),
  /**
   * Night mode (issue 12): where the caller goes instead when the queue is outside its service hours
   * (queues file, `hours`) or nobody is logged in for it — e.g. a menu offering a callback (1) or a
   * message (2). `nightQueue` and `nightReason` (closed | unstaffed) are set for the nodes there.
   * Without it the caller is always queued.
   */
  closed: nodeId.optional(),
});

export type QueueParams = z.output<typeof queueSchema>;

/**
 * Hands the caller to the agent queue at once (or, with `closed`, to the night branch when the queue
 * is closed or unstaffed): the IVR run ends with outcome `queue` (its prompts
 * go along as `announce`) and calls/ takes over (the announcement, hold music, the offer to an
 * agent). Terminal, like `hangup`. Nothing is played here: a prompt before joining the queue would
 * eat the seconds of GB/T 33358's 15-second clock before any agent is rung (issue 12).
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
    return this.params.closed === undefined ? [] : [{ field: 'closed', target: this.params.closed }];
  }

  prompts(): readonly PromptRef[] {
    return this.params.prompts.map((name, i) => ({ field: `prompts[${i}]`, name }));
  }

  run(ctx: NodeContext): Promise<NodeResult> {
    if (ctx.hasEnded()) return Promise.resolve(CALLER_HANGUP);
    // Keys pressed on the way in belong to the IVR, not to the queue (its callback offer reads keys).
    ctx.keys.clear();
    const { closed, queue } = this.params;
    const opening = closed === undefined ? 'open' : (ctx.afterHours?.opening(queue) ?? 'open');
    if (closed !== undefined && opening !== 'open') {
      ctx.variables.set(NIGHT_QUEUE_VARIABLE, queue);
      ctx.variables.set(NIGHT_REASON_VARIABLE, opening);
      ctx.logger.info('ivr queue not taking calls', { nodeId: this.id, queue, reason: opening });
      return Promise.resolve({ next: closed });
    }
    return Promise.resolve({ end: { outcome: 'queue', queue: this.params.queue, nodeId: this.id, announce: this.params.prompts } });
  }
}

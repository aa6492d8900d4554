import { z } from 'zod';
import { NIGHT_QUEUE_VARIABLE, CALL_ID_VARIABLE } from '../after-hours.js';
import { CALLER_HANGUP, type FlowNode, type NodeRef, type NodeResult, type PromptRef } from '../flow-node.js';
import type { NodeContext } from '../node-context.js';
import { nodeId, optionalPromptList } from '../node-schemas.js';
import { CALLER_NUMBER_VARIABLE } from './order-status-node.js';

export const callbackRequestSchema = z.strictObject({
  type: z.literal('callback-request'),
  /** The queue the request is for; without it, the queue a `queue` node's `closed` branch came from (`nightQueue`). */
  queue: z.string().min(1, 'must name a queue').optional(),
  /** Played once the request is stored, e.g. `[callback-confirmed]` (我们将尽快给您回电). */
  prompts: optionalPromptList.default([]),
  /** Where the flow goes afterwards (usually a `hangup`). */
  next: nodeId,
  /** The request could not be stored (no number, database down): e.g. offer the message instead. */
  onFailure: nodeId,
});

export type CallbackRequestParams = z.output<typeof callbackRequestSchema>;

/**
 * Night mode's press 1 (issue 12): stores a callback request (callback_requests, the list the
 * callback staff and the agents' desktops work through) for the calling number and the queue asked
 * for, plays the confirmation, goes to `next`. A caller without a number cannot be called back:
 * `onFailure`, as when storing fails.
 */
export class CallbackRequestNode implements FlowNode {
  static readonly type = 'callback-request';
  static readonly schema = callbackRequestSchema;
  readonly type = CallbackRequestNode.type;
  readonly waitsForInput = false;

  constructor(
    readonly id: string,
    readonly params: CallbackRequestParams,
  ) {}

  references(): readonly NodeRef[] {
    return [
      { field: 'next', target: this.params.next },
      { field: 'onFailure', target: this.params.onFailure },
    ];
  }

  prompts(): readonly PromptRef[] {
    return this.params.prompts.map((name, i) => ({ field: `prompts[${i}]`, name }));
  }

  async run(ctx: NodeContext): Promise<NodeResult> {
    if (ctx.hasEnded()) return CALLER_HANGUP;
    const queue = this.params.queue ?? ctx.variables.get(NIGHT_QUEUE_VARIABLE);
    const callerNumber = ctx.variables.get(CALLER_NUMBER_VARIABLE) ?? '';
    const callId = ctx.variables.get(CALL_ID_VARIABLE) ?? '';
    const desk = ctx.afterHours;
    if (desk === undefined || queue === undefined || !/\d{3,}/.test(callerNumber)) {
      ctx.logger.warn('ivr callback-request: not stored', { nodeId: this.id, reason: desk === undefined ? 'no desk' : queue === undefined ? 'no queue' : 'no caller number' });
      return { next: this.params.onFailure };
    }
    try {
      await desk.requestCallback({ callId, queue, callerNumber });
    } catch (err) {
      ctx.logger.error('ivr callback-request: storing failed', { nodeId: this.id, error: err instanceof Error ? err.message : String(err) });
      return { next: this.params.onFailure };
    }
    ctx.logger.info('ivr callback requested', { nodeId: this.id, queue });
    const outcome = await ctx.play(this.params.prompts, { bargeIn: true });
    if (outcome === 'ended') return CALLER_HANGUP;
    return { next: this.params.next };
  }
}

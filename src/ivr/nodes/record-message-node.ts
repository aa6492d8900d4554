import { z } from 'zod';
import { CALL_ID_VARIABLE, NIGHT_QUEUE_VARIABLE } from '../after-hours.js';
import { CALLER_HANGUP, type FlowNode, type NodeRef, type NodeResult, type PromptRef } from '../flow-node.js';
import type { NodeContext } from '../node-context.js';
import { digitKey, nodeId, optionalPromptList, promptList } from '../node-schemas.js';
import { CALLER_NUMBER_VARIABLE } from './order-status-node.js';

export const recordMessageSchema = z.strictObject({
  type: z.literal('record-message'),
  /** The queue the message is for; without it, the queue a `queue` node's `closed` branch came from (`nightQueue`). */
  queue: z.string().min(1, 'must name a queue').optional(),
  /** Played to the end before recording starts, e.g. `[message-start]` (请在提示音后留言,按井号键结束). */
  prompt: promptList,
  /** The longest message, in seconds. */
  maxSeconds: z.number().int('must be a whole number of seconds').min(5, 'must be at least 5 seconds').max(600, 'must be at most 600 seconds').default(90),
  /** The message ends after this many seconds without voice (from the start, or after the caller stops speaking). */
  silenceSeconds: z.number().int('must be a whole number of seconds').min(2, 'must be at least 2 seconds').max(60, 'must be at most 60 seconds').default(6),
  /** The key that ends the message. */
  terminator: digitKey.default('#'),
  /** Played once the message is stored, e.g. `[message-saved]`. */
  savedPrompts: optionalPromptList.default([]),
  /** After a stored message (usually a `hangup`). */
  next: nodeId,
  /** Nothing was said (no voiced audio), or the message could not be stored. */
  onFailure: nodeId,
});

export type RecordMessageParams = z.output<typeof recordMessageSchema>;

/**
 * Night mode's press 2 (留言, issue 12): plays the prompt, records the caller until the terminator
 * key, `maxSeconds`, `silenceSeconds` without voice, or the hang-up, and hands the recording to the
 * after-hours desk, which files it as a draft order (留言待处理) for the agents' morning list. A
 * caller who hangs up after speaking has left a message too; one who said nothing has not (the
 * recording is dropped by the desk, the flow goes to `onFailure`).
 */
export class RecordMessageNode implements FlowNode {
  static readonly type = 'record-message';
  static readonly schema = recordMessageSchema;
  readonly type = RecordMessageNode.type;
  readonly waitsForInput = true;

  constructor(
    readonly id: string,
    readonly params: RecordMessageParams,
  ) {}

  references(): readonly NodeRef[] {
    return [
      { field: 'next', target: this.params.next },
      { field: 'onFailure', target: this.params.onFailure },
    ];
  }

  prompts(): readonly PromptRef[] {
    return [
      ...this.params.prompt.map((name, i) => ({ field: `prompt[${i}]`, name })),
      ...this.params.savedPrompts.map((name, i) => ({ field: `savedPrompts[${i}]`, name })),
    ];
  }

  async run(ctx: NodeContext): Promise<NodeResult> {
    const { params } = this;
    const queue = params.queue ?? ctx.variables.get(NIGHT_QUEUE_VARIABLE);
    const desk = ctx.afterHours;
    const record = ctx.channel.record?.bind(ctx.channel);
    if (desk === undefined || queue === undefined || record === undefined) {
      ctx.logger.warn('ivr record-message: messages are not taken here', { nodeId: this.id });
      return { next: params.onFailure };
    }
    // The prompt plays to the end (it says how to finish); keys pressed meanwhile are not the terminator.
    if ((await ctx.play(params.prompt, { bargeIn: false })) === 'ended') return CALLER_HANGUP;
    ctx.keys.clear();
    const stop = new AbortController();
    const off = ctx.keys.onKey((key) => {
      if (key === params.terminator) stop.abort();
    });
    let recording;
    try {
      recording = await record({ maxMs: params.maxSeconds * 1000, silenceMs: params.silenceSeconds * 1000 }, stop.signal);
    } finally {
      off();
      ctx.keys.clear();
    }
    ctx.logger.info('ivr message recorded', { nodeId: this.id, end: recording.end, durationMs: recording.durationMs, voicedMs: recording.voicedMs });
    if (recording.voicedMs === 0) {
      await desk.discardRecording(recording.path).catch((err: unknown) => {
        ctx.logger.warn('ivr record-message: empty recording not removed', { nodeId: this.id, error: err instanceof Error ? err.message : String(err) });
      });
      return ctx.hasEnded() ? CALLER_HANGUP : { next: params.onFailure };
    }
    try {
      await desk.leaveMessage({
        callId: ctx.variables.get(CALL_ID_VARIABLE) ?? '',
        queue,
        callerNumber: ctx.variables.get(CALLER_NUMBER_VARIABLE) ?? '',
        recordingPath: recording.path,
        durationMs: recording.durationMs,
      });
    } catch (err) {
      ctx.logger.error('ivr record-message: storing failed', { nodeId: this.id, error: err instanceof Error ? err.message : String(err) });
      return ctx.hasEnded() ? CALLER_HANGUP : { next: params.onFailure };
    }
    if (ctx.hasEnded()) return CALLER_HANGUP;
    if ((await ctx.play(params.savedPrompts, { bargeIn: true })) === 'ended') return CALLER_HANGUP;
    return { next: params.next };
  }
}

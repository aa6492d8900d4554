import type { PreviewTask } from '../calls/preview-tasks.js';
import { z } from 'zod';

/** What an agent's desktop may send over /ws/agent. Anything else gets an `error` frame. */
export const desktopCommand = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('not-ready'), reason: z.string().trim().min(1, 'say why (e.g. 休息, 培训)').max(64) }),
  z.strictObject({ type: z.literal('end-wrap-up') }),
  z.strictObject({ type: z.literal('hangup') }),
  z.strictObject({ type: z.literal('logout') }),
  z.strictObject({ type: z.literal('ping') }),
  // Preview dialing (callback staff): take the next task, dial it, or give it back unfinished.
  z.strictObject({ type: z.literal('next-task') }),
  z.strictObject({ type: z.literal('dial'), taskId: z.string().trim().min(1, 'name the task (taskId of the task frame)').max(64) }),
  z.strictObject({ type: z.literal('release-task'), taskId: z.string().trim().min(1, 'name the task (taskId of the task frame)').max(64) }),
]);

export type DesktopCommand = z.infer<typeof desktopCommand>;

/** Frames pushed to the desktop. */
export type DesktopPush =
  | {
      type: 'hello';
      agentId: string;
      username: string;
      extension: string;
      state: string;
      reason: string | null;
      /** Seconds in this state so far and the call offered or handled (absent when logged out). */
      inStateS?: number;
      callId?: string | null;
      /** In a timed wrap-up (话后处理): seconds left before the agent is ready again by itself. */
      wrapUpLeftS?: number;
    }
  | {
      type: 'state';
      state: string;
      reason: string | null;
      at: string;
      callId: string | null;
      /** Entering a timed wrap-up (话后处理): its length in seconds (the queue's wrapUpS). */
      wrapUpLeftS?: number;
    }
  | {
      type: 'offer';
      callId: string;
      queue: string;
      callerNumber: string;
      waitedS: number;
      /** The caller's earlier work orders, newest first. */
      history: readonly unknown[];
      /** The order the caller asked about in the IVR's progress self-service (then pressed 0), or null. */
      orderCode: string | null;
    }
  | { type: 'offer-withdrawn'; callId: string; reason: string }
  | { type: 'connected'; callId: string; taskId?: string }
  /** A queue call ended, or a preview call (`taskId`, `result`: talked, agent-unreached, resident-unreached; callId null when never connected). */
  | { type: 'ended'; callId: string | null; taskId?: string; result?: string; failure?: string }
  /** Preview dialing: the task to read before dialling (`ticket` for a survey, `callback` for a queue callback). */
  | ({ type: 'task' } & PreviewTask)
  | { type: 'no-task' }
  /** Preview dialing: the agent's phone rings first, then the resident's. */
  | { type: 'dialing'; taskId: string; who: 'agent' | 'resident' }
  | { type: 'callbacks'; items: readonly unknown[] }
  | { type: 'ack'; for: DesktopCommand['type'] }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };

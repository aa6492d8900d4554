import { z } from 'zod';

/** What an agent's desktop may send over /ws/agent. Anything else gets an `error` frame. */
export const desktopCommand = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('not-ready'), reason: z.string().trim().min(1, 'say why (e.g. 休息, 培训)').max(64) }),
  z.strictObject({ type: z.literal('end-wrap-up') }),
  z.strictObject({ type: z.literal('hangup') }),
  z.strictObject({ type: z.literal('logout') }),
  z.strictObject({ type: z.literal('ping') }),
]);

export type DesktopCommand = z.infer<typeof desktopCommand>;

/** Frames pushed to the desktop. */
export type DesktopPush =
  | { type: 'hello'; agentId: string; username: string; extension: string; state: string; reason: string | null }
  | { type: 'state'; state: string; reason: string | null; at: string; callId: string | null }
  | {
      type: 'offer';
      callId: string;
      queue: string;
      callerNumber: string;
      waitedS: number;
      /** The caller's earlier work orders, newest first. */
      history: readonly unknown[];
    }
  | { type: 'offer-withdrawn'; callId: string; reason: string }
  | { type: 'connected'; callId: string }
  | { type: 'ended'; callId: string }
  | { type: 'callbacks'; items: readonly unknown[] }
  | { type: 'ack'; for: DesktopCommand['type'] }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };

import { z } from 'zod';
import type { CallbackRequest } from '../acd/acd-record-repository.js';
import type { CallbackItemJson, DeskCommandJson, DeskPushJson } from '../shared/wire/agent-desk.js';

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

/** A command the schema accepted: the wire's DeskCommandJson (the two are checked equal below). */
export type DesktopCommand = DeskCommandJson;

/** Fails `tsc` when the schema and the wire's commands differ, either way. */
type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _commandsMatchTheWire: SameType<z.infer<typeof desktopCommand>, DeskCommandJson> = true;

/** Frames pushed to the desktop (src/shared/wire/agent-desk.ts). */
export type DesktopPush = DeskPushJson;

/** An open callback request as the desks list it. */
export function toCallbackItemJson(c: CallbackRequest): CallbackItemJson {
  return { id: c.id, callId: c.callId, queue: c.queue, callerNumber: c.callerNumber, requestedAt: c.requestedAt.toISOString(), status: c.status, handledBy: c.handledBy };
}

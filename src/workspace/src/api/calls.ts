/**
 * Call detail records as `/api/v1/calls` answers them (@wire/calls = src/shared/wire/calls.ts), and
 * their recordings.
 */
import type { CallPageJson, CallRecordJson } from '@wire/calls';
import type { UserListJson } from '@wire/users';
import { api, fetchBlob } from './http';

export { CALLS_MAX_LIMIT } from '@wire/calls';
export type { CallRecordJson } from '@wire/calls';

export const DIRECTION_NAMES: Record<CallRecordJson['direction'], string> = { inbound: '呼入', outbound: '呼出' };

export const END_REASON_NAMES: Readonly<Record<string, string>> = {
  hangup: '正常挂机',
  cancelled: '未接通即挂断',
  rejected: '被拒接（未接通）',
  'no-ack': '信令超时',
  'max-duration': '超过最长通话时长',
  shutdown: '系统停机',
  'media-failure': '媒体故障',
  error: '系统错误',
  crashed: '系统异常中断',
};

export const HUNG_UP_BY_NAMES: Record<NonNullable<CallRecordJson['hungUpBy']>, string> = { caller: '主叫挂机', callee: '被叫挂机', system: '系统挂断' };

/** The end reason in Chinese: a reason the page does not know is shown as the server wrote it. */
export function endReasonName(call: Pick<CallRecordJson, 'endReason' | 'endedAt'>): string {
  if (call.endReason === null) return call.endedAt === null ? '通话中' : '—';
  return END_REASON_NAMES[call.endReason] ?? call.endReason;
}

/** What became of the call: an agent took it, it hung up waiting, it stayed in the IVR, or it was never answered. */
export function callOutcome(call: CallRecordJson): string {
  if (call.agentAnsweredAt !== null) return '人工接通';
  if (call.queuedAt !== null) return call.endedAt === null ? '排队中' : '排队未接通';
  if (call.answeredAt !== null) return call.direction === 'inbound' ? '自助语音' : '已接通';
  return call.endedAt === null ? '呼叫中' : '未接通';
}

function seconds(fromIso: string | null, toIso: string | null): number | null {
  if (fromIso === null || toIso === null) return null;
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return Number.isNaN(ms) ? null : Math.max(0, ms / 1000);
}

/** The caller's wait in the queue (s): until an agent answered, else until the call ended; null when it never queued. */
export function waitSeconds(call: CallRecordJson): number | null {
  if (call.queuedAt === null) return null;
  return seconds(call.queuedAt, call.agentAnsweredAt ?? call.endedAt);
}

/** Talk time (s): with the agent when one answered, else the whole answered call (IVR); null when never answered or still going. */
export function talkSeconds(call: CallRecordJson): number | null {
  return seconds(call.agentAnsweredAt ?? call.answeredAt, call.endedAt);
}

export const listCalls = (page: { limit: number; offset: number }, signal?: AbortSignal) => api.get<CallPageJson>('/calls', page, signal);

/** The recording (stereo WAV, left caller, right agent) fetched with the token, for an object URL. */
export const fetchRecording = (callId: string) => fetchBlob(`/calls/${encodeURIComponent(callId)}/recording`);

/** Agents' names by user id (GET /agents), to show who took a call. */
export async function agentNames(): Promise<Map<number, string>> {
  const list = await api.get<UserListJson>('/agents');
  return new Map(list.items.map((a) => [a.id, a.displayName !== '' ? a.displayName : a.username]));
}

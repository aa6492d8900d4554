/**
 * Messages (留言, night mode) as `/api/v1/messages` answers them (@wire/messages = src/shared/wire/messages.ts):
 * the draft orders agents work through in the morning, their recordings, 转工单 and 关闭.
 */
import type { MessageCloseReasonJson, MessageJson, MessagePageJson, MessageStatusJson } from '@wire/messages';
import { api, fetchBlob } from './http';

export type { MessageJson, MessageStatusJson, MessageCloseReasonJson } from '@wire/messages';

export const MESSAGE_STATUS_NAMES: Record<MessageStatusJson, string> = { pending: '待处理', converted: '已转工单', closed: '已关闭' };
export const CLOSE_REASON_NAMES: Record<MessageCloseReasonJson, string> = { 'no-content': '无有效内容', duplicate: '重复来电', other: '其他' };

export const listMessages = (status: MessageStatusJson, page: { limit: number; offset: number }, signal?: AbortSignal) =>
  api.get<MessagePageJson>('/messages', { status, ...page }, signal);

/** The caller's recording (mono WAV) fetched with the token, for an object URL an <audio> plays. */
export const fetchMessageRecording = (id: number) => fetchBlob(`/messages/${id}/recording`);

export const convertMessage = (id: number, orderCode: string) => api.post<MessageJson>(`/messages/${id}/convert`, { orderCode });

export const closeMessage = (id: number, reason: MessageCloseReasonJson, note: string) =>
  api.post<MessageJson>(`/messages/${id}/close`, note.trim() === '' ? { reason } : { reason, note: note.trim() });

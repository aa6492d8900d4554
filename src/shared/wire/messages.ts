/** Messages (留言, night mode) on the wire: `/api/v1/messages`. Dependency-free. */

/** `pending`: a draft order (留言待处理) waiting for an agent; `converted`: became a work order; `closed`: dropped with a reason. */
export type MessageStatusJson = 'pending' | 'converted' | 'closed';
export type MessageCloseReasonJson = 'no-content' | 'duplicate' | 'other';

export interface MessageJson {
  readonly id: number;
  readonly callId: string;
  /** The calling number, as received (prefilled as the order's resident phone). */
  readonly callerNumber: string;
  /** The queue the caller asked for, and its name (综合咨询 …). */
  readonly queue: string;
  readonly queueName: string;
  /** ISO instant the message was recorded. */
  readonly receivedAt: string;
  readonly durationMs: number;
  /** `/api/v1/messages/:id/recording` (audio/wav, with the same bearer token). */
  readonly recordingUrl: string;
  readonly status: MessageStatusJson;
  readonly closeReason: MessageCloseReasonJson | null;
  readonly closeNote: string | null;
  readonly orderCode: string | null;
  readonly handledBy: number | null;
  readonly handledAt: string | null;
}

export interface MessagePageJson {
  readonly items: readonly MessageJson[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

export const MESSAGES_MAX_LIMIT = 200;

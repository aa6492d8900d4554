/**
 * A caller's recorded message (留言, issue 12): left at night or when nobody staffs the queue, it is a
 * draft order (留言待处理) until an agent either turns it into a real work order (`converted`, with the
 * order's code) or closes it with a reason (`closed`). Kept apart from the orders table on purpose: a
 * draft has no category, unit or deadline, and must not count in any order metric until it is one.
 */
export type MessageStatus = 'pending' | 'converted' | 'closed';
export const MESSAGE_STATUSES: readonly MessageStatus[] = ['pending', 'converted', 'closed'];

/** Why a message was closed without an order: nothing said, the same request again, or another reason (a note says which). */
export type MessageCloseReason = 'no-content' | 'duplicate' | 'other';
export const MESSAGE_CLOSE_REASONS: readonly MessageCloseReason[] = ['no-content', 'duplicate', 'other'];

export interface NewVoiceMessage {
  readonly callId: string;
  readonly callerNumber: string;
  readonly queue: string;
  /** Epoch ms when the message was recorded. */
  readonly receivedAt: number;
  /** The WAV under RECORDINGS_DIR. */
  readonly recordingPath: string;
  readonly durationMs: number;
}

export interface VoiceMessage extends NewVoiceMessage {
  readonly id: number;
  readonly status: MessageStatus;
  readonly closeReason: MessageCloseReason | null;
  readonly closeNote: string | null;
  /** The work order it became. */
  readonly orderCode: string | null;
  /** The user who converted or closed it. */
  readonly handledBy: number | null;
  readonly handledAt: number | null;
}

/** How a pending message is settled (only a pending one is). */
export type MessageSettlement =
  | { readonly status: 'converted'; readonly orderCode: string; readonly handledBy: number; readonly handledAt: number }
  | { readonly status: 'closed'; readonly closeReason: MessageCloseReason; readonly closeNote: string | null; readonly handledBy: number; readonly handledAt: number };

export interface VoiceMessageRepository {
  create(message: NewVoiceMessage): Promise<VoiceMessage>;
  get(id: number): Promise<VoiceMessage | undefined>;
  /** Oldest first for `pending` (the morning's work in arrival order), newest first otherwise. */
  list(filter: { readonly status: MessageStatus }, page: { readonly limit: number; readonly offset: number }): Promise<{ readonly items: VoiceMessage[]; readonly total: number }>;
  /** Settles the message if it is still pending (one UPDATE … WHERE status = 'pending'); false when it was not. */
  settle(id: number, settlement: MessageSettlement): Promise<boolean>;
}

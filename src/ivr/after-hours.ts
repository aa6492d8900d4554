/**
 * The port of night mode (issue 12): whether a queue takes calls now, and what a caller who cannot be
 * queued may leave instead — a callback request or a recorded message (留言). calls/ implements it
 * over the queues' service hours, the working-day calendar, the ACD's staffing and the stores.
 */

/** `closed`: outside the queue's service hours; `unstaffed`: inside them, but no agent is logged in for it. */
export type QueueOpening = 'open' | 'closed' | 'unstaffed';

export interface CallerRequest {
  readonly callId: string;
  /** The queue the caller asked for. */
  readonly queue: string;
  /** The calling number (From user), as received. */
  readonly callerNumber: string;
}

export interface LeftMessage extends CallerRequest {
  /** The WAV the channel recorded. */
  readonly recordingPath: string;
  readonly durationMs: number;
}

export interface AfterHoursDesk {
  opening(queue: string): QueueOpening;
  requestCallback(request: CallerRequest): Promise<void>;
  leaveMessage(message: LeftMessage): Promise<void>;
  /** A recording with nothing said in it: removed, never filed. */
  discardRecording(path: string): Promise<void>;
}

/** Set by the queue node when it sends a caller to its `closed` branch: the queue asked for, and why. */
export const NIGHT_QUEUE_VARIABLE = 'nightQueue';
export const NIGHT_REASON_VARIABLE = 'nightReason';
/** Set by calls/ at the start of an inbound run: the call's id (for the stored request or message). */
export const CALL_ID_VARIABLE = 'callId';

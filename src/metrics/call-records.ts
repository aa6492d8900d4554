/**
 * Call detail records: a row per call, written as the call progresses. Every call metric
 * (接通率, answer latency …) is computed from these stored rows, never from counters in memory.
 */
import type { CallDirection, HungUpBy } from '../shared/wire/calls.js';

export type { CallDirection, HungUpBy } from '../shared/wire/calls.js';

export interface CallRecord {
  readonly callId: string;
  readonly direction: CallDirection;
  /** Caller number as received (stored in full; masked only in logs). */
  readonly from: string;
  readonly to: string;
  readonly startedAt: Date;
  readonly answeredAt: Date | null;
  readonly endedAt: Date | null;
  /** An EndReason of telephony/call-leg.ts, e.g. `hangup`, `cancelled`, `no-ack`. */
  readonly endReason: string | null;
  readonly hungUpBy: HungUpBy | null;
  /** Every key pressed in the IVR, in order, e.g. `2` or `31234#`. */
  readonly digits: string;
  /** Ids of the IVR nodes the call passed through, comma-separated, e.g. `welcome,main-menu,consult`. */
  readonly ivrPath: string;
  /** The agent queue the caller waited in (null when the call never asked for an agent). */
  readonly queue: string | null;
  readonly queuedAt: Date | null;
  /** The agent (user id and extension) who took the call. */
  readonly agentId: number | null;
  readonly agentExtension: string | null;
  /** When the agent's phone answered: queuedAt → agentAnsweredAt is the caller's wait. */
  readonly agentAnsweredAt: Date | null;
  /** Stereo WAV (left caller, right agent) of the conversation. */
  readonly recordingPath: string | null;
  /** When the retention job deleted the recording (RECORDING_RETENTION_DAYS); the path is kept for the record. */
  readonly recordingExpiredAt: Date | null;
  /** A field was longer than its column (e.g. a 500-character Call-ID) and was cut to fit. */
  readonly truncated: boolean;
  /** The IVR flow the call ran (its `name`); null when no flow ran (e.g. an outbound call). */
  readonly ivrFlow: string | null;
  /** How the IVR run ended: `queue`, `caller-hangup`, `hangup` or `failed` (src/ivr/ivr-result.ts); null without a run. */
  readonly ivrOutcome: string | null;
  /** The run reached a `selfService` node of its flow and did not go on to an agent queue (自助服务完成). */
  readonly ivrSelfServed: boolean;
  /** What the `speak` nodes synthesised, one text a line (what the caller heard); null when nothing. */
  readonly ivrSpoken: string | null;
}

export type NewCallRecord = Pick<CallRecord, 'callId' | 'direction' | 'from' | 'to' | 'startedAt'>;

export type CallRecordPatch = Partial<
  Pick<
    CallRecord,
    'answeredAt' | 'endedAt' | 'endReason' | 'hungUpBy' | 'digits' | 'ivrPath' | 'queue' | 'queuedAt' | 'agentId' | 'agentExtension' | 'agentAnsweredAt' | 'recordingPath' | 'ivrFlow' | 'ivrOutcome' | 'ivrSelfServed' | 'ivrSpoken'
  >
>;

export interface CallRecordPage {
  readonly items: readonly CallRecord[];
  readonly total: number;
}

export interface CallRecordRepository {
  /**
   * Stores a new call. Never refuses a call for its values: over-long fields are cut and the record
   * flagged `truncated`, and a Call-ID already stored (reused by a second call) gets a row of its own
   * whose callId carries a `#<key>` suffix (later updates of that Call-ID go to the newest call).
   */
  create(record: NewCallRecord): Promise<void>;
  /** Updates fields of a stored call (the newest with that Call-ID); NotFoundError when there is none. */
  update(callId: string, patch: CallRecordPatch): Promise<void>;
  get(callId: string): Promise<CallRecord | undefined>;
  /** Newest first (startedAt descending, then callId). */
  list(page: { limit: number; offset: number }): Promise<CallRecordPage>;
}

/** The fields of a call record not known when the call starts. */
export const EMPTY_CALL_FIELDS: Omit<CallRecord, keyof NewCallRecord> = Object.freeze({
  answeredAt: null,
  endedAt: null,
  endReason: null,
  hungUpBy: null,
  digits: '',
  ivrPath: '',
  queue: null,
  queuedAt: null,
  agentId: null,
  agentExtension: null,
  agentAnsweredAt: null,
  recordingPath: null,
  recordingExpiredAt: null,
  truncated: false,
  ivrFlow: null,
  ivrOutcome: null,
  ivrSelfServed: false,
  ivrSpoken: null,
});

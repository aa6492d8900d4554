/** Call detail records on the wire: `/api/v1/calls` (api/calls.routes.ts `toCallRecordJson`). Dependency-free. */

export type CallDirection = 'inbound' | 'outbound';

/** Who ended the call: the resident/far party that started it, the party we called, or this server. */
export type HungUpBy = 'caller' | 'callee' | 'system';

/** The page size limit of `GET /calls`. */
export const CALLS_MAX_LIMIT = 500;

/** A call record as the API shows it: the CallRecord field names, times as ISO 8601 UTC strings. */
export interface CallRecordJson {
  readonly callId: string;
  readonly direction: CallDirection;
  readonly from: string;
  readonly to: string;
  readonly startedAt: string;
  readonly answeredAt: string | null;
  readonly endedAt: string | null;
  /** An EndReason of the server (telephony/call-leg.ts), or `crashed`; null while the call lasts. */
  readonly endReason: string | null;
  readonly hungUpBy: HungUpBy | null;
  readonly digits: string;
  readonly ivrPath: string;
  readonly queue: string | null;
  readonly queuedAt: string | null;
  readonly agentId: number | null;
  readonly agentExtension: string | null;
  readonly agentAnsweredAt: string | null;
  /** True when a recording exists; download it at /api/v1/calls/:callId/recording. */
  readonly hasRecording: boolean;
  /** When the recording was deleted after RECORDING_RETENTION_DAYS (hasRecording is then false; the download answers 410). */
  readonly recordingExpiredAt: string | null;
  /** True when a Call-ID, From or To longer than its column was cut to fit (the call is still recorded). */
  readonly truncated: boolean;
  /** The IVR flow the call ran; null when none ran. */
  readonly ivrFlow: string | null;
  /** How the IVR run ended: `queue`, `caller-hangup`, `hangup` or `failed`. */
  readonly ivrOutcome: string | null;
  /** 自助服务完成: the run reached a self-service node of its flow and never went on to an agent queue. */
  readonly ivrSelfServed: boolean;
  /** The texts the IVR synthesised for the caller (`speak` nodes), one a line; null when none. */
  readonly ivrSpoken: string | null;
}

/** `GET /calls`, newest first. */
export interface CallPageJson {
  readonly items: readonly CallRecordJson[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

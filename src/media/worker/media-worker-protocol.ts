import type { MessagePort } from 'node:worker_threads';
import type { PlaybackOutcome, RecordOptions, RecordResult } from '../media-types.js';
import type { MediaErrorCode } from '../media-error.js';
import type { Codec, NegotiatedMedia } from '../sdp-negotiator.js';
import type { SdesPolicy } from '../srtp/sdes-crypto.js';
import type { DtlsIdentity } from '../webrtc/dtls-identity.js';

/**
 * Messages between the main thread (WorkerMediaEngine) and a media worker (media-worker.ts).
 * Commands go main → worker, events worker → main, all on the worker's own port, so their order is
 * kept: a prompt added before a play that names it is known to the worker when the play arrives.
 * Nothing here is sent per packet; per-packet traffic stays inside a worker, or goes worker → worker
 * on a bridge's own MessageChannel (RelayMessage).
 */

/** A prompt's payloads in shared memory: every worker reads the one copy. */
export interface SharedPrompt {
  readonly name: string;
  readonly pcmu: Uint8Array;
  readonly pcma: Uint8Array;
  readonly durationMs: number;
}

/** What a worker is started with (workerData). */
export interface MediaWorkerData {
  readonly index: number;
  readonly bindAddress: string;
  readonly publicAddress: string;
  /** This worker's own sub-range of RTP_PORT_MIN..MAX (disjoint from every other worker's). */
  readonly portMin: number;
  readonly portMax: number;
  readonly mediaTimeoutMs: number;
  readonly comfortSilence: boolean;
  readonly relatchSilenceMs: number;
  /** The main logger's level: records below it are never posted. */
  readonly logLevel: string;
  readonly prompts: readonly SharedPrompt[];
  /** PacingStats memory of the worker's clock (PacingStats.sharedBuffer()). */
  readonly pacing: SharedArrayBuffer;
  /** Float64 counters, see COUNTER. */
  readonly counters: SharedArrayBuffer;
  /** The process's DTLS certificate for WebRTC legs (the main thread writes its fingerprint in SDP); absent: no WebRTC. */
  readonly dtls: DtlsIdentity | undefined;
  /** SRTP_SDES: not `off` loads werift's SRTP before 'ready' (SDES keys are negotiated on the main thread). */
  readonly sdesPolicy: SdesPolicy;
}

/** Slots of MediaWorkerData.counters (Float64Array), written by the worker, read by the main thread. */
export const COUNTER = {
  /** RTP sessions open in the worker. */
  sessions: 0,
  /** Packets dropped by source latches since the counters were created (survives a respawn). */
  foreignDropped: 1,
  /** The worker's event-loop delay over the last second: p99 and max, in ms. */
  lagP99Ms: 2,
  lagMaxMs: 3,
  /** SRTP packets of SDES legs that failed authentication (forged, wrong key, garbage), and replays. */
  srtpAuthFailed: 4,
  srtpReplayed: 5,
} as const;
export const COUNTER_SLOTS = 6;

export type WorkerCommand =
  | { readonly type: 'create'; readonly session: number; readonly callId: string }
  | { readonly type: 'signalling-address'; readonly session: number; readonly address: string }
  | { readonly type: 'answer'; readonly session: number; readonly media: NegotiatedMedia }
  | { readonly type: 'accept'; readonly session: number; readonly media: NegotiatedMedia }
  | { readonly type: 'confirm'; readonly session: number }
  | { readonly type: 'play'; readonly session: number; readonly play: number; readonly prompts: readonly string[]; readonly loop: boolean }
  | { readonly type: 'stop-playback'; readonly session: number }
  /** Record the session's received audio (a caller's message) to `path`; answered by 'record-done'. */
  | { readonly type: 'record'; readonly session: number; readonly record: number; readonly path: string; readonly options: RecordOptions }
  | { readonly type: 'record-stop'; readonly session: number; readonly record: number }
  | { readonly type: 'close'; readonly session: number }
  | { readonly type: 'prompt-add'; readonly prompt: SharedPrompt }
  | { readonly type: 'prompt-remove'; readonly name: string }
  /** Both sessions are in this worker: an RtpMediaBridge. */
  | { readonly type: 'bridge'; readonly bridge: number; readonly a: number; readonly b: number; readonly recordingPath: string | undefined }
  /**
   * One side of a bridge whose other session is in another worker: relay `session` over `port`.
   * `recordingPath` is given to the side of the caller (`a`), which writes both channels.
   */
  | {
      readonly type: 'bridge-half';
      readonly bridge: number;
      readonly session: number;
      readonly side: 'a' | 'b';
      readonly port: MessagePort;
      readonly recordingPath: string | undefined;
    }
  | { readonly type: 'bridge-close'; readonly bridge: number }
  /** Close every bridge (recordings complete) and session, then answer 'shutdown-done'. */
  | { readonly type: 'shutdown' }
  /** Drills and tests only: throw from the worker's event loop, as a bug would. */
  | { readonly type: 'crash' };

export type WorkerEvent =
  | { readonly type: 'ready' }
  | { readonly type: 'created'; readonly session: number; readonly port: number }
  | { readonly type: 'create-failed'; readonly session: number; readonly code: MediaErrorCode; readonly message: string }
  | { readonly type: 'play-done'; readonly session: number; readonly play: number; readonly outcome: PlaybackOutcome }
  | { readonly type: 'play-failed'; readonly session: number; readonly play: number; readonly code: MediaErrorCode; readonly message: string }
  | { readonly type: 'dtmf'; readonly session: number; readonly digit: string }
  /** Recording `record` ended and its file is complete (also after the session closed). */
  | { readonly type: 'record-done'; readonly record: number; readonly result: RecordResult }
  | { readonly type: 'timeout'; readonly session: number }
  /** A bridge (or this worker's half of one) stopped relaying; its recording, if this worker wrote it, is complete. */
  | { readonly type: 'bridge-closed'; readonly bridge: number }
  | { readonly type: 'bridge-failed'; readonly bridge: number; readonly code: MediaErrorCode; readonly message: string }
  | { readonly type: 'log'; readonly level: string; readonly message: string; readonly meta: Record<string, unknown> }
  | { readonly type: 'shutdown-done' };

/** Worker → worker on a cross-worker bridge's MessageChannel: one received packet, or the end. */
export type RelayMessage =
  | {
      readonly k: 'audio' | 'event';
      readonly payload: Uint8Array;
      /** The codec of `payload` (audio only). */
      readonly codec: Codec;
      readonly ssrc: number;
      readonly timestamp: number;
      readonly marker: boolean;
      readonly sequenceNumber: number;
      /** Arrival time as performance.timeOrigin + performance.now() (each thread has its own origin). */
      readonly arrivedAt: number;
    }
  | { readonly k: 'closed' };

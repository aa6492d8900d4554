import { AppError } from '../shared/app-error.js';

/** Stable codes of the media engine; signalling maps them to SIP responses (e.g. SDP_NO_COMMON_CODEC → 488). */
export type MediaErrorCode =
  | 'SDP_INVALID'
  | 'SDP_NO_COMMON_CODEC'
  /** The SDP names an address or port we will not send to (a host name, multicast, a port below 1024): 488. */
  | 'SDP_ADDRESS_REFUSED'
  /** SRTP (SDES, RFC 4568) offered or answered in a way we refuse: keys over clear signalling, a bad or unsupported a=crypto, SRTP_SDES policy: 488. */
  | 'SDP_SRTP_REFUSED'
  | 'RTP_PORTS_EXHAUSTED'
  | 'PROMPT_NOT_FOUND'
  | 'PROMPT_INVALID'
  | 'MEDIA_CLOSED'
  /** bridge() with a session of another engine, the same session twice, or a session already bridged. */
  | 'BRIDGE_INVALID'
  /** Text to speech failed, timed out or was refused (too many waiting): the IVR plays a fallback. */
  | 'SPEECH_FAILED';

export class MediaError extends AppError {
  declare readonly code: MediaErrorCode;

  // Not useless: it narrows `code` to MediaErrorCode for callers.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(code: MediaErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

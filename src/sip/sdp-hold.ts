import { parse } from 'sdp-transform';

/**
 * True when an SDP offer puts us on hold: the audio stream (or the session) is `sendonly` or
 * `inactive` (RFC 3264 §8.4), or the connection address is 0.0.0.0 (the RFC 2543 way).
 * Unparseable SDP counts as not held; the media engine judges its validity.
 */
export function isHoldSdp(sdp: string): boolean {
  try {
    const session = parse(sdp);
    const audio = session.media.find((m) => m.type === 'audio') ?? session.media[0];
    const direction = audio?.direction ?? session.direction ?? 'sendrecv';
    const address = audio?.connection?.ip ?? session.connection?.ip;
    return direction === 'sendonly' || direction === 'inactive' || address === '0.0.0.0';
  } catch {
    return false;
  }
}

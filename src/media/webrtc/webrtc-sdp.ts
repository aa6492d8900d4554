import { randomBytes } from 'node:crypto';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { z } from 'zod';
import { MediaError } from '../media-error.js';
import type { DtlsFingerprint } from './dtls-identity.js';

/** The RTP profile of WebRTC media (RFC 8829 §5.1.2; RFC 5764 DTLS-SRTP over ICE). */
export const WEBRTC_PROTOCOL = 'UDP/TLS/RTP/SAVPF';

/** What a WebRTC offer/answer decided besides the codec: the secure transport's parameters. */
export interface WebRtcMedia {
  /** Our ICE credentials (the remote signs its checks with localPwd, RFC 8445 §7.2.2). */
  readonly localUfrag: string;
  readonly localPwd: string;
  /** The remote's credentials; its consent checks carry `localUfrag:remoteUfrag`. */
  readonly remoteUfrag: string;
  readonly remotePwd: string;
  /** The remote certificate must hash to one of these (RFC 8122 §5). */
  readonly remoteFingerprints: readonly DtlsFingerprint[];
  /** Our DTLS role: `server` when the remote is `active` (RFC 5763 §5), `client` when it is `passive`. */
  readonly dtlsRole: 'server' | 'client';
}

/** Our side of WebRTC: the ICE credentials of one session and the process's certificate fingerprint. */
export interface LocalWebRtc {
  readonly ufrag: string;
  readonly pwd: string;
  readonly fingerprint: DtlsFingerprint;
}

/**
 * ICE credentials for one session (RFC 8839 §5.4: ufrag ≥ 4 and pwd ≥ 22 ice-chars; base64 minus
 * `=` is within ice-char). 48 and 144 random bits.
 */
export function newLocalWebRtc(fingerprint: DtlsFingerprint): LocalWebRtc {
  const ice = (bytes: number): string => randomBytes(bytes).toString('base64').replace(/=+$/, '');
  return { ufrag: ice(6), pwd: ice(18), fingerprint };
}

const ICE_CHARS = /^[A-Za-z0-9+/]{4,256}$/;
const fingerprintSchema = z.object({ type: z.string().regex(/^[A-Za-z0-9-]{1,16}$/), hash: z.string().regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){15,63}$/) });
const transportSchema = z.object({
  iceUfrag: z.string().regex(ICE_CHARS, 'ice-ufrag must be 4-256 ice-chars'),
  icePwd: z.string().regex(/^[A-Za-z0-9+/]{22,256}$/, 'ice-pwd must be 22-256 ice-chars'),
  fingerprint: fingerprintSchema,
  setup: z.enum(['active', 'passive', 'actpass', 'holdconn']).optional(),
});

/** The attributes of a WebRTC m-line, media level first, else session level (RFC 8839 §5.4, RFC 8122 §5). */
interface RawWebRtcAttributes {
  iceUfrag?: string | undefined;
  icePwd?: string | undefined;
  fingerprint?: { type: string; hash: string } | undefined;
  setup?: string | undefined;
  mid?: string | undefined;
  rtcpMux?: string | undefined;
}

/** True when the m-line asks for WebRTC media (UDP/TLS/RTP/SAVPF, or the TCP variant we refuse later). */
export function isWebRtcLine(m: { protocol: string }): boolean {
  return m.protocol.toUpperCase() === WEBRTC_PROTOCOL;
}

/**
 * The remote's ICE and DTLS parameters of an offer or answer; MediaError `SDP_INVALID` naming the
 * field when one is missing or malformed.
 */
export function readRemoteWebRtc(session: RawWebRtcAttributes, m: RawWebRtcAttributes, local: LocalWebRtc, what: string): WebRtcMedia {
  const parsed = transportSchema.safeParse({
    iceUfrag: m.iceUfrag ?? session.iceUfrag,
    icePwd: m.icePwd ?? session.icePwd,
    fingerprint: m.fingerprint ?? session.fingerprint,
    setup: m.setup ?? session.setup,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MediaError('SDP_INVALID', `${what}: WebRTC audio needs ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'ICE and DTLS attributes'}`);
  }
  const { iceUfrag, icePwd, fingerprint, setup } = parsed.data;
  if (setup === 'holdconn') throw new MediaError('SDP_INVALID', `${what}: a=setup:holdconn is not supported`);
  // RFC 5763 §5: an offer's actpass lets us, the answerer, pick passive (the DTLS server, which needs
  // no timer of ours to start); an answer to our actpass is usually active, and an answer without
  // a=setup means active (RFC 4145 §4). Only a passive remote makes us the DTLS client.
  const dtlsRole = setup === 'passive' ? 'client' : 'server';
  return {
    localUfrag: local.ufrag,
    localPwd: local.pwd,
    remoteUfrag: iceUfrag,
    remotePwd: icePwd,
    remoteFingerprints: [{ algorithm: fingerprint.type.toLowerCase(), value: fingerprint.hash.toUpperCase() }],
    dtlsRole,
  };
}

/**
 * Turns an audio line into a WebRTC one: profile, our ICE-lite host candidate (the session's port on
 * the public address: an ICE-lite server has only host candidates, RFC 8445 §2.5), credentials,
 * fingerprint, DTLS setup and rtcp-mux (RFC 8843 bundling is kept by echoing the offer's mid).
 */
export function toWebRtcLine(line: MediaDescription, local: LocalWebRtc, publicAddress: string, setup: 'actpass' | 'passive' | 'active', mid: string | undefined): MediaDescription {
  return {
    ...line,
    protocol: WEBRTC_PROTOCOL,
    ...(mid === undefined ? {} : { mid }),
    iceUfrag: local.ufrag,
    icePwd: local.pwd,
    fingerprint: { type: local.fingerprint.algorithm, hash: local.fingerprint.value },
    setup,
    rtcpMux: 'rtcp-mux',
    candidates: [
      { foundation: '1', component: 1, transport: 'udp', priority: 2130706431, ip: publicAddress, port: line.port, type: 'host' },
    ],
    endOfCandidates: 'end-of-candidates',
  };
}

/** Session-level attributes of a WebRTC SDP of ours: ice-lite (RFC 8445 §2.5) and the BUNDLE group of the mids. */
export function webRtcSessionAttributes(mids: readonly string[]): Partial<SessionDescription> {
  return { icelite: 'ice-lite', ...(mids.length > 0 ? { groups: [{ type: 'BUNDLE', mids: mids.join(' ') }] } : {})};
}

import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { parse, write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import { z } from 'zod';
import { MediaError } from './media-error.js';
import { cryptoConfig, cryptoValuesByMedia, newSdesKey, SDES_SUITE, type SdesKeys, type SdesPolicy } from './srtp/sdes-crypto.js';
import { decideSdesForOffer, isSavpProtocol, readAnsweredCrypto, type SdesOfferDecision } from './srtp/sdes-negotiation.js';
import type { DtlsFingerprint } from './webrtc/dtls-identity.js';
import { isWebRtcLine, newLocalWebRtc, readRemoteWebRtc, toWebRtcLine, webRtcSessionAttributes, WEBRTC_PROTOCOL, type LocalWebRtc, type WebRtcMedia } from './webrtc/webrtc-sdp.js';

export type Codec = 'PCMU' | 'PCMA';
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** What an offer/answer exchange decided for our one audio stream. */
export interface NegotiatedMedia {
  /** undefined when the audio stream was rejected (port 0). */
  codec: Codec | undefined;
  payloadType: number;
  /** RFC 4733 payload type, as the remote numbered it; undefined when it offered none. */
  dtmfPayloadType: number | undefined;
  /**
   * Where the remote wants RTP (from c= and m=); undefined when rejected, and for WebRTC media, whose
   * address is the one ICE checks prove (`webrtc`), never the SDP's.
   */
  remote: { address: string; port: number } | undefined;
  /** Our direction (the mirror of the remote's, RFC 3264 §6.1). */
  direction: Direction;
  /** The remote holds the call: it will not send (sendonly/inactive offer, or c=0.0.0.0, RFC 3264 §8.4). */
  held: boolean;
  /** WebRTC media (UDP/TLS/RTP/SAVPF): ICE-lite, DTLS-SRTP and rtcp-mux on the session's port. */
  webrtc?: WebRtcMedia | undefined;
  /** SRTP with SDES keys (RFC 4568), on a leg whose signalling is TLS. Key material: never log it. */
  sdes?: SdesKeys | undefined;
}

/** What answer() returns: our SDP, the result, and a=crypto the offer carried that we did not use (why, for the log). */
export interface AnswerResult {
  sdp: string;
  media: NegotiatedMedia;
  sdesIgnored?: string | undefined;
}

/** Options of SdpNegotiator.offer(). */
export interface OfferOptions {
  /** Offer WebRTC media (the callee is a browser): UDP/TLS/RTP/SAVPF with ICE-lite and DTLS. */
  readonly webrtc?: boolean;
}

/** Static payload types of RFC 3551 Table 4 that we speak. */
const STATIC: Readonly<Record<number, Codec>> = { 0: 'PCMU', 8: 'PCMA' };
const DTMF_PT = 101;
const MIRROR: Readonly<Record<Direction, Direction>> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

const directionSchema = z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']);
const connectionSchema = z.object({ ip: z.string().min(1) });
const fingerprintSchema = z.object({ type: z.string(), hash: z.string() });
/** ICE/DTLS attributes, checked by readRemoteWebRtc() when the line is WebRTC. */
/** sdp-transform reads an all-digit token (a browser's ufrag may be one) as a number. */
const token = z.union([z.string(), z.number()]).transform(String);
const webRtcFields = {
  iceUfrag: token.optional(),
  icePwd: token.optional(),
  fingerprint: fingerprintSchema.optional(),
  setup: z.string().optional(),
};
// a=crypto is read from the SDP text (srtp/sdes-crypto.ts), not from sdp-transform's parse.
const mediaSchema = z.object({
  type: z.string(),
  port: z.number().int().min(0).max(65535),
  protocol: z.string(),
  payloads: z.union([z.string(), z.number()]).optional(),
  rtp: z.array(z.object({ payload: z.number().int(), codec: z.string(), rate: z.number().optional() })).default([]),
  fmtp: z.array(z.object({ payload: z.number().int(), config: z.string() })).default([]),
  connection: connectionSchema.optional(),
  direction: directionSchema.optional(),
  mid: token.optional(),
  ...webRtcFields,
});
const sdpSchema = z.object({
  connection: connectionSchema.optional(),
  direction: directionSchema.optional(),
  ...webRtcFields,
  media: z.array(mediaSchema).min(1),
});
type ParsedMedia = z.infer<typeof mediaSchema>;
type ParsedSdp = z.infer<typeof sdpSchema>;

function parseSdp(text: string, what: string): ParsedSdp {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new MediaError('SDP_INVALID', `${what}: not parseable SDP`, { cause: err });
  }
  const result = sdpSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? `${issue.path.join('.') || 'sdp'}: ${issue.message}` : 'invalid';
    throw new MediaError('SDP_INVALID', `${what}: ${where}`);
  }
  if (!result.data.media.some((m) => m.type === 'audio')) throw new MediaError('SDP_INVALID', `${what}: no audio m-line`);
  return result.data;
}

function payloadList(m: ParsedMedia): number[] {
  return String(m.payloads ?? '')
    .split(/\s+/)
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
}

/** Our codec for a payload type of that m-line: static 0/8, or a dynamic one by its rtpmap name. */
function codecOf(m: ParsedMedia, pt: number): Codec | undefined {
  const fixed = STATIC[pt];
  if (fixed !== undefined) return fixed;
  if (pt < 96) return undefined;
  const map = m.rtp.find((r) => r.payload === pt);
  if (map === undefined || (map.rate !== undefined && map.rate !== 8000)) return undefined;
  const name = map.codec.toUpperCase();
  return name === 'PCMU' || name === 'PCMA' ? name : undefined;
}

function pickCodec(m: ParsedMedia): { codec: Codec; pt: number } | undefined {
  for (const pt of payloadList(m)) {
    const codec = codecOf(m, pt);
    if (codec !== undefined) return { codec, pt };
  }
  return undefined;
}

function dtmfOf(m: ParsedMedia): { pt: number; fmtp: string | undefined } | undefined {
  const offered = payloadList(m);
  const map = m.rtp.find((r) => r.codec.toLowerCase() === 'telephone-event' && (r.rate ?? 8000) === 8000 && offered.includes(r.payload));
  if (map === undefined) return undefined;
  return { pt: map.payload, fmtp: m.fmtp.find((f) => f.payload === map.payload)?.config };
}

function isRtpAvp(m: ParsedMedia): boolean {
  return m.protocol.toUpperCase() === 'RTP/AVP';
}

/** The SDES keys of an answer we write: ours (kept across re-offers with the same remote key) and the remote's. */
function sdesKeys(tag: number, localKey: string, remoteKey: string): SdesKeys {
  return { suite: SDES_SUITE, tag, localKey, remoteKey };
}

function isNullAddress(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

/** IPv4 dotted quad → its four numbers (also inside an IPv4-mapped IPv6 address); undefined otherwise. */
function ipv4Octets(ip: string): number[] | undefined {
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(ip);
  return v4 === null ? undefined : v4.slice(1).map(Number);
}

/**
 * Why we refuse to send media to this c=/m= address, or undefined when it is acceptable. The SDP names
 * where a server sends 50 packets a second, so it is a way to aim the server at a third party:
 * - only IP literals (RFC 4566 §5.7 allows a FQDN, but resolving it means a DNS lookup chosen by an
 *   unauthenticated caller, and a name can point anywhere; our socket.send would have resolved it);
 * - no multicast (RFC 4566 §5.7 multicast c= lines: one INVITE would make us send to a group),
 *   broadcast or reserved (240/4) addresses;
 * - no port below 1024 (DNS, NTP, SSDP and the like are the reflection targets; RTP uses dynamic
 *   ports, RFC 3550 §11). Port 0 rejects the stream (RFC 3264 §5.1) and is handled before this.
 * 0.0.0.0 and :: are allowed: they put the call on hold (RFC 3264 §8.4) and we send nothing there.
 */
function refuseRemote(ip: string, port: number): string | undefined {
  if (isIP(ip) === 0) return `connection address "${ip.slice(0, 64)}" is not an IP address literal`;
  if (isNullAddress(ip)) return undefined;
  const octets = ipv4Octets(ip);
  const first = octets?.[0];
  if (first !== undefined && first >= 224) return `connection address ${ip} is multicast, broadcast or reserved`;
  if (octets === undefined && /^ff/i.test(ip)) return `connection address ${ip} is multicast`;
  if (port < 1024) return `media port ${port} is below 1024`;
  return undefined;
}

/**
 * SDP offer/answer (RFC 3264) for one G.711 audio stream, built with sdp-transform.
 * Keeps the o= line of our side: one session id, a version incremented on every SDP we produce (§8).
 */
export class SdpNegotiator {
  private readonly sessionId = randomInt(1, 2 ** 31 - 1);
  private sessionVersion = randomInt(1, 2 ** 20);
  /** Our ICE credentials and certificate fingerprint; undefined: WebRTC offers are refused like any unknown profile. */
  private readonly local: LocalWebRtc | undefined;
  /** Our last offer was WebRTC: its answer must be too. */
  private offeredWebRtc = false;
  /** The stream is WebRTC now: an offer asked for without options (an offerless re-INVITE) stays WebRTC. */
  private webrtcInUse = false;
  /** The signalling transport of the leg ('tls' lets SDES keys travel in SDP); unknown until told. */
  private signallingTransport: string | undefined;
  /** SDES keys of the stream now: a re-offer keeping the remote key gets the same local key back. */
  private sdesInUse: SdesKeys | undefined;
  /** Our last offer's a=crypto (tag, our key) and whether it was RTP/SAVP (SRTP required). */
  private offeredSdes: { readonly tag: number; readonly key: string; readonly required: boolean } | undefined;

  /** `dtlsFingerprint`: the process's DTLS certificate, which enables WebRTC media (UDP/TLS/RTP/SAVPF). */
  constructor(
    private readonly publicAddress: string,
    private readonly localPort: number,
    dtlsFingerprint?: DtlsFingerprint,
    /** SRTP_SDES: SDES-SRTP on legs whose signalling is TLS (see SdesPolicy). */
    private readonly sdesPolicy: SdesPolicy = 'off',
  ) {
    this.local = dtlsFingerprint === undefined ? undefined : newLocalWebRtc(dtlsFingerprint);
  }

  /**
   * The transport the leg's signalling uses ('udp', 'tcp', 'tls', 'ws', 'wss'). Only over TLS do SDES
   * keys (a=crypto) stay secret; elsewhere they are refused or ignored (RFC 4568 §8.3).
   */
  setSignallingTransport(transport: string): void {
    this.signallingTransport = transport;
  }

  /**
   * Answers an offer (initial or re-INVITE). The first audio m-line with a port and a common codec is
   * used, others are rejected with port 0 (§6: the answer has as many m-lines as the offer).
   * The codec is the first of the offer's order we support; telephone-event keeps the offer's number.
   */
  answer(offerSdp: string): AnswerResult {
    const offer = parseSdp(offerSdp, 'SDP offer');
    const active = offer.media.filter((m) => m.type === 'audio' && m.port !== 0);
    const crypto = cryptoValuesByMedia(offerSdp);
    let chosen: { index: number; codec: Codec; pt: number; sdes: SdesOfferDecision } | undefined;
    let srtpRefusal: string | undefined;
    for (const m of active) {
      const index = offer.media.indexOf(m);
      const savp = isSavpProtocol(m.protocol);
      const usable = isRtpAvp(m) || savp || (this.local !== undefined && isWebRtcLine(m));
      const pick = usable ? pickCodec(m) : undefined;
      if (pick === undefined) continue;
      const sdes: SdesOfferDecision = isWebRtcLine(m)
        ? { kind: 'plain' }
        : decideSdesForOffer(
            { protocol: m.protocol, hasFingerprint: (m.fingerprint ?? offer.fingerprint) !== undefined, crypto: crypto[index] ?? [] },
            savp ? 'savp' : 'avp',
            this.signallingTransport,
            this.sdesPolicy,
          );
      if (sdes.kind === 'refused') {
        srtpRefusal ??= sdes.reason;
        continue;
      }
      chosen = { index, ...pick, sdes };
      break;
    }
    if (active.length > 0 && chosen === undefined) {
      if (srtpRefusal !== undefined) throw new MediaError('SDP_SRTP_REFUSED', `SDP offer: ${srtpRefusal}`);
      const offered = active.map((m) => `${m.protocol} ${String(m.payloads ?? '')}`).join('; ');
      const profiles = this.local === undefined ? 'RTP/AVP or RTP/SAVP' : `RTP/AVP, RTP/SAVP or ${WEBRTC_PROTOCOL}`;
      throw new MediaError('SDP_NO_COMMON_CODEC', `SDP offer: no PCMU/PCMA over ${profiles} in ${offered}`);
    }
    const srtp = chosen?.sdes.kind === 'srtp' ? chosen.sdes.crypto : undefined;
    // RFC 4568 §7.1.4: a re-offer with the same remote key keeps ours (the stream goes on); a new one gets a new key.
    const reuse = srtp !== undefined && this.sdesInUse?.remoteKey === srtp.key && this.sdesInUse.tag === srtp.tag;
    const sdes = srtp === undefined ? undefined : sdesKeys(srtp.tag, reuse && this.sdesInUse !== undefined ? this.sdesInUse.localKey : newSdesKey(), srtp.key);
    const chosenLine = chosen === undefined ? undefined : offer.media[chosen.index];
    // Read before the answer is written: a WebRTC offer without ICE/DTLS attributes is refused whole.
    const webrtc = chosenLine !== undefined && this.local !== undefined && isWebRtcLine(chosenLine)
      ? { local: this.local, remote: readRemoteWebRtc(offer, chosenLine, this.local, 'SDP offer'), mid: chosenLine.mid }
      : undefined;
    const lines: MediaDescription[] = offer.media.map((m, i) => {
      if (chosen === undefined || i !== chosen.index) return this.rejected(m);
      const dtmf = dtmfOf(m);
      const remoteDirection = m.direction ?? offer.direction ?? 'sendrecv';
      const line = this.audioLine(chosen.codec, chosen.pt, dtmf, MIRROR[remoteDirection]);
      if (sdes !== undefined) {
        // The offer's profile (RTP/SAVP, RTP/SAVPF, or RTP/AVP for a best-effort offer) with our own key and its tag.
        line.protocol = m.protocol;
        line.crypto = [{ id: sdes.tag, suite: sdes.suite, config: cryptoConfig(sdes.localKey) }];
      }
      if (webrtc === undefined) return line;
      return toWebRtcLine(line, webrtc.local, this.publicAddress, webrtc.remote.dtlsRole === 'server' ? 'passive' : 'active', webrtc.mid);
    });
    if (chosen === undefined || chosenLine === undefined) {
      const sdp = this.write(lines);
      return { sdp, media: { codec: undefined, payloadType: 0, dtmfPayloadType: undefined, remote: undefined, direction: 'inactive', held: true } };
    }
    // Judged before our SDP is written: a refused offer leaves the o= version as it was (§8).
    const media = this.negotiated(offer, chosenLine, chosen.codec, chosen.pt, 'SDP offer', webrtc?.remote, sdes);
    this.webrtcInUse = webrtc !== undefined;
    this.sdesInUse = sdes;
    const mids = webrtc?.mid === undefined ? [] : [webrtc.mid];
    const sdesIgnored = chosen.sdes.kind === 'plain' ? chosen.sdes.ignored : undefined;
    return { sdp: this.write(lines, webrtc === undefined ? undefined : mids), media, sdesIgnored };
  }

  /**
   * Our offer: PCMU, PCMA and telephone-event 101 (events 0-16), sendrecv, ptime 20. On a TLS leg with
   * SRTP_SDES `offer` it carries a=crypto on RTP/AVP (best effort: a phone without SRTP answers plain),
   * with `require` on RTP/SAVP (RFC 4568 §7.1.1); our key stays the same across re-offers. With `webrtc`
   * (a browser callee) over UDP/TLS/RTP/SAVPF: ICE-lite host candidate, fingerprint, setup:actpass
   * (RFC 5763 §5), rtcp-mux, mid 0 in a BUNDLE group; plain RTP when this negotiator has no DTLS
   * certificate (WebRTC media off).
   */
  offer(options: OfferOptions = {}): string {
    let line = this.audioLine('PCMU', 0, { pt: DTMF_PT, fmtp: '0-16' }, 'sendrecv');
    line.payloads = `0 8 ${DTMF_PT}`;
    line.rtp = [
      { payload: 0, codec: 'PCMU', rate: 8000 },
      { payload: 8, codec: 'PCMA', rate: 8000 },
      { payload: DTMF_PT, codec: 'telephone-event', rate: 8000 },
    ];
    // Without a DTLS certificate (WEBRTC_MEDIA=false) a WebSocket contact is offered plain RTP: a SIP-over-
    // WebSocket phone with plain RTP answers it; a browser refuses it (and says so in its answer).
    this.offeredWebRtc = (options.webrtc ?? this.webrtcInUse) && this.local !== undefined;
    this.offeredSdes = undefined;
    if (!this.offeredWebRtc && this.signallingTransport === 'tls' && this.sdesPolicy !== 'off') {
      const required = this.sdesPolicy === 'require';
      const key = this.sdesInUse?.localKey ?? newSdesKey();
      const tag = this.sdesInUse?.tag ?? 1;
      line.protocol = required ? 'RTP/SAVP' : 'RTP/AVP';
      line.crypto = [{ id: tag, suite: SDES_SUITE, config: cryptoConfig(key) }];
      this.offeredSdes = { tag, key, required };
    }
    if (!this.offeredWebRtc || this.local === undefined) return this.write([line]);
    line = toWebRtcLine(line, this.local, this.publicAddress, 'actpass', '0');
    return this.write([line], ['0']);
  }

  /** Applies the answer to our offer(): the codec and telephone-event number the remote chose. */
  acceptAnswer(answerSdp: string): NegotiatedMedia {
    const answer = parseSdp(answerSdp, 'SDP answer');
    const m = answer.media.find((x) => x.type === 'audio' && x.port !== 0);
    if (m === undefined) throw new MediaError('SDP_NO_COMMON_CODEC', 'SDP answer: the audio stream was rejected (port 0)');
    const pick = pickCodec(m);
    if (pick === undefined) {
      throw new MediaError('SDP_NO_COMMON_CODEC', `SDP answer: no PCMU/PCMA in ${String(m.payloads ?? '')}`);
    }
    if (this.offeredWebRtc !== isWebRtcLine(m)) {
      throw new MediaError('SDP_NO_COMMON_CODEC', `SDP answer: profile ${m.protocol} does not match our offer's`);
    }
    const sdes = this.answeredSdes(answerSdp, answer.media.indexOf(m), m.protocol);
    const webrtc = this.offeredWebRtc && this.local !== undefined ? readRemoteWebRtc(answer, m, this.local, 'SDP answer') : undefined;
    const media = this.negotiated(answer, m, pick.codec, pick.pt, 'SDP answer', webrtc, sdes);
    this.webrtcInUse = webrtc !== undefined;
    this.sdesInUse = sdes;
    return media;
  }

  /** The SDES keys an answer to our offer settles on (RFC 4568 §7.1.2); MediaError SDP_SRTP_REFUSED when it cannot. */
  private answeredSdes(answerSdp: string, index: number, protocol: string): SdesKeys | undefined {
    const offered = this.offeredSdes;
    const values = offered === undefined ? [] : (cryptoValuesByMedia(answerSdp)[index] ?? []);
    const read = offered === undefined ? undefined : readAnsweredCrypto(values, offered.tag);
    if (typeof read === 'string') throw new MediaError('SDP_SRTP_REFUSED', `SDP answer: ${read}`);
    if (offered !== undefined && read !== undefined) return sdesKeys(read.tag, offered.key, read.key);
    if (offered?.required === true) throw new MediaError('SDP_SRTP_REFUSED', 'SDP answer: no a=crypto, and SRTP is required on TLS legs (SRTP_SDES=require)');
    if (isSavpProtocol(protocol)) throw new MediaError('SDP_SRTP_REFUSED', `SDP answer: ${protocol} without SDES keys we offered`);
    return undefined;
  }

  private negotiated(sdp: ParsedSdp, m: ParsedMedia, codec: Codec, pt: number, what: string, webrtc?: WebRtcMedia, sdes?: SdesKeys): NegotiatedMedia {
    const remoteDirection = m.direction ?? sdp.direction ?? 'sendrecv';
    if (webrtc !== undefined) {
      // c= is usually 0.0.0.0 port 9 (RFC 8839 §4.2.1.1): the address is what ICE proves, not a hold.
      return {
        codec,
        payloadType: pt,
        dtmfPayloadType: dtmfOf(m)?.pt,
        remote: undefined,
        direction: MIRROR[remoteDirection],
        held: remoteDirection === 'sendonly' || remoteDirection === 'inactive',
        webrtc,
      };
    }
    const ip = (m.connection ?? sdp.connection)?.ip;
    if (ip === undefined) throw new MediaError('SDP_INVALID', `${what}: no c= line for the audio stream`);
    const refused = refuseRemote(ip, m.port);
    if (refused !== undefined) throw new MediaError('SDP_ADDRESS_REFUSED', `${what}: ${refused}`);
    const nullAddress = isNullAddress(ip);
    return {
      codec,
      payloadType: pt,
      dtmfPayloadType: dtmfOf(m)?.pt,
      remote: { address: ip, port: m.port },
      direction: MIRROR[remoteDirection],
      held: nullAddress || remoteDirection === 'sendonly' || remoteDirection === 'inactive',
      ...(sdes === undefined ? {} : { sdes }),
    };
  }

  private audioLine(codec: Codec, pt: number, dtmf: { pt: number; fmtp: string | undefined } | undefined, direction: Direction): MediaDescription {
    const line: MediaDescription = {
      type: 'audio',
      port: this.localPort,
      protocol: 'RTP/AVP',
      payloads: dtmf ? `${pt} ${dtmf.pt}` : String(pt),
      rtp: [{ payload: pt, codec, rate: 8000 }],
      fmtp: [],
      ptime: 20,
      direction,
    };
    if (dtmf) {
      line.rtp.push({ payload: dtmf.pt, codec: 'telephone-event', rate: 8000 });
      line.fmtp.push({ payload: dtmf.pt, config: dtmf.fmtp ?? '0-16' });
    }
    return line;
  }

  private rejected(m: ParsedMedia): MediaDescription {
    return { type: m.type, port: 0, protocol: m.protocol, payloads: String(m.payloads ?? '0'), rtp: [], fmtp: [] };
  }

  /** `webRtcMids`: the SDP is WebRTC (session-level ice-lite and the BUNDLE group of these mids). */
  private write(media: MediaDescription[], webRtcMids?: readonly string[]): string {
    this.sessionVersion++;
    const ipVer = this.publicAddress.includes(':') ? 6 : 4;
    const description: SessionDescription = {
      version: 0,
      origin: {
        username: '-',
        sessionId: this.sessionId,
        sessionVersion: this.sessionVersion,
        netType: 'IN',
        ipVer,
        address: this.publicAddress,
      },
      name: '-',
      connection: { version: ipVer, ip: this.publicAddress },
      timing: { start: 0, stop: 0 },
      ...(webRtcMids === undefined ? {} : webRtcSessionAttributes(webRtcMids)),
      media,
    };
    return write(description);
  }
}

import { createHash } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import {
  classes, DtlsClient, DtlsServer, keyLength, Message, methods, parseMessage, ProtectionProfileAeadAes128Gcm,
  ProtectionProfileAes128CmHmacSha1_80, RtpHeader, saltLength, SrtcpSession, SrtpSession, type DtlsSocket,
} from 'werift';
import type { Logger } from '../../logging/logger.js';
import { maskAddress } from '../mask-address.js';
import type { RtpEndpoint } from '../rtp-source-latch.js';
import type { DtlsIdentity } from './dtls-identity.js';
import type { WebRtcMedia } from './webrtc-sdp.js';

/** A DTLS handshake not done by then fails the leg's media (browsers give up after about as long). */
const DTLS_TIMEOUT_MS = 20_000;

export type WebRtcTransportState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

export interface WebRtcTransportOptions {
  readonly socket: Socket;
  readonly identity: DtlsIdentity;
  readonly params: WebRtcMedia;
  readonly logger: Logger;
  /** A received RTP packet, decrypted and authenticated (RTCP is consumed here). */
  readonly onRtp: (packet: Buffer, from: RemoteInfo) => void;
  /** A packet from an address no ICE check proved, or one failing SRTP authentication: dropped. */
  readonly onForeign: (from: RemoteInfo) => void;
}

/** The header fields of one outgoing RTP packet. */
export interface RtpHeaderFields {
  readonly payloadType: number;
  readonly marker: boolean;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
}

const key = (e: RtpEndpoint): string => `${e.address}|${e.port}`;

/**
 * The secure transport of a WebRTC leg on the session's own UDP port: ICE-lite, DTLS-SRTP, rtcp-mux.
 *
 * Packets are told apart by their first byte (RFC 7983 §7): 0-3 STUN, 20-63 DTLS, 128-191 RTP/RTCP.
 * - ICE-lite (RFC 8445 §2.5, §7.3): we only answer the browser's connectivity checks, signed with our
 *   ice-pwd (short-term credentials, RFC 8489 §9.1). A signed check proves its source address; the one
 *   carrying USE-CANDIDATE (or the first proven one, until then) is where we send. Consent checks
 *   (RFC 7675) are answered the same way for the whole call.
 * - DTLS (werift's DtlsServer/DtlsClient, RFC 5764): our role from the SDP's a=setup; the peer's
 *   certificate must hash to the SDP fingerprint (RFC 8122 §5), else the media fails.
 * - SRTP/SRTCP (werift) with the keys exported from the handshake; AES-GCM or AES-CM-HMAC-SHA1-80.
 * Nothing but STUN answers goes out before the handshake completed; nothing is accepted from an
 * address no check proved.
 */
export class WebRtcTransport {
  private stateValue: WebRtcTransportState = 'new';
  private selected: RtpEndpoint | undefined;
  private readonly proven = new Set<string>();
  private readonly dtls: DtlsSocket;
  private srtp: SrtpSession | undefined;
  private srtcp: SrtcpSession | undefined;
  private readonly icePwd: Buffer;
  private readonly timer: NodeJS.Timeout;
  private readonly logger: Logger;
  /** The DTLS socket's receiver: werift sets it on the transport object we give it. */
  private readonly dtlsTransport: { type: string; address: object; closed: boolean; onData: (data: Buffer) => void; send: (data: Buffer) => Promise<void>; close: () => Promise<void> };

  constructor(private readonly opts: WebRtcTransportOptions) {
    this.logger = opts.logger;
    this.icePwd = Buffer.from(opts.params.localPwd, 'utf8');
    this.dtlsTransport = {
      type: 'udp',
      address: {},
      closed: false,
      onData: () => undefined,
      send: (data) => {
        this.sendRaw(data);
        return Promise.resolve();
      },
      // The RTP socket is the session's: closing DTLS must not close it.
      close: () => Promise.resolve(),
    };
    const { identity } = opts;
    const dtlsOptions = {
      cert: identity.certPem,
      key: identity.keyPem,
      signatureHash: identity.signatureHash as ConstructorParameters<typeof DtlsServer>[0]['signatureHash'],
      transport: this.dtlsTransport as unknown as ConstructorParameters<typeof DtlsServer>[0]['transport'],
      srtpProfiles: [ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80],
      extendedMasterSecret: true,
    };
    this.dtls = opts.params.dtlsRole === 'server' ? new DtlsServer({ ...dtlsOptions, certificateRequest: true }) : new DtlsClient(dtlsOptions);
    this.dtls.onConnect.once(() => {
      this.connected();
    });
    this.dtls.onError.once((err: Error) => {
      this.fail(`DTLS failed: ${err.message}`);
    });
    this.timer = setTimeout(() => {
      if (this.stateValue === 'new' || this.stateValue === 'connecting') this.fail('no DTLS handshake in time');
    }, DTLS_TIMEOUT_MS);
    this.timer.unref();
  }

  get state(): WebRtcTransportState {
    return this.stateValue;
  }

  /** Where media goes: the address ICE nominated (or first proved); undefined before any check. */
  get remote(): RtpEndpoint | undefined {
    return this.selected;
  }

  /** SRTP keys are set and a remote is known: media may be sent. */
  get ready(): boolean {
    return this.stateValue === 'connected' && this.selected !== undefined;
  }

  /** The remote's ICE ufrag this transport checks against (a re-INVITE with another one restarts ICE). */
  get remoteUfrag(): string {
    return this.opts.params.remoteUfrag;
  }

  /** One datagram received on the session's socket. */
  receive(msg: Buffer, from: RemoteInfo): void {
    if (this.stateValue === 'closed' || msg.length === 0) return;
    const first = msg[0] ?? 0;
    if (first < 4) {
      this.stun(msg, from);
      return;
    }
    if (!this.proven.has(key(from))) {
      this.opts.onForeign(from);
      return;
    }
    if (first >= 20 && first < 64) {
      this.dtlsTransport.onData(msg);
      return;
    }
    if (first >= 128 && first < 192) this.media(msg, from);
  }

  /** Encrypts and sends one RTP packet to the selected remote; false when not ready. */
  sendRtp(header: RtpHeaderFields, payload: Buffer): boolean {
    const srtp = this.srtp;
    const to = this.selected;
    if (srtp === undefined || to === undefined || this.stateValue !== 'connected') return false;
    const packet = srtp.encrypt(payload, new RtpHeader(header));
    this.opts.socket.send(packet, to.port, to.address);
    return true;
  }

  close(): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.dtlsTransport.closed = true;
    clearTimeout(this.timer);
    try {
      this.dtls.close();
    } catch {
      // a handshake never started has nothing to close
    }
  }

  /** RFC 8445 §7.3: answer a signed Binding request for our ufrag; note its source as proven. */
  private stun(msg: Buffer, from: RemoteInfo): void {
    const request = parseMessage(msg, this.icePwd);
    if (request?.messageMethod !== methods.BINDING || request.messageClass !== classes.REQUEST) return;
    const username: unknown = request.getAttributeValue('USERNAME');
    if (typeof username !== 'string' || !username.startsWith(`${this.opts.params.localUfrag}:`)) return;
    const response = new Message(methods.BINDING, classes.RESPONSE, request.transactionId)
      .setAttribute('XOR-MAPPED-ADDRESS', [from.address, from.port])
      .addMessageIntegrity(this.icePwd)
      .addFingerprint();
    this.opts.socket.send(response.bytes, from.port, from.address);
    this.proven.add(key(from));
    const nominated = request.attributesKeys.includes('USE-CANDIDATE');
    if (this.selected === undefined || (nominated && key(this.selected) !== key(from))) {
      this.selected = { address: from.address, port: from.port };
      this.logger.debug('ICE pair selected', { address: maskAddress(from.address), port: from.port, nominated });
      this.startHandshake();
    }
  }

  private startHandshake(): void {
    if (this.stateValue !== 'new') return;
    this.stateValue = 'connecting';
    if (this.dtls instanceof DtlsClient) {
      this.dtls.connect().catch((err: unknown) => {
        this.fail(`DTLS connect failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
  }

  private connected(): void {
    if (this.stateValue === 'closed' || this.stateValue === 'failed') return;
    const certificate = this.dtls.remoteCertificate;
    const expected = this.opts.params.remoteFingerprints;
    const ok = certificate !== undefined && expected.some((f) => f.value === digest(certificate, f.algorithm));
    if (!ok) {
      this.fail('the DTLS certificate does not match the SDP fingerprint');
      return;
    }
    const profile = this.dtls.srtp.srtpProfile;
    if (profile === undefined) {
      this.fail('no SRTP profile negotiated in DTLS (use_srtp)');
      return;
    }
    const keys = this.dtls.extractSessionKeys(keyLength(profile), saltLength(profile));
    const config = {
      keys: { localMasterKey: keys.localKey, localMasterSalt: keys.localSalt, remoteMasterKey: keys.remoteKey, remoteMasterSalt: keys.remoteSalt },
      profile,
    };
    this.srtp = new SrtpSession(config);
    this.srtcp = new SrtcpSession(config);
    this.stateValue = 'connected';
    clearTimeout(this.timer);
    this.logger.info('WebRTC media connected', { role: this.opts.params.dtlsRole, srtpProfile: profile });
  }

  private media(msg: Buffer, from: RemoteInfo): void {
    const srtp = this.srtp;
    const srtcp = this.srtcp;
    if (srtp === undefined || srtcp === undefined || msg.length < 12) return;
    // RFC 5761 §4: with rtcp-mux, payload types 64-95 (marker bit included: second byte 192-223) are RTCP.
    const second = msg[1] ?? 0;
    const isRtcp = second >= 192 && second <= 223;
    try {
      if (isRtcp) srtcp.decrypt(msg);
      else this.opts.onRtp(srtp.decrypt(msg), from);
    } catch {
      // Authentication failed (or a malformed packet): RFC 3711 §3.3 says drop it.
      this.opts.onForeign(from);
    }
  }

  private sendRaw(data: Buffer): void {
    const to = this.selected;
    if (to === undefined || this.stateValue === 'closed') return;
    this.opts.socket.send(data, to.port, to.address);
  }

  private fail(why: string): void {
    if (this.stateValue === 'closed' || this.stateValue === 'failed') return;
    this.stateValue = 'failed';
    clearTimeout(this.timer);
    this.logger.warn('WebRTC media failed', { why });
  }
}

/** The SDP form of a certificate's hash: upper-case hex pairs joined by colons (RFC 8122 §5). */
function digest(der: Buffer, algorithm: string): string | undefined {
  const name = { 'sha-1': 'sha1', 'sha-224': 'sha224', 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' }[algorithm.toLowerCase()];
  if (name === undefined) return undefined;
  return createHash(name).update(der).digest('hex').toUpperCase().match(/../g)?.join(':');
}

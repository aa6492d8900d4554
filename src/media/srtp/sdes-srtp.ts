import { ProtectionProfileAes128CmHmacSha1_80, RtpHeader, SrtcpSession, SrtpSession } from 'werift';
import { ReplayWindow } from './replay-window.js';
import type { SdesKeys } from './sdes-crypto.js';

/** Why a received datagram gave no RTP packet: consumed SRTCP, failed authentication, or a replay. */
export type SrtpDrop = 'rtcp' | 'auth' | 'replay';

/** SSRCs with a replay list; more (only a keyed peer can make them authenticate) start the lists over. */
const MAX_SSRCS = 8;
const MASTER_KEY_BYTES = 16;

/**
 * SRTP and SRTCP (RFC 3711) of one SDES leg with the keys of its a=crypto exchange (RFC 4568):
 * werift's SrtpSession/SrtcpSession (AES-CM-128, HMAC-SHA1-80), the classes the WebRTC legs use after
 * DTLS. We protect with our key and unprotect with the remote's. No crypto of our own here: the
 * rollover counter (RFC 3711 §3.3.1) is werift's estimate; the replay list (§3.3.2), which werift
 * does not keep, is ours. Loaded in a media worker at its first SDES leg (werift is heavy to load).
 */
export class SdesSrtp {
  private readonly srtp: SrtpSession;
  private readonly srtcp: SrtcpSession;
  private readonly windows = new Map<number, ReplayWindow>();
  /** One header object for every packet we send (encryption is synchronous): no header allocated per packet. */
  private readonly header = new RtpHeader();

  constructor(readonly keys: SdesKeys) {
    const local = Buffer.from(keys.localKey, 'base64');
    const remote = Buffer.from(keys.remoteKey, 'base64');
    const config = {
      keys: {
        localMasterKey: local.subarray(0, MASTER_KEY_BYTES),
        localMasterSalt: local.subarray(MASTER_KEY_BYTES),
        remoteMasterKey: remote.subarray(0, MASTER_KEY_BYTES),
        remoteMasterSalt: remote.subarray(MASTER_KEY_BYTES),
      },
      profile: ProtectionProfileAes128CmHmacSha1_80,
    };
    this.srtp = new SrtpSession(config);
    this.srtcp = new SrtcpSession(config);
  }

  /** True when this context runs exactly these keys (a re-INVITE that kept them keeps the context and its counters). */
  sameKeys(keys: SdesKeys): boolean {
    return keys.localKey === this.keys.localKey && keys.remoteKey === this.keys.remoteKey;
  }

  /** One RTP packet (no CSRC, no extension), encrypted and authenticated with our key. */
  protectRtp(payloadType: number, marker: boolean, sequenceNumber: number, timestamp: number, ssrc: number, payload: Buffer): Buffer {
    const h = this.header;
    h.payloadType = payloadType;
    h.marker = marker;
    h.sequenceNumber = sequenceNumber;
    h.timestamp = timestamp;
    h.ssrc = ssrc;
    return this.srtp.encrypt(payload, h);
  }

  /** One compound RTCP packet, as SRTCP (encrypted, index and tag appended). */
  protectRtcp(rtcp: Buffer): Buffer {
    return this.srtcp.encrypt(rtcp);
  }

  /**
   * A received datagram: the RTP packet (header and clear payload) when it authenticates and is no
   * replay; else why it was dropped. Never throws: garbage, a wrong tag and a truncated packet are all
   * 'auth' (RFC 3711 §3.3: drop it). SRTCP on the same port (rtcp-mux, RFC 5761 §4) is checked and
   * consumed ('rtcp'): we need nothing from the remote's reports.
   */
  unprotect(msg: Buffer): Buffer | SrtpDrop {
    if (msg.length < 12 || (msg[0] ?? 0) >> 6 !== 2) return 'auth';
    const second = msg[1] ?? 0;
    if (second >= 192 && second <= 223) {
      try {
        this.srtcp.decrypt(msg);
        return 'rtcp';
      } catch {
        return 'auth';
      }
    }
    const ssrc = msg.readUInt32BE(8);
    const states = this.srtp.remoteContext.srtpSSRCStates;
    const before = states[ssrc];
    const roc = before?.rolloverCounter ?? 0;
    const last = before?.lastSequenceNumber ?? 0;
    let clear: Buffer;
    try {
      clear = this.srtp.decrypt(msg);
    } catch {
      return 'auth';
    }
    const index = (states[ssrc]?.rolloverCounter ?? 0) * 0x10000 + msg.readUInt16BE(2);
    if (this.window(ssrc).accept(index)) return clear;
    // A replay must not move werift's rollover estimate either.
    if (before !== undefined) {
      before.rolloverCounter = roc;
      before.lastSequenceNumber = last;
    }
    return 'replay';
  }

  private window(ssrc: number): ReplayWindow {
    let w = this.windows.get(ssrc);
    if (w === undefined) {
      if (this.windows.size >= MAX_SSRCS) this.windows.clear();
      w = new ReplayWindow();
      this.windows.set(ssrc, w);
    }
    return w;
  }
}

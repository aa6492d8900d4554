/** A transport address RTP comes from or goes to. */
export interface RtpEndpoint {
  readonly address: string;
  readonly port: number;
}

/** What the latch decided for one received packet. */
export type LatchVerdict =
  /** From the latched source and SSRC (or the packet that latched it): use it. */
  | 'accept'
  /** From another source or SSRC while the latched one is live: drop it, count it. */
  | 'foreign';

/**
 * Which source a media session takes RTP from (and sends its own RTP back to: symmetric RTP for NAT,
 * RFC 4961 §3). Without it any packet with the right payload type redirected the stream, so an
 * off-path sender could listen in on a call or press keys in its IVR.
 *
 * Rules (the session has already checked the payload type):
 * - Only packets from an allowed IP (reset()'s `allowed`: the SDP connection IP and the IP the call's
 *   signalling came from, any port) are considered at all; any other IP is foreign. A blind sprayer on
 *   a third host can then never latch, even on a NATed call whose SDP address is private.
 * - With nothing latched, the first packet latches its transport address and SSRC. The SDP address
 *   cannot be required: a NATed caller sends from its public address, not the private one in its SDP.
 * - A packet from exactly the SDP address takes over a latch on another address during the first
 *   `silenceMs` after that latch: where there is no NAT, a sender who raced the caller's first packet
 *   is replaced as soon as the caller's own packets arrive (and it received nothing: no media is sent
 *   before the ACK). Trade-off: behind NAT (SDP address private, never the source) a sender that wins
 *   the race to the first packet after the answer keeps the stream and the caller's packets are
 *   dropped; that takes guessing the RTP port and the moment of the answer, and only SRTP closes it.
 * - Once latched, only that source with that SSRC is accepted. Another source is taken only when it
 *   carries the latched SSRC and the latched source has been silent for `silenceMs` (a NAT rebinding:
 *   same stream, new public port); a new SSRC from the latched source after the same silence (the phone
 *   restarted its stream). A re-INVITE resets the latch (reset()).
 */
export class RtpSourceLatch {
  private sdp: RtpEndpoint | undefined;
  private allowed: ReadonlySet<string> | undefined;
  private source: RtpEndpoint | undefined;
  private ssrc: number | undefined;
  private lastAcceptedAt = 0;
  private latchedAt = 0;

  constructor(private readonly silenceMs: number) {}

  /** The latched source, if any. */
  get latched(): RtpEndpoint | undefined {
    return this.source;
  }

  /**
   * New SDP (initial answer or a re-INVITE that moved the media): forget the latch; packets from `sdp`
   * are preferred. With `allowed`, only packets from those IPs are ever accepted.
   */
  reset(sdp: RtpEndpoint | undefined, allowed?: readonly string[]): void {
    this.sdp = sdp;
    this.allowed = allowed === undefined ? undefined : new Set(allowed.map(plainIp));
    this.source = undefined;
    this.ssrc = undefined;
  }

  /** Judges one packet of a negotiated payload type from `from` with SSRC `ssrc`, received at `now` (ms). */
  judge(from: RtpEndpoint, ssrc: number, now: number): LatchVerdict {
    if (this.allowed !== undefined && !this.allowed.has(plainIp(from.address))) return 'foreign';
    const current = this.source;
    if (current === undefined) return this.latch(from, ssrc, now);
    if (this.isSdp(from) && !this.isSdp(current) && now - this.latchedAt < this.silenceMs) return this.latch(from, ssrc, now);
    const silent = now - this.lastAcceptedAt >= this.silenceMs;
    if (same(current, from)) {
      if (ssrc === this.ssrc) {
        this.lastAcceptedAt = now;
        return 'accept';
      }
      return silent ? this.latch(from, ssrc, now) : 'foreign';
    }
    return silent && ssrc === this.ssrc ? this.latch(from, ssrc, now) : 'foreign';
  }

  private latch(from: RtpEndpoint, ssrc: number, now: number): LatchVerdict {
    this.source = { address: from.address, port: from.port };
    this.ssrc = ssrc;
    this.lastAcceptedAt = now;
    this.latchedAt = now;
    return 'accept';
  }

  private isSdp(e: RtpEndpoint): boolean {
    return this.sdp !== undefined && same(this.sdp, e);
  }
}

function same(a: RtpEndpoint, b: RtpEndpoint): boolean {
  return a.address === b.address && a.port === b.port;
}

/** An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, as a dual-stack socket reports it) as plain IPv4. */
export function plainIp(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

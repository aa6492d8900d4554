import type { RemoteInfo } from 'node:dgram';
import type { Logger } from '../../logging/logger.js';
import { maskAddress } from '../mask-address.js';
import type { SdesKeys } from './sdes-crypto.js';
import type { SdesSrtp } from './sdes-srtp.js';
import { loadedSdesSrtp, loadSdesSrtp } from './sdes-srtp-loader.js';

/** Datagrams kept while the SRTP module loads (the first 20 ms packets of the call). */
const MAX_HELD_DATAGRAMS = 64;
/** A flood of forged packets gives one log line a minute per call, not one per packet. */
const DROP_LOG_INTERVAL_MS = 60_000;

export interface SdesStreamOptions {
  readonly logger: Logger;
  /** An authenticated, decrypted RTP packet (header and clear payload), for the session's latch and codec. */
  readonly deliver: (packet: Buffer, from: RemoteInfo) => void;
  /** Each packet dropped: failed authentication (forged, wrong key, garbage) or a replay. */
  readonly onDropped?: ((reason: 'auth' | 'replay') => void) | undefined;
  /** Monotonic milliseconds (performance.now in the session). */
  readonly now: () => number;
}

/**
 * The SDES-SRTP side of one RTP session (RFC 4568 keys from a TLS leg's SDP): protects what the session
 * sends and authenticates and decrypts what it receives, through SdesSrtp (werift's SRTP). A packet
 * must authenticate before the session's latch judges it, so a forged one can neither latch nor be
 * heard. Nothing goes out in clear: until the SRTP module is loaded, protectRtp() gives nothing.
 */
export class SdesStream {
  private srtp: SdesSrtp | undefined;
  private keys: SdesKeys | undefined;
  private held: { msg: Buffer; rinfo: RemoteInfo }[] | undefined;
  private dropped = 0;
  private loggedAt: number | undefined;
  private sinceLog = 0;
  private closed = false;

  constructor(private readonly opts: SdesStreamOptions) {}

  /** SRTP packets dropped so far (failed authentication or replays). */
  get droppedPackets(): number {
    return this.dropped;
  }

  /**
   * The keys of the latest offer/answer (undefined: plain RTP again). The same keys again (a re-INVITE
   * that kept them, RFC 4568 §7.1.4) keep the context, with its rollover counters and replay lists.
   * The first SDES leg of a thread without the module loads it; packets meanwhile are held (a few).
   */
  use(keys: SdesKeys | undefined): void {
    if (keys === undefined) {
      this.keys = undefined;
      this.srtp = undefined;
      this.held = undefined;
      return;
    }
    if (this.srtp?.sameKeys(keys) === true) return;
    this.keys = keys;
    this.srtp = undefined;
    const Srtp = loadedSdesSrtp();
    if (Srtp !== undefined) {
      this.start(new Srtp(keys));
      return;
    }
    this.held ??= [];
    loadSdesSrtp().then(
      (Loaded) => {
        if (!this.closed && this.keys === keys) this.start(new Loaded(keys));
      },
      (err: unknown) => {
        this.opts.logger.error('SRTP module cannot be loaded', { err: err instanceof Error ? err.message : String(err) });
      },
    );
  }

  /** One RTP packet protected with our key; undefined while the context is not ready (then nothing is sent). */
  protectRtp(payloadType: number, marker: boolean, sequenceNumber: number, timestamp: number, ssrc: number, payload: Buffer): Buffer | undefined {
    return this.srtp?.protectRtp(payloadType, marker, sequenceNumber, timestamp, ssrc, payload);
  }

  /** One datagram from the session's socket. */
  receive(msg: Buffer, rinfo: RemoteInfo): void {
    const srtp = this.srtp;
    if (srtp === undefined) {
      if (this.held !== undefined && this.held.length < MAX_HELD_DATAGRAMS) this.held.push({ msg: Buffer.from(msg), rinfo });
      return;
    }
    const clear = srtp.unprotect(msg);
    if (clear === 'rtcp') return;
    if (clear === 'auth' || clear === 'replay') {
      this.drop(clear, rinfo);
      return;
    }
    this.opts.deliver(clear, rinfo);
  }

  close(): void {
    this.closed = true;
    this.srtp = undefined;
    this.keys = undefined;
    this.held = undefined;
  }

  private start(srtp: SdesSrtp): void {
    this.srtp = srtp;
    this.opts.logger.info('SRTP (SDES) media', { suite: srtp.keys.suite });
    const held = this.held ?? [];
    this.held = undefined;
    for (const { msg, rinfo } of held) this.receive(msg, rinfo);
  }

  /** Counts a dropped packet; logs the first one, then at most one summary line a minute. Never the packet or a key. */
  private drop(reason: 'auth' | 'replay', from: RemoteInfo): void {
    this.dropped++;
    this.sinceLog++;
    this.opts.onDropped?.(reason);
    const now = this.opts.now();
    if (this.loggedAt !== undefined && now - this.loggedAt < DROP_LOG_INTERVAL_MS) return;
    this.opts.logger.warn(reason === 'auth' ? 'SRTP packet failed authentication, dropped' : 'SRTP replay dropped', {
      address: maskAddress(from.address),
      port: from.port,
      dropped: this.sinceLog,
      droppedTotal: this.dropped,
    });
    this.loggedAt = now;
    this.sinceLog = 0;
  }
}

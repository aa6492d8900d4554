import type { SipOutgoingMessage } from 'sip';
import type { Clock, Timer } from '../shared/clock.js';

/**
 * The UAS core's 2xx retransmission (RFC 3261 §13.3.1.4): the INVITE server transaction is gone once
 * a 2xx is sent, so the TU resends it at T1, doubling up to T2, until the ACK arrives; after
 * `giveUpMs` (64*T1 by default) without ACK it calls `onTimeout` (the session then ends with a BYE).
 */
export class InviteOkRetransmitter {
  private timer: Timer | undefined;
  private giveUp: Timer | undefined;
  private stopped = false;

  constructor(
    readonly cseq: number,
    private readonly response: SipOutgoingMessage,
    private readonly deps: {
      readonly clock: Clock;
      readonly t1: number;
      readonly t2: number;
      readonly giveUpMs: number;
      readonly resend: (response: SipOutgoingMessage) => void;
      readonly onTimeout: () => void;
    },
  ) {}

  start(): void {
    this.schedule(this.deps.t1);
    this.giveUp = this.deps.clock.setTimeout(() => {
      this.stop();
      this.deps.onTimeout();
    }, this.deps.giveUpMs);
  }

  /** ACK received or leg closed: no more retransmissions, no timeout. Safe twice. */
  stop(): void {
    this.stopped = true;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    if (this.giveUp) this.deps.clock.clearTimeout(this.giveUp);
    this.timer = undefined;
    this.giveUp = undefined;
  }

  private schedule(interval: number): void {
    this.timer = this.deps.clock.setTimeout(() => {
      if (this.stopped) return;
      this.deps.resend(this.response);
      this.schedule(Math.min(interval * 2, this.deps.t2));
    }, interval);
  }
}

import type { SipOutgoingMessage } from 'sip';
import type { Clock, Timer } from '../shared/clock.js';

/**
 * ```
 *   idle ─start()─► retransmitting ─stop() (ACK, leg closed)─► stopped
 *     └─stop()─► stopped       └─give-up timer─► gave-up
 * ```
 */
export type InviteOkRetransmitterState = 'idle' | 'retransmitting' | 'stopped' | 'gave-up';

/**
 * The UAS core's 2xx retransmission (RFC 3261 §13.3.1.4): the INVITE server transaction is gone once
 * a 2xx is sent, so the TU resends it at T1, doubling up to T2, until the ACK arrives; after
 * `giveUpMs` (64*T1 by default) without ACK it calls `onTimeout` (the session then ends with a BYE).
 * start() and stop() are safe in any state: a second start() or a start() after stop() does nothing.
 */
export class InviteOkRetransmitter {
  private current: InviteOkRetransmitterState = 'idle';
  private timer: Timer | undefined;
  private giveUp: Timer | undefined;

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

  get state(): InviteOkRetransmitterState {
    return this.current;
  }

  start(): void {
    if (this.current !== 'idle') return;
    this.current = 'retransmitting';
    this.schedule(this.deps.t1);
    this.giveUp = this.deps.clock.setTimeout(() => {
      this.giveUp = undefined;
      if (this.end('gave-up')) this.deps.onTimeout();
    }, this.deps.giveUpMs);
  }

  /** ACK received or leg closed: no more retransmissions, no timeout. Safe twice. */
  stop(): void {
    this.end('stopped');
  }

  /** Leaves `idle`/`retransmitting` for good and clears both timers; false when already ended. */
  private end(next: 'stopped' | 'gave-up'): boolean {
    if (this.current === 'stopped' || this.current === 'gave-up') return false;
    this.current = next;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    if (this.giveUp) this.deps.clock.clearTimeout(this.giveUp);
    this.timer = undefined;
    this.giveUp = undefined;
    return true;
  }

  private schedule(interval: number): void {
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.current !== 'retransmitting') return;
      this.deps.resend(this.response);
      this.schedule(Math.min(interval * 2, this.deps.t2));
    }, interval);
  }
}

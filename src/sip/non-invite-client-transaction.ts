import type { SipOutgoingMessage } from 'sip';
import type { Clock, Timer } from '../shared/clock.js';
import { SipError } from './sip-error.js';
import type { SipResponse } from './sip-message.js';
import type { Endpoint, SipTimers } from './sip-types.js';

/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2): sends the request, retransmits it on UDP with
 * Timer E (T1 doubling up to T2; T2 once a provisional arrived) and gives up at Timer F (64*T1).
 * ```
 *   trying ─1xx─► proceeding ─final─► completed
 *     └─────────final / Timer F / send error────┘
 * ```
 * `result` resolves with the final response or rejects with SipError (`SIP_TRANSACTION_TIMEOUT`,
 * `SIP_SEND_FAILED`); it never stays pending past Timer F.
 */
export class NonInviteClientTransaction {
  readonly result: Promise<SipResponse>;
  private state: 'trying' | 'proceeding' | 'completed' = 'trying';
  private retransmitTimer: Timer | undefined;
  private timeoutTimer: Timer | undefined;
  private settle: { resolve: (r: SipResponse) => void; reject: (e: Error) => void } | undefined;

  constructor(
    readonly branch: string,
    private readonly request: SipOutgoingMessage,
    private readonly target: Endpoint,
    private readonly deps: {
      readonly clock: Clock;
      readonly timers: SipTimers;
      readonly send: (message: SipOutgoingMessage, target: Endpoint) => Promise<void>;
      readonly onDone: (tx: NonInviteClientTransaction) => void;
    },
  ) {
    this.result = new Promise<SipResponse>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  start(): void {
    this.transmit();
    if (this.target.transport === 'udp') this.scheduleRetransmit(this.deps.timers.t1);
    this.timeoutTimer = this.deps.clock.setTimeout(() => {
      this.finish(new SipError('SIP_TRANSACTION_TIMEOUT', `no final response to ${this.request.method ?? 'request'} (Timer F)`));
    }, this.deps.timers.txTimeout);
  }

  receive(response: SipResponse): void {
    if (this.state === 'completed') return;
    if (response.status < 200) {
      this.state = 'proceeding';
      return;
    }
    this.finish(response);
  }

  /** Ends the transaction without a response (engine closing). */
  cancel(): void {
    this.finish(new SipError('SIP_TRANSACTION_TIMEOUT', 'transaction closed'));
  }

  private scheduleRetransmit(interval: number): void {
    this.retransmitTimer = this.deps.clock.setTimeout(() => {
      if (this.state === 'completed') return;
      this.transmit();
      const next = this.state === 'proceeding' ? this.deps.timers.t2 : Math.min(interval * 2, this.deps.timers.t2);
      this.scheduleRetransmit(next);
    }, interval);
  }

  private transmit(): void {
    this.deps.send(this.request, this.target).catch((err: unknown) => {
      this.finish(err instanceof Error ? err : new SipError('SIP_SEND_FAILED', String(err)));
    });
  }

  private finish(outcome: SipResponse | Error): void {
    if (this.state === 'completed') return;
    this.state = 'completed';
    if (this.retransmitTimer) this.deps.clock.clearTimeout(this.retransmitTimer);
    if (this.timeoutTimer) this.deps.clock.clearTimeout(this.timeoutTimer);
    this.deps.onDone(this);
    if (outcome instanceof Error) this.settle?.reject(outcome);
    else this.settle?.resolve(outcome);
  }
}

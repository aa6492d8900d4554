import type { SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { Clock, Timer } from '../shared/clock.js';
import { SipError } from './sip-error.js';
import type { SipResponse } from './sip-message.js';
import { isReliable, type Endpoint, type SipTimers } from './sip-types.js';

export type NonInviteClientTransactionState = 'trying' | 'proceeding' | 'completed' | 'terminated';

const MOVES: Readonly<Record<NonInviteClientTransactionState, readonly NonInviteClientTransactionState[]>> = {
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
  terminated: [],
};

/** RFC 3261 §17.1.2.2 timer names. */
type TimerName = 'E' | 'F' | 'K';

/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2): sends the request, retransmits it on UDP with
 * Timer E (T1 doubling up to T2; T2 once a provisional arrived) and gives up at Timer F (64*T1).
 * ```
 *   trying ─1xx─► proceeding ─final─► completed ─Timer K─► terminated
 *     │               └─Timer F / send error──────────────────┤
 *     └─final─► completed;  Timer F / send error ─────────────┘
 * ```
 * `completed` absorbs retransmitted finals for Timer K (T4 on UDP, 0 on TCP). `result` resolves with
 * the final response or rejects with SipError (`SIP_TRANSACTION_TIMEOUT`, `SIP_SEND_FAILED`); it never
 * stays pending past Timer F. A response the state does not expect is logged and dropped, never thrown.
 */
export class NonInviteClientTransaction {
  readonly result: Promise<SipResponse>;
  private current: NonInviteClientTransactionState = 'trying';
  private started = false;
  private readonly running = new Map<TimerName, Timer>();
  private settle: { resolve: (r: SipResponse) => void; reject: (e: Error) => void } | undefined;

  constructor(
    readonly branch: string,
    private readonly request: SipOutgoingMessage,
    private readonly target: Endpoint,
    private readonly deps: {
      readonly clock: Clock;
      readonly timers: SipTimers;
      readonly logger: Logger;
      readonly send: (message: SipOutgoingMessage, target: Endpoint) => Promise<void>;
      readonly onDone: (tx: NonInviteClientTransaction) => void;
    },
  ) {
    this.result = new Promise<SipResponse>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  get state(): NonInviteClientTransactionState {
    return this.current;
  }

  start(): void {
    if (this.started || this.current !== 'trying') {
      this.ignored('start');
      return;
    }
    this.started = true;
    this.transmit();
    if (this.unreliable) this.startTimer('E', this.deps.timers.t1);
    this.startTimer('F', this.deps.timers.txTimeout);
  }

  receive(response: SipResponse): void {
    switch (this.current) {
      case 'trying':
      case 'proceeding':
        if (response.status < 200) {
          // §17.1.2.2: Timer E keeps running; once it fires in proceeding it resets to T2.
          if (this.current === 'trying') this.transition('proceeding');
          return;
        }
        this.complete(response);
        return;
      case 'completed':
      case 'terminated':
        // §17.1.2.2: retransmitted finals are absorbed by `completed`; after it they are stray.
        this.ignored(`${String(response.status)} response`);
        return;
    }
  }

  /** Ends the transaction without a response (engine closing). Safe in any state. */
  cancel(): void {
    if (this.current === 'terminated') return;
    const pending = this.current !== 'completed';
    this.terminate();
    if (pending) this.settle?.reject(new SipError('SIP_TRANSACTION_TIMEOUT', 'transaction closed'));
  }

  private get unreliable(): boolean {
    return !isReliable(this.target.transport);
  }

  private complete(response: SipResponse): void {
    if (!this.transition('completed')) return;
    this.startTimer('K', this.unreliable ? this.deps.timers.t4 : 0);
    this.settle?.resolve(response);
  }

  /** Fails the request (Timer F, transport error): §17.1.2.2 goes straight to terminated, TU told. */
  private fail(err: Error): void {
    if (this.current !== 'trying' && this.current !== 'proceeding') {
      this.ignored(`failure (${err.message})`);
      return;
    }
    this.terminate();
    this.settle?.reject(err);
  }

  /**
   * The one place the state changes: checks the move and stops the timers of the state left, except
   * on trying → proceeding, which keeps Timers E and F running (§17.1.2.2).
   */
  private transition(next: NonInviteClientTransactionState): boolean {
    if (!MOVES[this.current].includes(next)) {
      this.deps.logger.error('sip: illegal client transaction move refused', { branch: this.branch, from: this.current, to: next });
      return false;
    }
    const keepTimers = this.current === 'trying' && next === 'proceeding';
    this.current = next;
    if (!keepTimers) {
      for (const timer of this.running.values()) this.deps.clock.clearTimeout(timer);
      this.running.clear();
    }
    return true;
  }

  private startTimer(name: TimerName, ms: number): void {
    const timer = this.deps.clock.setTimeout(() => {
      this.running.delete(name);
      this.fired(name, ms);
    }, ms);
    this.running.set(name, timer);
  }

  private fired(name: TimerName, interval: number): void {
    switch (name) {
      case 'E': {
        this.transmit();
        const next = this.current === 'proceeding' ? this.deps.timers.t2 : Math.min(interval * 2, this.deps.timers.t2);
        this.startTimer('E', next);
        return;
      }
      case 'F':
        this.fail(new SipError('SIP_TRANSACTION_TIMEOUT', `no final response to ${this.request.method ?? 'request'} (Timer F)`));
        return;
      case 'K':
        this.terminate();
        return;
    }
  }

  private transmit(): void {
    this.deps.send(this.request, this.target).catch((err: unknown) => {
      // The transports reject with SipError already; anything else is wrapped so `result` keeps its promise.
      this.fail(err instanceof SipError ? err : new SipError('SIP_SEND_FAILED', err instanceof Error ? err.message : String(err), { cause: err }));
    });
  }

  private terminate(): void {
    if (this.current === 'terminated') return;
    this.transition('terminated');
    this.deps.onDone(this);
  }

  private ignored(event: string): void {
    this.deps.logger.debug('sip: event ignored by client transaction', { branch: this.branch, method: this.request.method, state: this.current, event });
  }
}

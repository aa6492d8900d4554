import type { SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { Clock, Timer } from '../shared/clock.js';
import type { SipResponse } from './sip-message.js';
import { isReliable, type Endpoint, type SipTimers } from './sip-types.js';

export interface InviteClientTransactionDeps {
  readonly clock: Clock;
  readonly timers: SipTimers;
  readonly logger: Logger;
  readonly send: (message: SipOutgoingMessage, target: Endpoint) => Promise<void>;
  /** Every response the TU must see: provisionals, the first non-2xx final, each 2xx (retransmissions too). */
  readonly onResponse: (response: SipResponse) => void;
  /** Timer B fired (no response at all) or the request could not be sent. */
  readonly onTimeout: (why: string) => void;
  readonly onDone: (tx: InviteClientTransaction) => void;
}

export type InviteClientTransactionState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated';

const MOVES: Readonly<Record<InviteClientTransactionState, readonly InviteClientTransactionState[]>> = {
  calling: ['proceeding', 'accepted', 'completed', 'terminated'],
  proceeding: ['accepted', 'completed', 'terminated'],
  accepted: ['terminated'],
  completed: ['terminated'],
  terminated: [],
};

/** RFC 3261 §17.1.1 / RFC 6026 §7.2 timer names. */
type TimerName = 'A' | 'B' | 'D' | 'M';

/**
 * INVITE client transaction (RFC 3261 §17.1.1, with RFC 6026's `accepted` state: a 2xx moves to
 * `accepted`, not straight to `terminated`, so retransmitted 2xx still reach the TU to be ACKed).
 * ```
 *   calling ─1xx─► proceeding ─2xx─► accepted ─Timer M─► terminated
 *      │               └─300-699: ACK─► completed ─Timer D─► terminated
 *      └─2xx / 300-699 (as above); Timer B or send error ─► terminated
 * ```
 * Timer A retransmits the INVITE on UDP (T1, doubling, no T2 cap for INVITE) until any response;
 * Timer B (64*T1) gives up in `calling`. A non-2xx final is acknowledged here with the INVITE's branch
 * (§17.1.1.3); the ACK for a 2xx belongs to the TU (§13.2.2.4), which is handed every 2xx until Timer M.
 * A response the state does not expect is logged and dropped, never thrown (it comes from a socket).
 */
export class InviteClientTransaction {
  private current: InviteClientTransactionState = 'calling';
  private started = false;
  private readonly running = new Map<TimerName, Timer>();
  private ack: SipOutgoingMessage | undefined;

  constructor(
    readonly branch: string,
    readonly request: SipOutgoingMessage,
    readonly target: Endpoint,
    private readonly deps: InviteClientTransactionDeps,
  ) {}

  get key(): string {
    return `${this.branch}|INVITE`;
  }

  get state(): InviteClientTransactionState {
    return this.current;
  }

  /** True once any response arrived (a CANCEL may then be sent, §9.1). */
  get responded(): boolean {
    return this.current !== 'calling';
  }

  start(): void {
    if (this.started || this.current !== 'calling') {
      this.ignored('start');
      return;
    }
    this.started = true;
    this.transmit(this.request);
    if (this.unreliable) this.startTimer('A', this.deps.timers.t1);
    this.startTimer('B', this.deps.timers.txTimeout);
  }

  receive(response: SipResponse): void {
    const { status } = response;
    switch (this.current) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          // §17.1.1.2: any further provisional goes to the TU too.
          if (this.current === 'calling') this.transition('proceeding');
        } else if (status < 300) {
          // RFC 6026 §7.2: Timer M = 64*T1 keeps the transaction to pass 2xx retransmissions up.
          if (this.transition('accepted')) this.startTimer('M', this.deps.timers.txTimeout);
        } else if (this.transition('completed')) {
          this.ack = this.ackFor(response);
          this.transmit(this.ack);
          // Timer D: absorb retransmitted finals (64*T1 = 32 s by default on UDP, 0 on TCP).
          this.startTimer('D', this.unreliable ? this.deps.timers.txTimeout : 0);
        }
        this.toTu(response);
        return;
      case 'accepted':
        if (status >= 200 && status < 300) this.toTu(response);
        else this.ignored(`${String(status)} response`);
        return;
      case 'completed':
        // §17.1.1.2: a retransmitted non-2xx final is ACKed again and not passed up.
        if (status >= 300 && this.ack) this.transmit(this.ack);
        else this.ignored(`${String(status)} response`);
        return;
      case 'terminated':
        this.ignored(`${String(status)} response`);
        return;
    }
  }

  /** Ends the transaction silently (engine closing). Safe twice. */
  cancel(): void {
    this.terminate();
  }

  /** §17.1.1.3: ACK of a non-2xx: Request-URI, Call-ID, From, top Via and Route of the INVITE, To of the response. */
  private ackFor(response: SipResponse): SipOutgoingMessage {
    const h = this.request.headers;
    const via: unknown = h.via;
    const headers: Record<string, unknown> = {
      via: Array.isArray(via) ? via.slice(0, 1) : via,
      'max-forwards': '70',
      to: response.message.headers.to ?? h.to,
      from: h.from,
      'call-id': h['call-id'],
      cseq: { seq: response.cseq.seq, method: 'ACK' },
    };
    if (h.route !== undefined) headers.route = h.route;
    return { method: 'ACK', ...(this.request.uri === undefined ? {} : { uri: this.request.uri }), version: '2.0', headers };
  }

  private get unreliable(): boolean {
    return !isReliable(this.target.transport);
  }

  /** The one place the state changes: checks the move and stops the timers of the state left. */
  private transition(next: InviteClientTransactionState): boolean {
    if (!MOVES[this.current].includes(next)) {
      this.deps.logger.error('sip: illegal INVITE client transaction move refused', { branch: this.branch, from: this.current, to: next });
      return false;
    }
    this.current = next;
    for (const timer of this.running.values()) this.deps.clock.clearTimeout(timer);
    this.running.clear();
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
      case 'A':
        // §17.1.1.2: retransmit and double (INVITE's Timer A has no T2 cap); Timer B bounds it.
        this.transmit(this.request);
        this.startTimer('A', interval * 2);
        return;
      case 'B':
        this.terminate();
        this.timedOut('no response to INVITE (Timer B)');
        return;
      case 'D':
      case 'M':
        this.terminate();
        return;
    }
  }

  private transmit(message: SipOutgoingMessage): void {
    this.deps.send(message, this.target).catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      // §17.1.4: a transport failure ends the transaction and the TU is told. In `completed` (the ACK
      // failed) the TU already has the final response; in the other states nothing of ours was pending.
      switch (this.current) {
        case 'calling':
          this.terminate();
          this.timedOut(`cannot send INVITE: ${why}`);
          return;
        case 'completed':
          this.deps.logger.warn('sip: cannot send ACK', { branch: this.branch, err: why });
          this.terminate();
          return;
        default:
          this.ignored(`send error (${why})`);
      }
    });
  }

  private terminate(): void {
    if (this.current === 'terminated') return;
    this.transition('terminated');
    this.deps.onDone(this);
  }

  /** TU callbacks run inside socket and timer handlers: a throw there is logged, never propagated. */
  private toTu(response: SipResponse): void {
    try {
      this.deps.onResponse(response);
    } catch (err) {
      this.deps.logger.error('sip: INVITE response handler threw', { branch: this.branch, status: response.status, err: err instanceof Error ? err.stack : String(err) });
    }
  }

  private timedOut(why: string): void {
    try {
      this.deps.onTimeout(why);
    } catch (err) {
      this.deps.logger.error('sip: INVITE timeout handler threw', { branch: this.branch, err: err instanceof Error ? err.stack : String(err) });
    }
  }

  private ignored(event: string): void {
    this.deps.logger.debug('sip: event ignored by INVITE client transaction', { branch: this.branch, state: this.current, event });
  }
}

import type { SipOutgoingMessage } from 'sip';
import type { Clock, Timer } from '../shared/clock.js';
import type { SipResponse } from './sip-message.js';
import type { Endpoint, SipTimers } from './sip-types.js';

export interface InviteClientTransactionDeps {
  readonly clock: Clock;
  readonly timers: SipTimers;
  readonly send: (message: SipOutgoingMessage, target: Endpoint) => Promise<void>;
  /** Every response the TU must see: provisionals, the first non-2xx final, each 2xx (retransmissions too). */
  readonly onResponse: (response: SipResponse) => void;
  /** Timer B fired (no response at all) or the request could not be sent. */
  readonly onTimeout: (why: string) => void;
  readonly onDone: (tx: InviteClientTransaction) => void;
}

/**
 * INVITE client transaction (RFC 3261 §17.1.1, with RFC 6026's `accepted` state).
 * ```
 *   calling ─1xx─► proceeding ─2xx─► accepted ─Timer M─► terminated
 *      │               └─300-699: ACK─► completed ─Timer D─► terminated
 *      └─2xx / 300-699 (as above); Timer B or send error ─► terminated
 * ```
 * Timer A retransmits the INVITE on UDP (T1, doubling) until any response; Timer B (64*T1) gives up
 * in `calling`. A non-2xx final is acknowledged here with the INVITE's branch (§17.1.1.3); the ACK
 * for a 2xx belongs to the TU (§13.2.2.4), which is handed every 2xx until Timer M.
 */
export class InviteClientTransaction {
  private state: 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated' = 'calling';
  private timerA: Timer | undefined;
  private timerB: Timer | undefined;
  private endTimer: Timer | undefined;
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

  /** True once any response arrived (a CANCEL may then be sent, §9.1). */
  get responded(): boolean {
    return this.state !== 'calling';
  }

  start(): void {
    this.transmit(this.request);
    if (this.target.transport === 'udp') this.scheduleA(this.deps.timers.t1);
    this.timerB = this.deps.clock.setTimeout(() => {
      this.timerB = undefined;
      if (this.state !== 'calling') return;
      this.terminate();
      this.deps.onTimeout('no response to INVITE (Timer B)');
    }, this.deps.timers.txTimeout);
  }

  receive(response: SipResponse): void {
    const { status } = response;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        this.clear();
        if (status < 200) {
          this.state = 'proceeding';
        } else if (status < 300) {
          this.state = 'accepted';
          this.endAfter(this.deps.timers.txTimeout);
        } else {
          this.state = 'completed';
          this.ack = this.ackFor(response);
          this.transmit(this.ack);
          // Timer D: absorb retransmitted finals (64*T1 = 32 s by default on UDP, 0 on TCP).
          this.endAfter(this.target.transport === 'udp' ? this.deps.timers.txTimeout : 0);
        }
        this.deps.onResponse(response);
        break;
      case 'accepted':
        if (status >= 200 && status < 300) this.deps.onResponse(response);
        break;
      case 'completed':
        if (status >= 300 && this.ack) this.transmit(this.ack);
        break;
      case 'terminated':
        break;
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

  private scheduleA(interval: number): void {
    this.timerA = this.deps.clock.setTimeout(() => {
      this.timerA = undefined;
      if (this.state !== 'calling') return;
      this.transmit(this.request);
      this.scheduleA(interval * 2);
    }, interval);
  }

  private endAfter(ms: number): void {
    this.endTimer = this.deps.clock.setTimeout(() => {
      this.endTimer = undefined;
      this.terminate();
    }, ms);
  }

  private transmit(message: SipOutgoingMessage): void {
    this.deps.send(message, this.target).catch((err: unknown) => {
      if (this.state !== 'calling') return;
      this.terminate();
      this.deps.onTimeout(`cannot send INVITE: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  private clear(): void {
    if (this.timerA) this.deps.clock.clearTimeout(this.timerA);
    if (this.timerB) this.deps.clock.clearTimeout(this.timerB);
    this.timerA = undefined;
    this.timerB = undefined;
  }

  private terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.clear();
    if (this.endTimer) this.deps.clock.clearTimeout(this.endTimer);
    this.endTimer = undefined;
    this.deps.onDone(this);
  }
}

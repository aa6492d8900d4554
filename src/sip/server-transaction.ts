import type { SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { Clock, Timer } from '../shared/clock.js';
import { buildResponse, type ResponseOptions, type SipRequest } from './sip-message.js';
import { isReliable, type SipTimers } from './sip-types.js';

/**
 * Server transaction states (RFC 3261 §17.2.1 for INVITE, §17.2.2 for the rest, plus RFC 6026's
 * `accepted` for INVITE after a 2xx: retransmitted INVITEs are absorbed, the TU retransmits the 2xx).
 * ```
 *  INVITE:     proceeding ─2xx─► accepted ─Timer L─► terminated
 *                  └─300-699─► completed ─ACK─► confirmed ─Timer I─► terminated
 *                                  └──────────Timer H──────────────────┘
 *  non-INVITE: trying ─1xx─► proceeding ─final─► completed ─Timer J─► terminated
 *                 └──────────final──────────┘
 *  any state ─terminate() (engine closing)─► terminated
 * ```
 */
export type ServerTransactionState = 'trying' | 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

/** The moves the diagram allows; transition() refuses any other (a bug here, never the peer's doing). */
const MOVES: Readonly<Record<ServerTransactionState, readonly ServerTransactionState[]>> = {
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['accepted', 'completed', 'terminated'],
  accepted: ['terminated'],
  completed: ['confirmed', 'terminated'],
  confirmed: ['terminated'],
  terminated: [],
};

/** RFC 3261 §17.2 timer names: G retransmits the non-2xx final, H/I/J/L end the transaction. */
type TimerName = 'G' | 'H' | 'I' | 'J' | 'L';

export interface ServerTransactionDeps {
  readonly clock: Clock;
  readonly timers: SipTimers;
  readonly logger: Logger;
  readonly send: (req: SipRequest, response: SipOutgoingMessage) => Promise<void>;
  readonly onTerminated: (tx: ServerTransaction) => void;
  /**
   * The transport could not send a response (RFC 6026 §8.8: tell the TU and stay in the current state),
   * or Timer H fired without an ACK (§17.2.1: "a transaction failure has occurred").
   */
  readonly onFailure?: (tx: ServerTransaction, why: string) => void;
}

/**
 * One server transaction. Every event is legal to deliver in every state: one the state does not
 * expect (a retransmission after the final, an ACK to a non-INVITE, a response from the TU after the
 * engine closed the transaction) is logged and ignored, never thrown, because events arrive from
 * socket handlers and timers where a throw would take the process down.
 */
export class ServerTransaction {
  private currentState: ServerTransactionState;
  private last: SipOutgoingMessage | undefined;
  private finalStatus: number | undefined;
  private readonly running = new Map<TimerName, Timer>();

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    private readonly deps: ServerTransactionDeps,
  ) {
    this.currentState = request.method === 'INVITE' ? 'proceeding' : 'trying';
  }

  get state(): ServerTransactionState {
    return this.currentState;
  }

  get isInvite(): boolean {
    return this.request.method === 'INVITE';
  }

  /** True once a final response went out: a later respond() is a bug of the caller. */
  get finalSent(): boolean {
    return this.finalStatus !== undefined;
  }

  /** The last response sent; none in `accepted`, where the TU retransmits its 2xx itself (RFC 6026 §7.1). */
  get lastResponse(): SipOutgoingMessage | undefined {
    return this.last;
  }

  /**
   * The TU's response (§17.2.1, §17.2.2). After a final response, or once the transaction ended, the
   * response is logged and not sent; it is still returned so a TU bug cannot throw out of a timer.
   */
  respond(status: number, reason: string, options: ResponseOptions = {}): SipOutgoingMessage {
    const response = buildResponse(this.request, status, reason, options);
    if (this.finalSent || this.currentState === 'terminated') {
      this.deps.logger.error('sip: response from the TU ignored: transaction already answered or ended', {
        callId: this.request.callId,
        method: this.request.method,
        state: this.currentState,
        status,
      });
      return response;
    }
    this.last = response;
    if (status >= 200) this.finalStatus = status;
    this.transmit();
    const reliable = this.reliable;
    if (status < 200) {
      if (this.currentState === 'trying') this.transition('proceeding');
    } else if (!this.isInvite) {
      // §17.2.2: Timer J keeps the final response for retransmitted requests (0 on reliable transports).
      if (this.transition('completed')) this.start('J', reliable ? 0 : this.deps.timers.txTimeout);
    } else if (status < 300) {
      // RFC 6026 §7.1: Timer L = 64*T1 in `accepted`; the TU retransmits the 2xx (§13.3.1.4).
      if (this.transition('accepted')) this.start('L', this.deps.timers.txTimeout);
      // Nothing is sent from `accepted`: the 2xx (and its encoded bytes) need not live for Timer L's 32 s.
      this.last = undefined;
    } else if (this.transition('completed')) {
      // §17.2.1: Timer G retransmits on unreliable transports; Timer H gives up waiting for the ACK.
      if (!reliable) this.start('G', this.deps.timers.t1);
      this.start('H', this.deps.timers.txTimeout);
    }
    return response;
  }

  /** A retransmission of the request arrived (§17.2.1, §17.2.2, RFC 6026 §7.1). */
  retransmitted(): void {
    switch (this.currentState) {
      case 'trying':
        // §17.2.2: no response yet, the retransmission is discarded.
        return;
      case 'proceeding':
      case 'completed':
        // §17.2.1, §17.2.2: resend the last provisional (proceeding) or the final (completed).
        this.transmit();
        return;
      case 'accepted':
        // RFC 6026 §7.1: absorbed; the TU's own 2xx retransmission (§13.3.1.4) makes the 2xx reliable.
        return;
      case 'confirmed':
      case 'terminated':
        // §17.2.1: the ACK arrived, so the peer already has our final response.
        this.ignored('request retransmission');
        return;
    }
  }

  /** ACK for our non-2xx final response (§17.2.1): stop Timers G and H, absorb retransmitted ACKs for Timer I. */
  acknowledged(): void {
    if (this.currentState === 'confirmed') return; // §17.2.1: Confirmed absorbs retransmitted ACKs.
    if (!this.isInvite || this.currentState !== 'completed') {
      // An ACK for a 2xx belongs to the dialog (§13.3.1.4), and a non-INVITE has nothing to acknowledge.
      this.ignored('ACK');
      return;
    }
    if (!this.transition('confirmed')) return;
    this.start('I', this.reliable ? 0 : this.deps.timers.t4);
  }

  /** Ends the transaction now (engine closing, or a timer's end). Safe in any state. */
  terminate(): void {
    if (this.currentState === 'terminated') return;
    this.transition('terminated');
    this.deps.onTerminated(this);
  }

  /** The one place the state changes: checks the move and stops the timers of the state left. */
  private transition(next: ServerTransactionState): boolean {
    if (!MOVES[this.currentState].includes(next)) {
      this.deps.logger.error('sip: illegal server transaction move refused', {
        callId: this.request.callId,
        method: this.request.method,
        from: this.currentState,
        to: next,
      });
      return false;
    }
    this.currentState = next;
    // Every timer belongs to the state it was started in (G/H to completed, I to confirmed…).
    for (const timer of this.running.values()) this.deps.clock.clearTimeout(timer);
    this.running.clear();
    return true;
  }

  private get reliable(): boolean {
    return isReliable(this.request.source.transport);
  }

  private start(name: TimerName, ms: number, interval = ms): void {
    const timer = this.deps.clock.setTimeout(() => {
      this.running.delete(name);
      this.fired(name, interval);
    }, ms);
    this.running.set(name, timer);
  }

  private fired(name: TimerName, interval: number): void {
    switch (name) {
      case 'G': {
        // §17.2.1: retransmit at T1, doubling up to T2, until the ACK (confirmed) or Timer H.
        this.transmit();
        const next = Math.min(interval * 2, this.deps.timers.t2);
        this.start('G', next);
        return;
      }
      case 'H':
        this.deps.logger.info('sip: no ACK for final response', { callId: this.request.callId, status: this.finalStatus });
        this.terminate();
        this.notify('no ACK for the final response (Timer H)');
        return;
      case 'I':
      case 'J':
      case 'L':
        this.terminate();
        return;
    }
  }

  private transmit(): void {
    const response = this.last;
    if (!response) return;
    this.deps.send(this.request, response).catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      // RFC 6026 §8.8: tell the TU and stay in the current state. Terminating here would hand the
      // peer's next retransmission to the TU as a new request (a second call for one INVITE).
      this.deps.logger.warn('sip: cannot send response', { callId: this.request.callId, status: response.status, err: why });
      this.notify(`cannot send ${String(response.status)}: ${why}`);
    });
  }

  private notify(why: string): void {
    try {
      this.deps.onFailure?.(this, why);
    } catch (err) {
      this.deps.logger.error('sip: transaction failure handler threw', { callId: this.request.callId, err: err instanceof Error ? err.stack : String(err) });
    }
  }

  private ignored(event: string): void {
    this.deps.logger.debug('sip: event ignored by server transaction', {
      callId: this.request.callId,
      method: this.request.method,
      state: this.currentState,
      event,
    });
  }
}

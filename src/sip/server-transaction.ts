import type { SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { Clock, Timer } from '../shared/clock.js';
import { InvalidStateError } from '../shared/app-error.js';
import { buildResponse, type ResponseOptions, type SipRequest } from './sip-message.js';
import type { SipTimers } from './sip-types.js';

/**
 * Server transaction states (RFC 3261 §17.2.1 for INVITE, §17.2.2 for the rest, plus RFC 6026's
 * `accepted` for INVITE after a 2xx: retransmitted INVITEs are absorbed, the TU retransmits the 2xx).
 * ```
 *  INVITE:     proceeding ─2xx─► accepted ─Timer L─► terminated
 *                  └─300-699─► completed ─ACK─► confirmed ─Timer I─► terminated
 *                                  └──────────Timer H──────────────────┘
 *  non-INVITE: trying ─1xx─► proceeding ─final─► completed ─Timer J─► terminated
 *                 └──────────final──────────┘
 * ```
 */
export type ServerTransactionState = 'trying' | 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

export interface ServerTransactionDeps {
  readonly clock: Clock;
  readonly timers: SipTimers;
  readonly logger: Logger;
  readonly send: (req: SipRequest, response: SipOutgoingMessage) => Promise<void>;
  readonly onTerminated: (tx: ServerTransaction) => void;
}

export class ServerTransaction {
  private currentState: ServerTransactionState;
  private last: SipOutgoingMessage | undefined;
  private readonly pending = new Set<Timer>();

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
    return this.last?.status !== undefined && this.last.status >= 200;
  }

  /** The last response sent (for the 2xx retransmission of the TU). */
  get lastResponse(): SipOutgoingMessage | undefined {
    return this.last;
  }

  respond(status: number, reason: string, options: ResponseOptions = {}): SipOutgoingMessage {
    if (this.finalSent || this.currentState === 'terminated') {
      throw new InvalidStateError(`${this.request.method} transaction already answered; cannot send ${status}`);
    }
    const response = buildResponse(this.request, status, reason, options);
    this.last = response;
    this.transmit();
    const reliable = this.request.source.transport === 'tcp';
    if (status < 200) {
      if (this.currentState === 'trying') this.currentState = 'proceeding';
    } else if (!this.isInvite) {
      // §17.2.2: Timer J keeps the final response for retransmitted requests (0 on reliable transports).
      this.currentState = 'completed';
      this.after(reliable ? 0 : this.deps.timers.txTimeout, () => {
        this.terminate();
      });
    } else if (status < 300) {
      // RFC 6026 §7.1: Timer L = 64*T1 in `accepted`.
      this.currentState = 'accepted';
      this.after(this.deps.timers.txTimeout, () => {
        this.terminate();
      });
    } else {
      this.currentState = 'completed';
      if (!reliable) this.retransmitFinal(this.deps.timers.t1);
      // §17.2.1: Timer H gives up waiting for the ACK.
      this.after(this.deps.timers.txTimeout, () => {
        this.deps.logger.info('sip: no ACK for final response', { callId: this.request.callId, status });
        this.terminate();
      });
    }
    return response;
  }

  /** A retransmission of the request arrived: resend the last response, if any (§17.2.1, §17.2.2). */
  retransmitted(): void {
    if (this.last !== undefined) this.transmit();
  }

  /** ACK for our non-2xx final response (§17.2.1): stop Timer G, absorb retransmitted ACKs for Timer I. */
  acknowledged(): void {
    if (this.currentState !== 'completed') return;
    this.currentState = 'confirmed';
    this.clearTimers();
    this.after(this.request.source.transport === 'tcp' ? 0 : this.deps.timers.t4, () => {
      this.terminate();
    });
  }

  terminate(): void {
    if (this.currentState === 'terminated') return;
    this.currentState = 'terminated';
    this.clearTimers();
    this.deps.onTerminated(this);
  }

  /** Timer G (§17.2.1): retransmit the non-2xx final at T1, doubling up to T2, until ACK or Timer H. */
  private retransmitFinal(interval: number): void {
    this.after(interval, () => {
      if (this.currentState !== 'completed') return;
      this.transmit();
      this.retransmitFinal(Math.min(interval * 2, this.deps.timers.t2));
    });
  }

  private transmit(): void {
    const response = this.last;
    if (!response) return;
    this.deps.send(this.request, response).catch((err: unknown) => {
      this.deps.logger.warn('sip: cannot send response', {
        callId: this.request.callId,
        status: response.status,
        err: err instanceof Error ? err.message : String(err),
      });
    });
  }

  private after(ms: number, fn: () => void): void {
    const timer = this.deps.clock.setTimeout(() => {
      this.pending.delete(timer);
      fn();
    }, ms);
    this.pending.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.pending) this.deps.clock.clearTimeout(timer);
    this.pending.clear();
  }
}

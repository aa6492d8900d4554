import { createHash } from 'node:crypto';
import type { SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';
import type { InboundGate, InboundRoute } from '../telephony/inbound-gate.js';
import { ServerTransactionLayer } from './server-transaction-layer.js';
import { buildResponse, userOf, type SipRequest } from './sip-message.js';

export interface SourceGateDeps {
  readonly gate: InboundGate;
  /** True when a registered agent's phone sends from this IP (the registrar's bindings). */
  readonly isAgentAddress: (address: string) => boolean;
  readonly send: (req: SipRequest, response: SipOutgoingMessage) => Promise<void>;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** One summary line per this long while requests are being refused (a scan must not flood the log). */
const LOG_EVERY_MS = 10_000;

/**
 * Admission of out-of-dialog requests by source (trunks, issue 13). The InboundGate decides from the
 * packet's source IP (never From, which anyone writes) and the dialled number (Request-URI user,
 * else To user). A refusal is sent statelessly (RFC 3261 §8.2.7): no transaction, so no Timer G
 * resending a 403 to a forged source for 32 s; its To tag is derived from the transaction key, so a
 * retransmission gets the same answer, and its ACK matches nothing and is dropped.
 */
export class SourceGate {
  /** Refusals sent, by status (for /metrics). */
  readonly refused = { forbidden: 0, notFound: 0 };
  private lastLogAt = -Infinity;
  private sinceLog = 0;

  constructor(private readonly deps: SourceGateDeps) {}

  /** The route of an admitted request, or undefined once the refusal was sent. */
  admit(req: SipRequest): InboundRoute | undefined {
    const address = req.source.address;
    const dialled = userOf(req.requestUri) || userOf(req.to.uri);
    const verdict = this.deps.gate.check(address, dialled);
    if (verdict.admit) return verdict.route;
    // An agent's softphone (its REGISTER came from this IP) may call in too, to the inbound flow.
    if (verdict.status === 403 && this.deps.isAgentAddress(address)) return { trunk: undefined, flow: undefined };
    if (verdict.status === 403) this.refused.forbidden++;
    else this.refused.notFound++;
    const toTag = createHash('sha256').update(ServerTransactionLayer.keyOf(req)).digest('hex').slice(0, 12);
    const response = buildResponse(req, verdict.status, verdict.status === 403 ? 'Forbidden' : 'Not Found', { toTag });
    this.deps.send(req, response).catch(() => undefined);
    this.logRefusal(req, verdict.status, verdict.reason);
    return undefined;
  }

  private logRefusal(req: SipRequest, status: number, reason: string): void {
    this.sinceLog++;
    const now = this.deps.clock.now();
    if (now - this.lastLogAt < LOG_EVERY_MS) return;
    this.deps.logger.warn('sip: request refused by source admission', {
      method: req.method, source: req.source.address, transport: req.source.transport, status, reason, refusedSinceLastLine: this.sinceLog,
    });
    this.lastLogAt = now;
    this.sinceLog = 0;
  }
}

import type { SipOutgoingMessage } from 'sip';
import type { Clock } from '../shared/clock.js';
import type { AdmissionController } from './admission-controller.js';
import { ServerTransactionLayer } from './server-transaction-layer.js';
import { ShedMemory } from './shed-memory.js';
import { buildResponse, newTag, type SipRequest } from './sip-message.js';

export interface InviteAdmissionDeps {
  readonly admission: AdmissionController;
  readonly clock: Clock;
  /** How long a refused transaction is remembered: 64*T1, as long as its client retransmits. */
  readonly ttlMs: number;
  readonly send: (req: SipRequest, response: SipOutgoingMessage) => Promise<void>;
}

/** A 503 to a shed INVITE that cannot be sent is not worth a log line per INVITE under overload. */
const ignoreSendFailure = (): void => undefined;

/**
 * The engine's gate for new INVITEs (out of a dialog, not a retransmission of an admitted one). A
 * refused INVITE gets 503 Service Unavailable with Retry-After (RFC 3261 §21.5.4) and nothing else:
 * no server transaction (so no Timer G/H resending it for 32 s), leg, RTP port or record. Its key is
 * remembered instead (ShedMemory), so a retransmission gets the same 503 — same To tag — and is never
 * admitted later as a new call; its ACK matches nothing and is dropped, as an ACK to a 503 needs no
 * answer.
 */
export class InviteAdmission {
  private readonly shed: ShedMemory;

  constructor(private readonly deps: InviteAdmissionDeps) {
    this.shed = new ShedMemory(deps.ttlMs);
  }

  /** True when `req` was refused (503 sent) and must go no further; `liveLegs`: legs up now. */
  refused(req: SipRequest, liveLegs: number): boolean {
    const key = ServerTransactionLayer.keyOf(req);
    const now = this.deps.clock.now();
    const earlier = this.shed.get(key, now);
    if (earlier !== undefined) {
      this.sendServiceUnavailable(req, earlier.toTag, earlier.retryAfterS);
      return true;
    }
    const verdict = this.deps.admission.admit(liveLegs);
    if (verdict === 'admit') return false;
    const toTag = newTag();
    const retryAfterS = this.deps.admission.retryAfterS(verdict);
    this.shed.remember(key, toTag, retryAfterS, now);
    this.sendServiceUnavailable(req, toTag, retryAfterS);
    return true;
  }

  close(): void {
    this.shed.clear();
  }

  private sendServiceUnavailable(req: SipRequest, toTag: string, retryAfterS: number): void {
    const response = buildResponse(req, 503, 'Service Unavailable', { toTag, headers: { 'retry-after': String(retryAfterS) } });
    this.deps.send(req, response).catch(ignoreSendFailure);
  }
}

import type { SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { RtpSession } from '../media/media-types.js';
import type { TypedEmitter } from '../shared/typed-emitter.js';
import type { CallLegEvents, LegState } from '../telephony/call-leg.js';
import type { ServerTransaction } from './server-transaction.js';
import type { SipDialog } from './sip-dialog.js';
import { DTMF_INFO_TYPES, parseInfoDtmf } from './info-dtmf.js';
import { isHoldSdp } from './sdp-hold.js';
import { AppError } from '../shared/app-error.js';
import { srtpWarningHeader } from './media-warning.js';
import { bodyText, capabilityHeaders, methodRefusal, type SipRequest } from './sip-message.js';

type Handler = (req: SipRequest, tx: ServerTransaction) => void;

/** What the handler needs of a leg (inbound or outbound) with a confirmed dialog. */
export interface DialogLeg {
  readonly localTag: string;
  readonly dialog: SipDialog | undefined;
  readonly state: LegState;
  readonly rtpSession: RtpSession | undefined;
  readonly pendingAck: object | undefined;
  readonly logger: Logger;
  readonly events: Pick<TypedEmitter<CallLegEvents>, 'emit'>;
  remoteHangup(): void;
  okHeaders(): Record<string, string>;
  expectAck(response: SipOutgoingMessage, cseq: number, req: SipRequest, offerInOk: boolean, initial: boolean): void;
}

/**
 * Requests inside a leg's dialog (RFC 3261 §12.2.2): BYE, re-INVITE (hold/resume, session
 * refresh), INFO (DTMF), OPTIONS. A method table, so new in-dialog methods are one entry each.
 */
export class InDialogHandler {
  private localSdp: string | undefined;
  private held = false;
  private readonly handlers: ReadonlyMap<string, Handler> = new Map<string, Handler>([
    ['BYE', (req, tx) => { this.bye(req, tx); }],
    ['INVITE', (req, tx) => { this.reinvite(req, tx); }],
    ['INFO', (req, tx) => { this.info(req, tx); }],
    ['OPTIONS', (_req, tx) => { tx.respond(200, 'OK', { toTag: this.leg.localTag, headers: capabilityHeaders() }); }],
  ]);

  constructor(private readonly leg: DialogLeg) {}

  /** Our SDP as last sent: offered again in the 200 to a re-INVITE without SDP (§14.2). */
  rememberLocalSdp(sdp: string): void {
    this.localSdp = sdp;
  }

  handle(req: SipRequest, tx: ServerTransaction | undefined): void {
    if (!tx) return;
    const toTag = this.leg.localTag;
    const dialog = this.leg.dialog;
    if (dialog && !dialog.acceptRemoteSeq(req)) {
      // §12.2.2: lower CSeq than the last request = out of order.
      tx.respond(500, 'Server Internal Error', { toTag, headers: { 'retry-after': '1' } });
      return;
    }
    if (this.leg.state === 'ended' && req.method !== 'BYE') {
      tx.respond(481, 'Call/Transaction Does Not Exist', { toTag });
      return;
    }
    const handler = this.handlers.get(req.method);
    if (handler) {
      handler(req, tx);
      return;
    }
    const refusal = methodRefusal(req.method);
    tx.respond(refusal.status, refusal.reason, { toTag, headers: refusal.headers });
  }

  /** §15.1.2: BYE is answered 200 and ends the session. */
  private bye(_req: SipRequest, tx: ServerTransaction): void {
    if (this.leg.state === 'ended') {
      tx.respond(481, 'Call/Transaction Does Not Exist', { toTag: this.leg.localTag });
      return;
    }
    tx.respond(200, 'OK', { toTag: this.leg.localTag });
    this.leg.logger.info('sip: BYE from far end');
    this.leg.remoteHangup();
  }

  /** §14.2: a re-INVITE offers new media (hold, resume, refresh) or, without SDP, asks for our offer. */
  private reinvite(req: SipRequest, tx: ServerTransaction): void {
    const toTag = this.leg.localTag;
    const session = this.leg.rtpSession;
    if (this.leg.state !== 'answered' || !session || this.leg.pendingAck) {
      // §14.2: an INVITE while ours is unanswered or our 2xx unacknowledged gets 491.
      tx.respond(491, 'Request Pending', { toTag });
      return;
    }
    if (req.body.length > 0 && req.contentType !== 'application/sdp') {
      tx.respond(415, 'Unsupported Media Type', { toTag, headers: { accept: 'application/sdp' } });
      return;
    }
    this.leg.dialog?.refreshTarget(req);
    let sdp: string | undefined;
    const offer = req.body.length > 0 ? bodyText(req) : undefined;
    if (offer === undefined) {
      sdp = this.localSdp ?? session.createOffer();
    } else {
      try {
        sdp = session.answerOffer(offer);
      } catch (err) {
        // §14.2: a refused re-INVITE leaves the session as it was.
        this.leg.logger.warn('sip: re-INVITE offer refused', { err: err instanceof Error ? err.message : String(err) });
        const warning = err instanceof AppError ? srtpWarningHeader(err) : undefined;
        tx.respond(488, 'Not Acceptable Here', { toTag, ...(warning === undefined ? {} : { headers: warning }) });
        return;
      }
      this.localSdp = sdp;
    }
    const ok = tx.respond(200, 'OK', { toTag, headers: this.leg.okHeaders(), body: sdp });
    this.leg.expectAck(ok, req.cseq.seq, req, offer === undefined, false);
    if (offer !== undefined) {
      const held = isHoldSdp(offer);
      if (held !== this.held) {
        this.held = held;
        this.leg.logger.info(held ? 'sip: put on hold' : 'sip: resumed from hold');
        this.leg.events.emit('hold', held);
      }
    }
  }

  /**
   * INFO (RFC 6086) with a DTMF body → 200 and the digit into the media session's digit stream.
   * An INFO without body is answered 200 (some phones use it as a keep-alive); a body of another type
   * gets 415 with Accept listing the DTMF types, as RFC 6086 §4.2.2 allows for unsupported packages.
   */
  private info(req: SipRequest, tx: ServerTransaction): void {
    const toTag = this.leg.localTag;
    if (req.body.length === 0) {
      tx.respond(200, 'OK', { toTag });
      return;
    }
    const digit = parseInfoDtmf(req.contentType ?? '', bodyText(req));
    if (digit === null) {
      tx.respond(415, 'Unsupported Media Type', { toTag, headers: { accept: DTMF_INFO_TYPES.join(', ') } });
      return;
    }
    if (digit === undefined) {
      tx.respond(400, 'Bad DTMF', { toTag });
      return;
    }
    tx.respond(200, 'OK', { toTag });
    if (this.leg.state === 'answered') this.leg.rtpSession?.injectDtmf(digit, 'info');
    else this.leg.logger.debug('sip: INFO digit before answer ignored');
  }
}

import type { SipOutgoingMessage } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';
import { InviteClientTransaction } from './invite-client-transaction.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import type { DialogRequest } from './sip-dialog.js';
import type { SipResponse } from './sip-message.js';
import type { Endpoint, SipTimers } from './sip-types.js';

type ClientTransaction = Pick<NonInviteClientTransaction, 'receive' | 'cancel'>;

/**
 * Client transactions by `branch|CSeq method` (RFC 3261 §17.1.3: a CANCEL shares its INVITE's branch,
 * §9.1, so the method tells them apart). Responses without a match are dropped (§18.1.2).
 */
export class ClientTransactionLayer {
  private readonly transactions = new Map<string, ClientTransaction>();

  constructor(
    private readonly deps: {
      readonly clock: Clock;
      readonly timers: SipTimers;
      readonly logger: Logger;
      readonly send: (message: SipOutgoingMessage, target: Endpoint) => Promise<void>;
    },
  ) {}

  receive(res: SipResponse): void {
    if (res.branch === undefined) return;
    this.transactions.get(`${res.branch}|${res.cseq.method}`)?.receive(res);
  }

  /** A non-INVITE request (BYE, CANCEL, INFO…): resolves with the final response (§17.1.2). */
  request(request: DialogRequest): Promise<SipResponse> {
    const key = `${request.branch}|${request.message.method ?? ''}`;
    const tx = new NonInviteClientTransaction(request.branch, request.message, request.target, {
      ...this.deps,
      onDone: () => {
        if (this.transactions.get(key) === tx) this.transactions.delete(key);
      },
    });
    this.transactions.set(key, tx);
    tx.start();
    return tx.result;
  }

  /** An INVITE (§17.1.1): responses go to `handlers` as the transaction lets them through. */
  invite(
    branch: string,
    message: SipOutgoingMessage,
    target: Endpoint,
    handlers: { onResponse: (r: SipResponse) => void; onTimeout: (why: string) => void },
  ): InviteClientTransaction {
    const tx = new InviteClientTransaction(branch, message, target, {
      ...this.deps,
      ...handlers,
      onDone: (done) => {
        if (this.transactions.get(done.key) === done) this.transactions.delete(done.key);
      },
    });
    this.transactions.set(tx.key, tx);
    tx.start();
    return tx;
  }

  /** Ends every transaction without a response (engine closing). */
  close(): void {
    for (const tx of [...this.transactions.values()]) tx.cancel();
    this.transactions.clear();
  }
}

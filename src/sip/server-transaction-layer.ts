import { paramString, MAGIC_COOKIE, type SipRequest } from './sip-message.js';
import { ServerTransaction, type ServerTransactionDeps } from './server-transaction.js';

/**
 * Matches requests to server transactions (RFC 3261 §17.2.3): by top-Via branch, sent-by and method,
 * with ACK matching the INVITE it acknowledges; requests from pre-3261 peers (no magic cookie) by
 * Call-ID, CSeq number, From tag and sent-by.
 */
export class ServerTransactionLayer {
  private readonly transactions = new Map<string, ServerTransaction>();

  constructor(private readonly deps: Omit<ServerTransactionDeps, 'onTerminated'>) {}

  static keyOf(req: SipRequest, method = req.method): string {
    const via = req.topVia;
    const sentBy = `${via.host}:${String(via.port ?? '')}`;
    const m = method === 'ACK' ? 'INVITE' : method;
    const branch = paramString(via.params, 'branch');
    if (branch?.startsWith(MAGIC_COOKIE)) return `${branch}|${sentBy}|${m}`;
    return `${req.callId}|${req.cseq.seq}|${req.fromTag}|${sentBy}|${m}`;
  }

  /** The transaction this request retransmits or, for ACK, acknowledges. */
  find(req: SipRequest): ServerTransaction | undefined {
    return this.transactions.get(ServerTransactionLayer.keyOf(req));
  }

  /** §9.2: the INVITE transaction a CANCEL targets (same branch, Call-ID and CSeq number). */
  findInviteFor(cancel: SipRequest): ServerTransaction | undefined {
    const tx = this.transactions.get(ServerTransactionLayer.keyOf(cancel, 'INVITE'));
    if (tx?.request.callId !== cancel.callId || tx.request.cseq.seq !== cancel.cseq.seq) return undefined;
    return tx;
  }

  create(req: SipRequest): ServerTransaction {
    const key = ServerTransactionLayer.keyOf(req);
    const tx = new ServerTransaction(key, req, {
      ...this.deps,
      onTerminated: (done) => {
        if (this.transactions.get(done.key) === done) this.transactions.delete(done.key);
      },
    });
    this.transactions.set(key, tx);
    return tx;
  }

  get size(): number {
    return this.transactions.size;
  }

  close(): void {
    for (const tx of [...this.transactions.values()]) tx.terminate();
    this.transactions.clear();
  }
}

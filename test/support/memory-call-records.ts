import { EMPTY_CALL_FIELDS, type CallRecord, type CallRecordPage, type CallRecordPatch, type CallRecordRepository, type NewCallRecord } from '../../src/metrics/call-records.js';
import { AppError, NotFoundError } from '../../src/shared/app-error.js';

/** An in-memory CallRecordRepository with the same contract as the database one. */
export class MemoryCallRecords implements CallRecordRepository {
  readonly rows = new Map<string, CallRecord>();

  create(r: NewCallRecord): Promise<void> {
    if (this.rows.has(r.callId)) return Promise.reject(new AppError('DUPLICATE', `call ${r.callId} exists`));
    this.rows.set(r.callId, { ...r, ...EMPTY_CALL_FIELDS });
    return Promise.resolve();
  }

  update(callId: string, patch: CallRecordPatch): Promise<void> {
    const row = this.rows.get(callId);
    if (!row) return Promise.reject(new NotFoundError(`no call ${callId}`));
    this.rows.set(callId, { ...row, ...patch });
    return Promise.resolve();
  }

  get(callId: string): Promise<CallRecord | undefined> {
    return Promise.resolve(this.rows.get(callId));
  }

  list(page: { limit: number; offset: number }): Promise<CallRecordPage> {
    const all = [...this.rows.values()].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || a.callId.localeCompare(b.callId));
    return Promise.resolve({ items: all.slice(page.offset, page.offset + page.limit), total: all.length });
  }
}

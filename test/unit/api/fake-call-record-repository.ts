import type { CallRecord, CallRecordPage, CallRecordPatch, CallRecordRepository, NewCallRecord } from '../../../src/metrics/call-records.js';
import { AppError, NotFoundError } from '../../../src/shared/app-error.js';

/** An in-memory CallRecordRepository with the same semantics as the database one. */
export class FakeCallRecordRepository implements CallRecordRepository {
  private readonly records = new Map<string, CallRecord>();

  create(record: NewCallRecord): Promise<void> {
    if (this.records.has(record.callId)) return Promise.reject(new AppError('DUPLICATE', `call ${record.callId} is already stored`));
    this.records.set(record.callId, { ...record, answeredAt: null, endedAt: null, endReason: null, hungUpBy: null, digits: '', ivrPath: '' });
    return Promise.resolve();
  }

  update(callId: string, patch: CallRecordPatch): Promise<void> {
    const current = this.records.get(callId);
    if (!current) return Promise.reject(new NotFoundError(`call ${callId} not found`));
    this.records.set(callId, { ...current, ...patch });
    return Promise.resolve();
  }

  get(callId: string): Promise<CallRecord | undefined> {
    return Promise.resolve(this.records.get(callId));
  }

  list(page: { limit: number; offset: number }): Promise<CallRecordPage> {
    const all = [...this.records.values()].sort(
      (a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0),
    );
    return Promise.resolve({ items: all.slice(page.offset, page.offset + page.limit), total: all.length });
  }
}

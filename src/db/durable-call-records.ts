import { randomUUID } from 'node:crypto';
import type { CallRecord, CallRecordPage, CallRecordPatch, CallRecordRepository, NewCallRecord } from '../metrics/call-records.js';
import { CallRecordKeys } from './call-record-keys.js';
import type { RecordOp } from './record-ops.js';
import type { RecordSpool } from './record-spool.js';
import type { SequelizeCallRecordRepository } from './sequelize-call-record-repository.js';

/**
 * The call records the calls write: every write goes through the record spool (durable, retried
 * until the database takes it, applied once); reads go to the database. Each call gets a record key
 * at create, so a Call-ID reused by a second call updates the second call's row.
 */
export class DurableCallRecords implements CallRecordRepository {
  private readonly keys = new CallRecordKeys();

  constructor(
    private readonly store: SequelizeCallRecordRepository,
    private readonly spool: RecordSpool<RecordOp>,
    private readonly nodeId: string,
  ) {}

  create(record: NewCallRecord): Promise<void> {
    const key = randomUUID();
    this.keys.remember(record.callId, key);
    return this.spool.submit({ kind: 'call-create', key, nodeId: this.nodeId, record });
  }

  update(callId: string, patch: CallRecordPatch): Promise<void> {
    return this.spool.submit({ kind: 'call-update', key: this.keys.keyOf(callId) ?? null, callId, patch });
  }

  get(callId: string): Promise<CallRecord | undefined> {
    return this.store.get(callId);
  }

  list(page: { limit: number; offset: number }): Promise<CallRecordPage> {
    return this.store.list(page);
  }
}

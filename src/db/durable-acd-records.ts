import { randomUUID } from 'node:crypto';
import type {
  AcdRecordRepository,
  AgentStateRecord,
  CallbackRequest,
  CallbackStatus,
  NewCallbackRequest,
  Period,
  QueueEvent,
} from '../acd/acd-record-repository.js';
import type { RecordOp } from './record-ops.js';
import type { RecordSpool } from './record-spool.js';
import type { SequelizeAcdRecordRepository } from './sequelize-acd-record-repository.js';

/**
 * The ACD's records with queue events and agent state changes written through the record spool
 * (durable, retried, applied once), so a database outage loses none of the rows the reports count.
 * Callback requests stay direct: the caller needs the stored id back at once.
 */
export class DurableAcdRecords implements AcdRecordRepository {
  constructor(
    private readonly store: SequelizeAcdRecordRepository,
    private readonly spool: RecordSpool<RecordOp>,
  ) {}

  addQueueEvent(event: QueueEvent): Promise<void> {
    return this.spool.submit({ kind: 'queue-event', key: randomUUID(), event });
  }

  addAgentStateEvent(event: AgentStateRecord): Promise<void> {
    return this.spool.submit({ kind: 'agent-event', key: randomUUID(), event });
  }

  listQueueEvents(period: Period, queue?: string): Promise<QueueEvent[]> {
    return this.store.listQueueEvents(period, queue);
  }

  listAgentStateEvents(period: Period, agentId?: string): Promise<AgentStateRecord[]> {
    return this.store.listAgentStateEvents(period, agentId);
  }

  createCallbackRequest(request: NewCallbackRequest): Promise<CallbackRequest> {
    return this.store.createCallbackRequest(request);
  }

  listOpenCallbackRequests(limit?: number): Promise<CallbackRequest[]> {
    return this.store.listOpenCallbackRequests(limit);
  }

  setCallbackStatus(id: number, status: CallbackStatus, handledBy?: string | null): Promise<void> {
    return this.store.setCallbackStatus(id, status, handledBy);
  }
}

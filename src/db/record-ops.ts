import { z } from 'zod';
import { QUEUE_EVENT_TYPES, type AgentStateRecord, type QueueEvent } from '../acd/acd-record-repository.js';
import { AgentState } from '../acd/agent.js';
import type { CallRecordPatch, NewCallRecord } from '../metrics/call-records.js';
import type { Transaction } from 'sequelize';
import type { KeyedEvent, SequelizeAcdRecordRepository } from './sequelize-acd-record-repository.js';
import type { CallCreate, CallUpdate, SequelizeCallRecordRepository } from './sequelize-call-record-repository.js';

/** One write kept in the record spool (db/record-spool.ts), as a line of JSON. */
export type RecordOp =
  | { readonly kind: 'call-create'; readonly key: string; readonly nodeId: string; readonly record: NewCallRecord }
  | { readonly kind: 'call-update'; readonly key: string | null; readonly callId: string; readonly patch: CallRecordPatch }
  | { readonly kind: 'calls-close-crashed'; readonly nodeId: string; readonly before: Date; readonly endedAt: Date }
  | { readonly kind: 'queue-event'; readonly key: string; readonly event: QueueEvent }
  | { readonly kind: 'agent-event'; readonly key: string; readonly event: AgentStateRecord };

const date = z.iso.datetime().transform((s) => new Date(s));
const nullableDate = date.nullable();

const patchSchema = z
  .object({
    answeredAt: nullableDate,
    endedAt: nullableDate,
    endReason: z.string().nullable(),
    hungUpBy: z.enum(['caller', 'callee', 'system']).nullable(),
    digits: z.string(),
    ivrPath: z.string(),
    queue: z.string().nullable(),
    queuedAt: nullableDate,
    agentId: z.number().int().nullable(),
    agentExtension: z.string().nullable(),
    agentAnsweredAt: nullableDate,
    recordingPath: z.string().nullable(),
    ivrFlow: z.string().nullable(),
    ivrOutcome: z.string().nullable(),
    ivrSelfServed: z.boolean(),
    ivrSpoken: z.string().nullable(),
  })
  .partial();

const agentState = z.enum(AgentState);

const opSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('call-create'),
    key: z.string().min(1).max(64),
    nodeId: z.string(),
    record: z.object({ callId: z.string(), direction: z.enum(['inbound', 'outbound']), from: z.string(), to: z.string(), startedAt: date }),
  }),
  z.object({ kind: z.literal('call-update'), key: z.string().min(1).max(64).nullable(), callId: z.string(), patch: patchSchema }),
  z.object({ kind: z.literal('calls-close-crashed'), nodeId: z.string(), before: date, endedAt: date }),
  z.object({
    kind: z.literal('queue-event'),
    key: z.string().min(1).max(64),
    event: z.object({
      callId: z.string(),
      queue: z.string(),
      event: z.enum(QUEUE_EVENT_TYPES),
      agentId: z.string().nullable(),
      extension: z.string().nullable(),
      waitMs: z.number().nullable(),
      talkMs: z.number().nullable(),
      at: date,
    }),
  }),
  z.object({
    kind: z.literal('agent-event'),
    key: z.string().min(1).max(64),
    event: z.object({ agentId: z.string(), extension: z.string(), fromState: agentState, toState: agentState, reason: z.string().nullable(), at: date }),
  }),
]);

/** Reads a spooled line back (dates were written as ISO strings); throws on anything else. */
export function parseRecordOp(value: unknown): RecordOp {
  return opSchema.parse(value);
}

/** Names a spooled write in logs: kind and call or agent id, never a phone number. */
export function describeRecordOp(op: RecordOp): string {
  switch (op.kind) {
    case 'call-create':
      return `call record ${op.record.callId}`;
    case 'call-update':
      return `update of call record ${op.callId}`;
    case 'calls-close-crashed':
      return `closing the open calls of node ${op.nodeId}`;
    case 'queue-event':
      return `queue event ${op.event.event} of call ${op.event.callId}`;
    case 'agent-event':
      return `state change of agent ${op.event.agentId}`;
  }
}

export interface RecordStores {
  readonly calls: SequelizeCallRecordRepository;
  readonly acd: SequelizeAcdRecordRepository;
  /** Runs `fn` as one write transaction on the stores' database (may run it again after a lock conflict). */
  readonly transaction: <T>(fn: (transaction: Transaction) => Promise<T>) => Promise<T>;
  /** Told how many calls a `calls-close-crashed` closed (for the start-up log line). */
  readonly onCrashedClosed?: (count: number, op: { nodeId: string; endedAt: Date }) => void;
}

/** Applies one spooled write; every kind is idempotent, so a replay after a crash is harmless. */
export async function applyRecordOp(op: RecordOp, stores: RecordStores): Promise<void> {
  switch (op.kind) {
    case 'call-create':
      return stores.calls.applyCreate(op.key, op.record, op.nodeId);
    case 'call-update':
      return stores.calls.applyUpdate(op.key ?? undefined, op.callId, op.patch);
    case 'calls-close-crashed':
      stores.onCrashedClosed?.(await stores.calls.closeCrashed(op.nodeId, op.before, op.endedAt), op);
      return;
    case 'queue-event':
      return stores.acd.addQueueEventOnce(op.key, op.event);
    case 'agent-event':
      return stores.acd.addAgentStateEventOnce(op.key, op.event);
  }
}

/** One step of a batch (see planRecordBatch); the steps run in order in one transaction. */
export type RecordStep =
  | { readonly step: 'call-creates'; readonly creates: readonly CallCreate[] }
  | { readonly step: 'call-updates'; readonly updates: readonly CallUpdate[] }
  | { readonly step: 'update-by-call-id'; readonly callId: string; readonly patch: CallRecordPatch }
  | { readonly step: 'close-crashed'; readonly nodeId: string; readonly before: Date; readonly endedAt: Date }
  | { readonly step: 'queue-events'; readonly events: readonly KeyedEvent<QueueEvent>[] }
  | { readonly step: 'agent-events'; readonly events: readonly KeyedEvent<AgentStateRecord>[] };

/**
 * Orders a batch of spooled writes (in spool order) into bulk steps that leave the database as
 * applying them one after another would:
 * - Queue events and agent state changes are inserted only, into tables no other op writes or reads:
 *   each kind becomes one multi-row INSERT, last.
 * - Creates of calls and updates by record key are collected and flushed as one multi-row INSERT of
 *   the creates, THEN the updates (merged per call, one CASE-based UPDATE for all). An update by key touches
 *   only the row its own create made, and that create is earlier in the spool: in this flush, or in an
 *   earlier batch that committed. So no update runs before its row exists; moving a create past
 *   updates of other calls changes nothing, as they touch other rows and never a Call-ID.
 * - The ops that look across rows are barriers, applied alone at their place after a flush: closing
 *   a crashed run's open calls (a create moved past it would escape or join it) and an update by
 *   Call-ID (no key: it hits whichever row holds that Call-ID). So is a create whose key already has
 *   collected updates (never in a spool our code wrote, but then the update must fail first, as it would).
 */
export function planRecordBatch(ops: readonly RecordOp[]): RecordStep[] {
  const steps: RecordStep[] = [];
  let creates: CallCreate[] = [];
  let updates: CallUpdate[] = [];
  const updatedKeys = new Set<string>();
  const queueEvents: KeyedEvent<QueueEvent>[] = [];
  const agentEvents: KeyedEvent<AgentStateRecord>[] = [];
  const flush = (): void => {
    if (creates.length > 0) steps.push({ step: 'call-creates', creates });
    if (updates.length > 0) steps.push({ step: 'call-updates', updates });
    creates = [];
    updates = [];
    updatedKeys.clear();
  };
  for (const op of ops) {
    switch (op.kind) {
      case 'call-create':
        if (updatedKeys.has(op.key)) flush();
        creates.push({ key: op.key, record: op.record, nodeId: op.nodeId });
        break;
      case 'call-update':
        if (op.key === null) {
          flush();
          steps.push({ step: 'update-by-call-id', callId: op.callId, patch: op.patch });
        } else {
          updates.push({ key: op.key, callId: op.callId, patch: op.patch });
          updatedKeys.add(op.key);
        }
        break;
      case 'calls-close-crashed':
        flush();
        steps.push({ step: 'close-crashed', nodeId: op.nodeId, before: op.before, endedAt: op.endedAt });
        break;
      case 'queue-event':
        queueEvents.push({ key: op.key, event: op.event });
        break;
      case 'agent-event':
        agentEvents.push({ key: op.key, event: op.event });
        break;
    }
  }
  flush();
  if (queueEvents.length > 0) steps.push({ step: 'queue-events', events: queueEvents });
  if (agentEvents.length > 0) steps.push({ step: 'agent-events', events: agentEvents });
  return steps;
}

/**
 * Applies a batch of spooled writes in ONE transaction with bulk statements (planRecordBatch): all
 * or nothing. Idempotent like applyRecordOp (every insert skips keys already stored), so a batch
 * replayed after a crash mid-way (committed or not) gives one row per op.
 */
export async function applyRecordOps(ops: readonly RecordOp[], stores: RecordStores): Promise<void> {
  const steps = planRecordBatch(ops);
  const closed: { count: number; nodeId: string; endedAt: Date }[] = [];
  await stores.transaction(async (transaction) => {
    closed.length = 0;
    for (const s of steps) {
      switch (s.step) {
        case 'call-creates':
          await stores.calls.applyCreates(s.creates, transaction);
          break;
        case 'call-updates':
          await stores.calls.applyUpdates(s.updates, transaction);
          break;
        case 'update-by-call-id':
          await stores.calls.applyUpdate(undefined, s.callId, s.patch, transaction);
          break;
        case 'close-crashed':
          closed.push({ count: await stores.calls.closeCrashed(s.nodeId, s.before, s.endedAt, transaction), nodeId: s.nodeId, endedAt: s.endedAt });
          break;
        case 'queue-events':
          await stores.acd.addQueueEventsOnce(s.events, transaction);
          break;
        case 'agent-events':
          await stores.acd.addAgentStateEventsOnce(s.events, transaction);
          break;
      }
    }
  });
  // Told only once the transaction committed.
  for (const c of closed) stores.onCrashedClosed?.(c.count, c);
}

import { z } from 'zod';
import { QUEUE_EVENT_TYPES, type AgentStateRecord, type QueueEvent } from '../acd/acd-record-repository.js';
import { AgentState } from '../acd/agent.js';
import type { CallRecordPatch, NewCallRecord } from '../metrics/call-records.js';
import type { SequelizeAcdRecordRepository } from './sequelize-acd-record-repository.js';
import type { SequelizeCallRecordRepository } from './sequelize-call-record-repository.js';

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

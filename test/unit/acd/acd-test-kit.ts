import sinon from 'sinon';
import type {
  AcdRecordRepository,
  AgentStateRecord,
  CallbackRequest,
  CallbackStatus,
  NewCallbackRequest,
  Period,
  QueueEvent,
} from '../../../src/acd/acd-record-repository.js';
import { Acd } from '../../../src/acd/acd.js';
import type { AcdEvents } from '../../../src/acd/acd-events.js';
import { parseQueues, type QueueDefinitions } from '../../../src/acd/parse-queues.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { Clock, Timer } from '../../../src/shared/clock.js';

/** sinon fake timers (restored by sinon.restore()) behind the domain's Clock. Starts at 2024-05-01T08:00:00Z. */
export function fakeClock(): { clock: Clock; timers: sinon.SinonFakeTimers } {
  const timers = sinon.useFakeTimers({ now: Date.parse('2024-05-01T08:00:00.000Z') });
  const clock: Clock = {
    now: () => timers.now,
    setTimeout: (fn, ms) => timers.setTimeout(fn, ms) as unknown as Timer,
    clearTimeout: (timer) => {
      timers.clearTimeout(timer as unknown as Parameters<typeof timers.clearTimeout>[0]);
    },
  };
  return { clock, timers };
}

/** The ACD's records kept in arrays, for assertions. */
export class MemoryAcdRecords implements AcdRecordRepository {
  readonly queueEvents: QueueEvent[] = [];
  readonly agentEvents: AgentStateRecord[] = [];
  readonly callbacks: CallbackRequest[] = [];

  addQueueEvent(event: QueueEvent): Promise<void> {
    this.queueEvents.push(event);
    return Promise.resolve();
  }

  addAgentStateEvent(event: AgentStateRecord): Promise<void> {
    this.agentEvents.push(event);
    return Promise.resolve();
  }

  listQueueEvents(period: Period, queue?: string): Promise<QueueEvent[]> {
    return Promise.resolve(this.queueEvents.filter((e) => e.at >= period.from && e.at < period.to && (queue === undefined || e.queue === queue)));
  }

  listAgentStateEvents(period: Period, agentId?: string): Promise<AgentStateRecord[]> {
    return Promise.resolve(this.agentEvents.filter((e) => e.at >= period.from && e.at < period.to && (agentId === undefined || e.agentId === agentId)));
  }

  createCallbackRequest(request: NewCallbackRequest): Promise<CallbackRequest> {
    const stored: CallbackRequest = { ...request, id: this.callbacks.length + 1, status: 'open', handledBy: null };
    this.callbacks.push(stored);
    return Promise.resolve(stored);
  }

  listOpenCallbackRequests(limit = 100): Promise<CallbackRequest[]> {
    return Promise.resolve(this.callbacks.filter((c) => c.status === 'open').slice(0, limit));
  }

  setCallbackStatus(id: number, status: CallbackStatus, handledBy?: string | null): Promise<void> {
    const i = this.callbacks.findIndex((c) => c.id === id);
    const found = this.callbacks[i];
    if (found !== undefined) this.callbacks[i] = { ...found, status, handledBy: handledBy ?? found.handledBy };
    return Promise.resolve();
  }

  /** The queue events of one call, as `event` or `event:agent`. */
  eventsOf(callId: string): string[] {
    return this.queueEvents.filter((e) => e.callId === callId).map((e) => (e.agentId === null ? e.event : `${e.event}:${e.agentId}`));
  }
}

/** general (15 s SL, 90 s max wait, callback), complaint (overflow to general at 60 s), vip (two skills). */
export const TEST_QUEUES_YAML = `
queues:
  general:
    displayName: 综合咨询
    skills: [general]
    maxWaitS: 90
    onMaxWait: callback-offer
    announceEveryS: 30
    wrapUpS: 30
  complaint:
    displayName: 投诉举报
    skills: [complaint]
    maxWaitS: 60
    overflow: general
    onMaxWait: overflow
    announceEveryS: 0
  vip:
    displayName: 重点诉求
    skills: [general, complaint]
    maxWaitS: 600
    onMaxWait: keep-waiting
    announceEveryS: 0
    wrapUpS: 0
`;

export interface Kit {
  readonly acd: Acd;
  readonly records: MemoryAcdRecords;
  readonly timers: sinon.SinonFakeTimers;
  readonly clock: Clock;
  /** Every observer event, in order, as [name, payload]. */
  readonly seen: [keyof AcdEvents, unknown][];
  ofType<K extends keyof AcdEvents & string>(name: K): AcdEvents[K][0][];
}

export function makeAcd(queues: QueueDefinitions = parseQueues(TEST_QUEUES_YAML, 'test-queues.yaml')): Kit {
  const { clock, timers } = fakeClock();
  const records = new MemoryAcdRecords();
  const acd = new Acd({ clock, logger: silentLogger(), records, queues });
  const seen: [keyof AcdEvents, unknown][] = [];
  const names: (keyof AcdEvents & string)[] = ['offer', 'offer-withdrawn', 'max-wait', 'announce', 'overflow', 'agent-state'];
  for (const name of names) {
    acd.observer.on(name, (payload: unknown) => {
      seen.push([name, payload]);
    });
  }
  const ofType = <K extends keyof AcdEvents & string>(name: K): AcdEvents[K][0][] =>
    seen.filter(([n]) => n === name).map(([, p]) => p as AcdEvents[K][0]);
  return { acd, records, timers, clock, seen, ofType };
}

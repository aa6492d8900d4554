import type { Logger } from '../logging/logger.js';
import type { AcdRecordRepository, QueueEventType } from './acd-record-repository.js';
import type { Agent, AgentTransition } from './agent.js';
import { RecordWriter } from './record-writer.js';

/** Turns ACD decisions into rows (queue_events, agent_state_events, callback_requests), written in order. */
export class AcdRecorder {
  private readonly writer: RecordWriter;

  constructor(
    private readonly records: AcdRecordRepository,
    logger: Logger,
  ) {
    this.writer = new RecordWriter(logger);
  }

  agentState(agent: Agent, t: AgentTransition): void {
    const row = { agentId: agent.agentId, extension: agent.extension, fromState: t.from, toState: t.to, reason: t.reason, at: new Date(t.at) };
    this.writer.write('agent state', { agentId: agent.agentId }, () => this.records.addAgentStateEvent(row));
  }

  queueEvent(event: QueueEventType, callId: string, queue: string, at: number, extra: { agent?: Agent; waitMs?: number; talkMs?: number } = {}): void {
    const row = {
      callId,
      queue,
      event,
      agentId: extra.agent?.agentId ?? null,
      extension: extra.agent?.extension ?? null,
      waitMs: extra.waitMs ?? null,
      talkMs: extra.talkMs ?? null,
      at: new Date(at),
    };
    this.writer.write(`queue event ${event}`, { callId }, () => this.records.addQueueEvent(row));
  }

  callbackRequest(callId: string, queue: string, callerNumber: string, at: number): void {
    const request = { callId, queue, callerNumber, requestedAt: new Date(at) };
    this.writer.write('callback request', { callId }, () => this.records.createCallbackRequest(request));
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }
}

import { unlink } from 'node:fs/promises';
import { withinServiceHours, type QueueDefinitions, type WorkingDays } from '../acd/index.js';
import type { NewCallbackRequest } from '../acd/acd-record-repository.js';
import type { AfterHoursDesk, CallerRequest, LeftMessage, QueueOpening } from '../ivr/index.js';
import type { Logger } from '../logging/logger.js';
import type { NewVoiceMessage } from '../messages/voice-message.js';
import type { Clock } from '../shared/clock.js';

export interface AfterHoursDeskDeps {
  readonly queues: QueueDefinitions;
  /** Agents staffing a queue now (Acd.staffedFor). */
  readonly staffedFor: (queue: string) => number;
  /** The working-day calendar (CALENDAR_FILE): holidays and 调休 decide which periods apply. */
  readonly calendar: WorkingDays;
  readonly timeZone: string;
  /** QUEUE_CLOSED_WHEN_UNSTAFFED: a queue nobody is logged in for counts as closed. */
  readonly closedWhenUnstaffed: boolean;
  readonly callbacks: { createCallbackRequest(request: NewCallbackRequest): Promise<unknown> };
  readonly messages: { receive(message: NewVoiceMessage): Promise<unknown> };
  /** Told after a callback request is stored (the agents' desktops refresh their list). */
  readonly onCallbackRequested?: (callId: string) => void;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Night mode's decisions and stores (the IVR's AfterHoursDesk port): a queue is `closed` outside its
 * service hours on the working-day calendar, `unstaffed` when no agent who could take its calls is
 * logged in (here or along its overflow chain: an overflowing caller would reach those agents), else
 * `open`. Callback requests go to callback_requests, messages to the draft-order list.
 */
export class QueueAfterHoursDesk implements AfterHoursDesk {
  constructor(private readonly deps: AfterHoursDeskDeps) {}

  opening(queue: string): QueueOpening {
    return queueOpening(queue, new Date(this.deps.clock.now()), this.deps);
  }

  async requestCallback(request: CallerRequest): Promise<void> {
    await this.deps.callbacks.createCallbackRequest({ callId: request.callId, queue: request.queue, callerNumber: request.callerNumber, requestedAt: new Date(this.deps.clock.now()) });
    this.deps.onCallbackRequested?.(request.callId);
  }

  async leaveMessage(message: LeftMessage): Promise<void> {
    await this.deps.messages.receive({ ...message, receivedAt: this.deps.clock.now() });
  }

  async discardRecording(path: string): Promise<void> {
    await unlink(path).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    });
  }
}

/**
 * The decision, pure: `closed` outside the queue's hours (a queue without hours is always inside),
 * `unstaffed` when asked for and nobody staffs the queue or any queue it overflows to, else `open`.
 */
export function queueOpening(
  queue: string,
  at: Date,
  deps: Pick<AfterHoursDeskDeps, 'queues' | 'staffedFor' | 'calendar' | 'timeZone' | 'closedWhenUnstaffed'>,
): QueueOpening {
  const definition = deps.queues.get(queue);
  if (definition === undefined) return 'open';
  if (!withinServiceHours(definition.hours, at, deps.calendar, deps.timeZone)) return 'closed';
  if (!deps.closedWhenUnstaffed) return 'open';
  const seen = new Set<string>();
  for (let q: string | null = queue; q !== null && !seen.has(q); q = overflowOf(deps.queues, q)) {
    seen.add(q);
    if (deps.staffedFor(q) > 0) return 'open';
  }
  return 'unstaffed';
}

function overflowOf(queues: QueueDefinitions, name: string): string | null {
  const q = queues.get(name);
  return q?.onMaxWait === 'overflow' ? q.overflow : null;
}

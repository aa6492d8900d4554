/** How many recent calls per queue feed the expected-wait estimate. */
const SAMPLES = 20;

/**
 * Recent handle times (talk + wrap-up) per queue, for the expected wait announced to callers.
 * An estimate for the caller's ear, not a metric: reports compute AHT from queue_events (queue-metrics.ts).
 */
export class HandleTimes {
  private readonly samples = new Map<string, number[]>();

  constructor(private readonly defaultHandleMs: number) {}

  add(queue: string, handleMs: number): void {
    const list = this.samples.get(queue) ?? [];
    list.push(handleMs);
    if (list.length > SAMPLES) list.shift();
    this.samples.set(queue, list);
  }

  /** Mean of the last 20 handle times in `queue`; the default (180 s unless configured) before any call. */
  averageMs(queue: string): number {
    const list = this.samples.get(queue);
    if (list === undefined || list.length === 0) return this.defaultHandleMs;
    return list.reduce((a, b) => a + b, 0) / list.length;
  }
}

/**
 * Expected wait of the caller at `position` (1 = next) in a queue:
 *
 *   EWT = 0                                     when position ≤ ready agents
 *   EWT = ⌈ (position − ready) × AHT ÷ staffed ⌉  otherwise
 *
 * where `ready` counts ready agents with the queue's skills, `staffed` the agents with those skills
 * who are ready, ringing, busy or in wrap-up (at least 1, so an unstaffed queue still gets a number),
 * and AHT is the mean of the last 20 handle times (talk + wrap-up) in that queue.
 */
export function expectedWaitSeconds(position: number, ready: number, staffed: number, averageHandleMs: number): number {
  if (position <= ready) return 0;
  return Math.ceil(((position - ready) * averageHandleMs) / Math.max(1, staffed) / 1000);
}

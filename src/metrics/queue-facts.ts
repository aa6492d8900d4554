import type { DayKeyOf } from './local-day-key.js';

/**
 * What queue_events rows add to the per-day call aggregates (table report_queue_days, migration 0027),
 * with the definitions of queue-metrics.ts (QueueCounts) as db/report-queries.ts queueCountsSql counts
 * them. The ONE place the attribution is written:
 *
 * - A call belongs to the local day of its first entry into a queue: `at − wait_ms` of its `entered`,
 *   `overflow`, `answered` and `abandoned` rows (wait_ms counts from the first entry), whatever day the
 *   row itself is written on (a call entered at 23:59:55 and answered after midnight is the earlier day's).
 * - offered: +1 per `entered` row, −1 per `overflow` row (an overflow is followed by one more `entered`).
 * - answered, wait_sum_ms: per `answered` row, in the row keyed by the queue it was answered in and its
 *   wait rounded UP to whole seconds (wait_s): answeredWithinSl for a threshold of S whole seconds is
 *   the sum over wait_s ≤ S (wait_ms ≤ 1000·S ⇔ ⌈wait_ms/1000⌉ ≤ S), per queue for queues with their own.
 * - abandoned: per `abandoned` row, keyed by its wait rounded DOWN (shortAbandons for A whole seconds =
 *   the sum over wait_s < A, as wait_ms < 1000·A ⇔ ⌊wait_ms/1000⌋ < A).
 * - handled, handle_sum_ms: per pair of an `answered` row and a `wrap-up-ended` row of the same call
 *   (wrap-up end − answer), on the answered row's day. A pair is counted when its second row is written
 *   (the rows already stored for the call are looked up), so the order they arrive in does not matter.
 * Queue events are never changed or deleted, so nothing is taken off later.
 * Thresholds that are not whole seconds cannot be read from the buckets: such reports count from the
 * events (db/aggregate-report-queries.ts).
 *
 * To add a counter: add it to QUEUE_COUNTERS, a column to report_queue_days, and the line that adds it.
 */
export const QUEUE_COUNTERS = ['offered', 'answered', 'abandoned', 'wait_sum_ms', 'handled', 'handle_sum_ms'] as const;
export type QueueCounter = (typeof QUEUE_COUNTERS)[number];

export interface QueueRowFact {
  readonly callId: string;
  readonly queue: string;
  readonly event: string;
  readonly waitMs: number | null;
  readonly at: Date;
}

export interface QueueFactKey {
  readonly day: string;
  readonly queue: string;
  readonly waitS: number;
}

export type QueueFactRows = Map<string, { key: QueueFactKey; counters: Record<string, number> }>;

/** The rows a pair needs looked up: `answered` and `wrap-up-ended`. */
export const PAIRED_EVENTS = ['answered', 'wrap-up-ended'] as const;

function bump(rows: QueueFactRows, key: QueueFactKey, counters: Partial<Record<QueueCounter, number>>): void {
  const k = `${key.day}|${key.queue}|${String(key.waitS)}`;
  let row = rows.get(k);
  if (row === undefined) {
    row = { key, counters: {} };
    rows.set(k, row);
  }
  for (const [name, value] of Object.entries(counters)) row.counters[name] = (row.counters[name] ?? 0) + value;
}

/**
 * The counters `added` (new rows, in the order written) bring, given `stored`: the `answered` and
 * `wrap-up-ended` rows of the same calls written before them. Adds into `into` when given.
 */
export function queueFacts(added: readonly QueueRowFact[], stored: readonly QueueRowFact[], dayOf: DayKeyOf, into: QueueFactRows = new Map()): QueueFactRows {
  const known = new Map<string, { answered: QueueRowFact[]; wrapUps: QueueRowFact[] }>();
  const partners = (callId: string): { answered: QueueRowFact[]; wrapUps: QueueRowFact[] } => {
    let p = known.get(callId);
    if (p === undefined) {
      p = { answered: [], wrapUps: [] };
      known.set(callId, p);
    }
    return p;
  };
  for (const r of stored) {
    if (r.event === 'answered') partners(r.callId).answered.push(r);
    else if (r.event === 'wrap-up-ended') partners(r.callId).wrapUps.push(r);
  }
  const entryDay = (r: QueueRowFact): string => dayOf(r.at.getTime() - (r.waitMs ?? 0));
  const pair = (a: QueueRowFact, w: QueueRowFact): void => {
    bump(into, { day: entryDay(a), queue: a.queue, waitS: 0 }, { handled: 1, handle_sum_ms: w.at.getTime() - a.at.getTime() });
  };
  for (const r of added) {
    const wait = r.waitMs ?? 0;
    switch (r.event) {
      case 'entered':
        bump(into, { day: entryDay(r), queue: r.queue, waitS: 0 }, { offered: 1 });
        break;
      case 'overflow':
        bump(into, { day: entryDay(r), queue: r.queue, waitS: 0 }, { offered: -1 });
        break;
      case 'answered': {
        bump(into, { day: entryDay(r), queue: r.queue, waitS: Math.ceil(wait / 1000) }, { answered: 1, wait_sum_ms: wait });
        const p = partners(r.callId);
        for (const w of p.wrapUps) pair(r, w);
        p.answered.push(r);
        break;
      }
      case 'abandoned':
        bump(into, { day: entryDay(r), queue: r.queue, waitS: Math.floor(wait / 1000) }, { abandoned: 1 });
        break;
      case 'wrap-up-ended': {
        const p = partners(r.callId);
        for (const a of p.answered) pair(a, r);
        p.wrapUps.push(r);
        break;
      }
    }
  }
  return into;
}

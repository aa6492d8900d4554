import type { QueueEvent } from '../acd/acd-record-repository.js';
import type { CallFiguresJson, CallRatesJson } from '../shared/wire/reports.js';
import { mean, ratio } from './ratio.js';

/**
 * The call metrics of shared/DOMAIN.md, written once. Two ways to get the counts, one set of formulas:
 * `queueCountsOf(events)` folds queue_events rows in memory (small sets: the wallboard, tests);
 * db/report-queries.ts aggregates the same counts in SQL (reports over millions of rows).
 * Both feed `queueRates`, the only place the ratios are computed.
 */
export interface QueueMetricsOptions {
  /** GB/T 33358-2016: 15 s. The queue definition's `serviceLevelS`. */
  readonly serviceLevelS?: number;
  /** A queue's own threshold, by queue name (the queue the call was answered in); others use serviceLevelS. */
  readonly serviceLevelSByQueue?: Readonly<Record<string, number>>;
  /** Abandons sooner than this leave the service-level denominator (a centre's setting; 0 = none). */
  readonly excludeAbandonsUnderS?: number;
}

/** What is counted per call (each call once, however many queues it passed through). */
export interface QueueCounts {
  /** Calls that asked for an agent: distinct calls with an `entered` row. */
  readonly offered: number;
  /** Distinct calls with an `answered` row. */
  readonly answered: number;
  /** Answered calls whose wait (first `answered` row's wait_ms, from first entering a queue) ≤ the threshold. */
  readonly answeredWithinSl: number;
  /** Distinct calls with an `abandoned` row (hung up waiting or while an agent rang). */
  readonly abandoned: number;
  /** Abandoned calls whose wait was < excludeAbandonsUnderS (0 when the setting is 0). */
  readonly shortAbandons: number;
  /** Σ wait (ms) of answered calls. */
  readonly waitSumMs: number;
  /** Answered calls whose wrap-up has ended (the AHT denominator). */
  readonly handled: number;
  /** Σ (last wrap-up-ended.at − first answered.at) (ms) of the handled calls. */
  readonly handleSumMs: number;
}

/**
 * The rates (0..1, null when their denominator is 0) and the figures with them are wire shapes
 * (src/shared/wire/reports.ts): 接通率 = answered ÷ offered; 15秒接通率 = answeredWithinSl ÷ (offered −
 * shortAbandons), offered-not-answered calls staying in the denominator; 放弃率 = abandoned ÷ offered;
 * ASA (s) = waitSumMs ÷ answered ÷ 1000; AHT (s) = handleSumMs ÷ handled ÷ 1000 = talk + wrap-up (hold
 * is inside the talk time the ACD sees; there is no hold yet), calls whose wrap-up has not ended left out.
 */
export type QueueRates = CallRatesJson;
export type QueueMetrics = CallFiguresJson;

/** The formulas (see QueueRates). */
export function queueRates(c: QueueCounts): QueueRates {
  return {
    answerRate: ratio(c.answered, c.offered),
    serviceLevel: ratio(c.answeredWithinSl, c.offered - c.shortAbandons),
    abandonRate: ratio(c.abandoned, c.offered),
    asaS: nullableDiv(mean(c.waitSumMs, c.answered), 1000),
    ahtS: nullableDiv(mean(c.handleSumMs, c.handled), 1000),
  };
}

function nullableDiv(value: number | null, by: number): number | null {
  return value === null ? null : value / by;
}

/** The service-level threshold (ms) of a call answered in `queue`. */
export function serviceLevelMsFor(queue: string | null, options: QueueMetricsOptions): number {
  const own = queue === null ? undefined : options.serviceLevelSByQueue?.[queue];
  return (own ?? options.serviceLevelS ?? 15) * 1000;
}

interface CallFacts {
  entered: boolean;
  answeredAt: number | null;
  answerWaitMs: number | null;
  answerQueue: string | null;
  abandonWaitMs: number | null;
  wrapUpEndedAt: number | null;
}

/** Folds queue_events rows into QueueCounts: the same definitions as the SQL of db/report-queries.ts. */
export function queueCountsOf(events: readonly QueueEvent[], options: QueueMetricsOptions = {}): QueueCounts {
  const minAbandonMs = (options.excludeAbandonsUnderS ?? 0) * 1000;
  const calls = new Map<string, CallFacts>();
  for (const e of events) {
    let facts = calls.get(e.callId);
    if (facts === undefined) {
      facts = { entered: false, answeredAt: null, answerWaitMs: null, answerQueue: null, abandonWaitMs: null, wrapUpEndedAt: null };
      calls.set(e.callId, facts);
    }
    const at = e.at.getTime();
    if (e.event === 'entered') facts.entered = true;
    else if (e.event === 'answered' && facts.answeredAt === null) {
      facts.answeredAt = at;
      facts.answerWaitMs = e.waitMs ?? 0;
      facts.answerQueue = e.queue;
    } else if (e.event === 'abandoned') facts.abandonWaitMs = e.waitMs ?? 0;
    else if (e.event === 'wrap-up-ended') facts.wrapUpEndedAt = at;
  }
  const counts = { offered: 0, answered: 0, answeredWithinSl: 0, abandoned: 0, shortAbandons: 0, waitSumMs: 0, handled: 0, handleSumMs: 0 };
  for (const f of calls.values()) {
    if (f.entered) counts.offered++;
    if (f.answeredAt !== null && f.answerWaitMs !== null) {
      counts.answered++;
      counts.waitSumMs += f.answerWaitMs;
      if (f.answerWaitMs <= serviceLevelMsFor(f.answerQueue, options)) counts.answeredWithinSl++;
      if (f.wrapUpEndedAt !== null) {
        counts.handled++;
        counts.handleSumMs += f.wrapUpEndedAt - f.answeredAt;
      }
    }
    if (f.abandonWaitMs !== null) {
      counts.abandoned++;
      if (f.abandonWaitMs < minAbandonMs) counts.shortAbandons++;
    }
  }
  return counts;
}

/** Counts and rates together: the report's `calls` object. */
export function queueMetricsOf(counts: QueueCounts): QueueMetrics {
  return { offered: counts.offered, answered: counts.answered, answeredWithinSl: counts.answeredWithinSl, abandoned: counts.abandoned, ...queueRates(counts) };
}

/**
 * Queue metrics of a set of queue_events rows (pure; never from counters kept in memory). Pass the rows
 * of one period, and of one queue for a per-queue report: a call that overflowed then counts as offered
 * in both queues (unanswered in the first), once in a centre-wide report.
 */
export function queueMetrics(events: readonly QueueEvent[], options: QueueMetricsOptions = {}): QueueMetrics {
  return queueMetricsOf(queueCountsOf(events, options));
}

import type { QueueEvent } from './acd-record-repository.js';

export interface QueueMetricsOptions {
  /** GB/T 33358-2016: 15 s. */
  readonly serviceLevelS?: number;
  /** Abandons sooner than this leave the service-level denominator (a centre's setting; 0 = none). */
  readonly excludeAbandonsUnderS?: number;
}

/** Queue metrics of a set of queue_events rows. Ratios are 0..1, null when their denominator is 0. */
export interface QueueMetrics {
  /** Calls that asked for an agent: distinct calls with an `entered` row. */
  readonly offered: number;
  /** Distinct calls with an `answered` row. */
  readonly answered: number;
  /** Answered calls whose wait (from first entering a queue to the answer) was ≤ serviceLevelS. */
  readonly answeredWithinSl: number;
  /** Distinct calls with an `abandoned` row (hung up waiting or while an agent rang). */
  readonly abandoned: number;
  /** 接通率 = answered ÷ offered. */
  readonly answerRate: number | null;
  /** 15秒接通率 = answeredWithinSl ÷ (offered − abandons shorter than excludeAbandonsUnderS). */
  readonly serviceLevel: number | null;
  /** 放弃率 = abandoned ÷ offered. */
  readonly abandonRate: number | null;
  /** ASA (s) = Σ wait of answered calls ÷ answered. */
  readonly asaS: number | null;
  /**
   * AHT (s) = Σ (wrap-up-ended.at − answered.at) ÷ calls having both rows: talk + hold + wrap-up
   * (hold is inside the talk time the ACD sees). Calls whose wrap-up has not ended are left out.
   */
  readonly ahtS: number | null;
}

interface CallFacts {
  entered: boolean;
  answeredAt: number | null;
  answerWaitMs: number | null;
  abandonWaitMs: number | null;
  wrapUpEndedAt: number | null;
}

/**
 * Computes the queue metrics of shared/DOMAIN.md from stored rows (never from counters kept in memory).
 * Pure. Pass the rows of one period, and of one queue for a per-queue report: a call that overflowed
 * then counts as offered in both queues (unanswered in the first), once in a centre-wide report.
 */
export function queueMetrics(events: readonly QueueEvent[], options: QueueMetricsOptions = {}): QueueMetrics {
  const slMs = (options.serviceLevelS ?? 15) * 1000;
  const minAbandonMs = (options.excludeAbandonsUnderS ?? 0) * 1000;
  const calls = new Map<string, CallFacts>();
  for (const e of events) {
    let facts = calls.get(e.callId);
    if (facts === undefined) {
      facts = { entered: false, answeredAt: null, answerWaitMs: null, abandonWaitMs: null, wrapUpEndedAt: null };
      calls.set(e.callId, facts);
    }
    const at = e.at.getTime();
    if (e.event === 'entered') facts.entered = true;
    else if (e.event === 'answered' && facts.answeredAt === null) {
      facts.answeredAt = at;
      facts.answerWaitMs = e.waitMs ?? 0;
    } else if (e.event === 'abandoned') facts.abandonWaitMs = e.waitMs ?? 0;
    else if (e.event === 'wrap-up-ended') facts.wrapUpEndedAt = at;
  }

  let offered = 0;
  let answered = 0;
  let answeredWithinSl = 0;
  let abandoned = 0;
  let shortAbandons = 0;
  let waitSumMs = 0;
  let handleSumMs = 0;
  let handled = 0;
  for (const f of calls.values()) {
    if (f.entered) offered++;
    if (f.answeredAt !== null && f.answerWaitMs !== null) {
      answered++;
      waitSumMs += f.answerWaitMs;
      if (f.answerWaitMs <= slMs) answeredWithinSl++;
      if (f.wrapUpEndedAt !== null) {
        handled++;
        handleSumMs += f.wrapUpEndedAt - f.answeredAt;
      }
    }
    if (f.abandonWaitMs !== null) {
      abandoned++;
      if (f.abandonWaitMs < minAbandonMs) shortAbandons++;
    }
  }
  return {
    offered,
    answered,
    answeredWithinSl,
    abandoned,
    answerRate: ratio(answered, offered),
    serviceLevel: ratio(answeredWithinSl, offered - shortAbandons),
    abandonRate: ratio(abandoned, offered),
    asaS: answered === 0 ? null : waitSumMs / answered / 1000,
    ahtS: handled === 0 ? null : handleSumMs / handled / 1000,
  };
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator <= 0 ? null : numerator / denominator;
}

import type { RankWeightsJson, UnitReportRowJson } from '../shared/wire/reports.js';
import { ratio } from './ratio.js';
import { satisfactionRate, type SatisfactionWeights } from './order-metrics.js';
import type { UnitOrderCounts, UnitRef } from './report-queries.js';

/**
 * 周通报 / 月排名 of handling units. The composite score (0..100):
 *   score = 100 × Σ wᵢ·rateᵢ ÷ Σ wᵢ over the rates that are not null,
 * with 按期办结率 40 %, 满意率 40 %, 响应率 20 % by default. A unit with no due order, no rating or no
 * dispatch is scored on the rates it has (weights renormalised), so a quiet unit is neither rewarded
 * nor punished for it; a unit with none of the three has no score and no rank.
 * Rank: highest score first; equal scores share a rank (1, 2, 2, 4); unscored units last, rank null.
 */
export type RankWeights = RankWeightsJson;

export const DEFAULT_RANK_WEIGHTS: RankWeights = Object.freeze({ onTimeClosure: 0.4, satisfaction: 0.4, response: 0.2 });

export type UnitReportRow = UnitReportRowJson;

export function compositeScore(rates: { onTimeClosure: number | null; satisfaction: number | null; response: number | null }, weights: RankWeights = DEFAULT_RANK_WEIGHTS): number | null {
  let sum = 0;
  let weight = 0;
  for (const key of ['onTimeClosure', 'satisfaction', 'response'] as const) {
    const rate = rates[key];
    if (rate === null || weights[key] <= 0) continue;
    sum += weights[key] * rate;
    weight += weights[key];
  }
  return weight === 0 ? null : (100 * sum) / weight;
}

const EMPTY: Omit<UnitOrderCounts, 'unitId'> = { received: 0, respondedOnTime: 0, closed: 0, due: 0, closedOnTime: 0, rated: 0, satisfied: 0, basically: 0, returned: 0, overdue: 0 };

/** Scores and ranks the units: every active unit, and inactive ones that have counts. Ranked order. */
export function rankUnits(units: readonly UnitRef[], counts: readonly UnitOrderCounts[], options: { weights?: RankWeights; satisfactionWeights?: SatisfactionWeights } = {}): UnitReportRow[] {
  const byUnit = new Map(counts.map((c) => [c.unitId, c]));
  const rows = units
    .filter((u) => u.active || byUnit.has(u.id))
    .map((u) => {
      const c = byUnit.get(u.id) ?? { unitId: u.id, ...EMPTY };
      const onTimeClosureRate = ratio(c.closedOnTime, c.due);
      const satisfaction = satisfactionRate(c, options.satisfactionWeights);
      const responseRate = ratio(c.respondedOnTime, c.received);
      return {
        unitId: u.id,
        code: u.code,
        name: u.name,
        received: c.received,
        closed: c.closed,
        due: c.due,
        closedOnTime: c.closedOnTime,
        rated: c.rated,
        returned: c.returned,
        overdue: c.overdue,
        onTimeClosureRate,
        satisfactionRate: satisfaction,
        responseRate,
        score: compositeScore({ onTimeClosure: onTimeClosureRate, satisfaction, response: responseRate }, options.weights),
      };
    });
  rows.sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.code.localeCompare(b.code));
  const ranked: UnitReportRow[] = [];
  let previous: { score: number; rank: number } | null = null;
  rows.forEach((row, i) => {
    let rank: number | null = null;
    if (row.score !== null) {
      // Scores are compared rounded so 0.1 + 0.2 style noise never splits a tie.
      rank = previous !== null && Math.abs(previous.score - row.score) < 1e-9 ? previous.rank : i + 1;
      previous = { score: row.score, rank };
    }
    ranked.push({ ...row, rank });
  });
  return ranked;
}

import type { OrderCountsJson, OrderRatesJson } from '../shared/wire/reports.js';
import { ratio } from './ratio.js';

/**
 * The work-order metrics of shared/DOMAIN.md, written once. The counts come from stored rows
 * (ticket_events, and the deadlines tickets.sign_by / reply_by of migration 0004), aggregated in SQL by
 * db/report-queries.ts; the ratios are computed here only. "In the period" [from, to) for each count:
 *
 * - received: orders whose created_at is in the period (受理量).
 * - closed: orders whose last `closed` event is in the period and not followed by a `reopened` event
 *   (event ids order the log), i.e. closed in the period and still closed (办结量).
 * - due: orders whose reply deadline (tickets.reply_by, extensions included) falls in the period (应办结);
 *   dueClosed: those of them closed now; closedOnTime: closed (last `closed` event) at or before reply_by.
 *   Orders answered on the call (直办) and returned orders awaiting re-dispatch have no reply_by: not due.
 * - rated: orders whose LAST `surveyed` event in the period says 满意, 基本满意 or 不满意 (`unreachable` is not
 *   a rating); satisfied / basically / unsatisfied / resolved count those last surveys.
 * - dispatched: orders with a `dispatched` event in the period (派单); redispatched: those of them with
 *   more than one `dispatched` event in their whole log (退单 then 派单 again; 重办 is not a dispatch).
 * - respondedOnTime: dispatched orders with a `signed` event at or before tickets.sign_by. "First contact
 *   made" is not recorded yet, so 签收 stands for it; an order returned and not re-dispatched has no
 *   sign_by and counts as not responded.
 * - closedFirstTime: closed orders whose log has no `returned`, no `reopened` and no `linked-duplicate`
 *   (a repeat call about it, or it being the repeat) event.
 */
export type OrderCounts = OrderCountsJson;

/** 满意率 weights: a centre may count 基本满意 as, say, 0.8 of a 满意. */
export interface SatisfactionWeights {
  readonly satisfied: number;
  readonly basically: number;
}

export const DEFAULT_SATISFACTION_WEIGHTS: SatisfactionWeights = Object.freeze({ satisfied: 1, basically: 1 });

/** Ratios are 0..1, null when their denominator is 0 (the formulas: src/shared/wire/reports.ts OrderRatesJson). */
export type OrderRates = OrderRatesJson;

export function satisfactionRate(c: Pick<OrderCounts, 'rated' | 'satisfied' | 'basically'>, weights: SatisfactionWeights = DEFAULT_SATISFACTION_WEIGHTS): number | null {
  return ratio(weights.satisfied * c.satisfied + weights.basically * c.basically, c.rated);
}

/** The formulas (see OrderRates). */
export function orderRates(c: OrderCounts, weights: SatisfactionWeights = DEFAULT_SATISFACTION_WEIGHTS): OrderRates {
  return {
    closureRate: ratio(c.dueClosed, c.due),
    onTimeClosureRate: ratio(c.closedOnTime, c.due),
    satisfactionRate: satisfactionRate(c, weights),
    resolutionRate: ratio(c.resolved, c.rated),
    responseRate: ratio(c.respondedOnTime, c.dispatched),
    firstTimeClosureRate: ratio(c.closedFirstTime, c.closed),
    redispatchRate: ratio(c.redispatched, c.dispatched),
  };
}

export const EMPTY_ORDER_COUNTS: OrderCounts = Object.freeze({
  received: 0,
  closed: 0,
  due: 0,
  dueClosed: 0,
  closedOnTime: 0,
  rated: 0,
  satisfied: 0,
  basically: 0,
  unsatisfied: 0,
  resolved: 0,
  dispatched: 0,
  respondedOnTime: 0,
  redispatched: 0,
  closedFirstTime: 0,
});

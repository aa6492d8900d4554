import { NO_DAY_AFTER, NO_DAY_BEFORE, type DayKeyOf } from './local-day-key.js';

/**
 * What one work order adds to the per-day report aggregates (table report_order_days, migration 0026),
 * derived from its row and its whole event log with the definitions of order-metrics.ts (OrderCounts)
 * and report-queries.ts (UnitOrderCounts, CategoryCount). A report over whole local days sums the rows
 * of its days; this function is the ONE place the attribution is written:
 *
 * - An order's facts are a function of its CURRENT row and log. When a later event changes an earlier
 *   fact (closed in March, reopened in April), the write of that event takes the order's old facts off
 *   and adds the new ones (db/report-aggregates.ts `orderDelta`): March's 办结 drops by one in the same
 *   transaction as the reopen, exactly as the event-log queries would count March again. Nothing is
 *   frozen at month end; a report of a past month can change when a later event changes its orders.
 * - received (受理): day of created_at; scope all and the order's category (热点).
 * - closed / closedFirstTime: day of the last `closed` event (max at) if the order is closed now (its
 *   last `closed` comes after its last `reopened`, by event id); scope all and the unit holding it.
 * - due / dueClosed / closedOnTime: day of reply_by (extensions included); scope all and the unit holding it.
 * - dispatched / redispatched / respondedOnTime (派单, 重复转办, 响应): "orders with a dispatch in the
 *   period" counts an order once however many dispatch days it has, which a plain sum over days would
 *   not. So each distinct dispatch day is a row that also names the order's previous dispatch day
 *   (`prevDay`, '' for the first), and a period [a, b) sums only rows with day in [a, b) AND prevDay < a:
 *   for each order, exactly its first dispatch day inside the period. Per unit the same with the
 *   dispatches to that unit (its 收到工单 and 按时签收).
 * - rated … resolved (回访): "the last survey of each order in the period": each distinct survey day holds
 *   the day's last survey (by event id) and names the order's next survey day (`nextDay`, 9999-12-31 for
 *   none); a period sums rows with day in [a, b) AND nextDay ≥ b. Scope all and the unit of that survey
 *   event. This assumes a ticket's events are appended in time order (ids and times agree), as they are.
 * - returned (退单): each `returned` event, day of its time, unit of the event.
 * Rows that carry neither a previous nor a next day have prevDay '' and nextDay 9999-12-31, so one WHERE
 * (day in [a, b), prevDay < a, nextDay ≥ b) serves every counter.
 *
 * To add a counter: add its column name to ORDER_COUNTERS, a column to report_order_days (a migration),
 * and the line below that adds it. The reads sum every ORDER_COUNTERS column.
 */
export const ORDER_COUNTERS = [
  'received',
  'closed',
  'closed_first_time',
  'due',
  'due_closed',
  'closed_on_time',
  'dispatched',
  'redispatched',
  'responded_on_time',
  'rated',
  'satisfied',
  'basically',
  'unsatisfied',
  'resolved',
  'returned',
] as const;
export type OrderCounter = (typeof ORDER_COUNTERS)[number];

/** `all` = the centre (scopeId 0), `unit` = a handling unit, `category` = a category. */
export type FactScope = 'all' | 'unit' | 'category';

export interface FactKey {
  readonly scope: FactScope;
  readonly scopeId: number;
  readonly day: string;
  readonly prevDay: string;
  readonly nextDay: string;
}

export interface OrderFact extends FactKey {
  readonly counters: Partial<Record<OrderCounter, number>>;
}

/** The fields of the order row the facts read. */
export interface FactOrder {
  readonly createdAt: Date;
  readonly categoryId: number | null;
  readonly currentUnitId: number | null;
  readonly signBy: Date | null;
  readonly replyBy: Date | null;
}

/** An event of the order's log; `data` as stored (JSON text). */
export interface FactEvent {
  readonly id: number;
  readonly type: string;
  readonly at: Date;
  readonly unitId: number | null;
  readonly data: string;
}

/** The JSON text fragments the survey SQL matches with LIKE (db/report-queries.ts surveysSql). */
const SURVEY_TEXT = {
  satisfied: '"satisfaction":"satisfied"',
  basically: '"satisfaction":"basically"',
  unsatisfied: '"satisfaction":"unsatisfied"',
  resolved: '"resolution":"resolved"',
};

export function orderFacts(order: FactOrder, log: readonly FactEvent[], dayOf: DayKeyOf): OrderFact[] {
  const events = [...log].sort((a, b) => a.id - b.id);
  const facts: OrderFact[] = [];
  const add = (scope: FactScope, scopeId: number | null, day: string, counters: Partial<Record<OrderCounter, number>>, prevDay = NO_DAY_BEFORE, nextDay = NO_DAY_AFTER): void => {
    if (scopeId === null) return;
    facts.push({ scope, scopeId, day, prevDay, nextDay, counters });
  };
  const both = (unitId: number | null, day: string, counters: Partial<Record<OrderCounter, number>>, prevDay?: string, nextDay?: string): void => {
    add('all', 0, day, counters, prevDay, nextDay);
    add('unit', unitId, day, counters, prevDay, nextDay);
  };

  const createdDay = dayOf(order.createdAt.getTime());
  add('all', 0, createdDay, { received: 1 });
  add('category', order.categoryId, createdDay, { received: 1 });

  let lastClosed: FactEvent | undefined;
  let lastClosedAt = -Infinity;
  let lastReopenedId = -Infinity;
  let notFirstTime = false;
  for (const e of events) {
    if (e.type === 'closed') {
      lastClosed = e;
      lastClosedAt = Math.max(lastClosedAt, e.at.getTime());
    } else if (e.type === 'reopened') lastReopenedId = e.id;
    if (e.type === 'returned' || e.type === 'reopened' || e.type === 'linked-duplicate') notFirstTime = true;
  }
  const closedNow = lastClosed !== undefined && lastReopenedId < lastClosed.id;
  if (closedNow) both(order.currentUnitId, dayOf(lastClosedAt), { closed: 1, closed_first_time: notFirstTime ? 0 : 1 });

  if (order.replyBy !== null) {
    const onTime = closedNow && lastClosedAt <= order.replyBy.getTime();
    both(order.currentUnitId, dayOf(order.replyBy.getTime()), { due: 1, due_closed: closedNow ? 1 : 0, closed_on_time: onTime ? 1 : 0 });
  }

  addDispatchFacts(order, events, dayOf, add);
  addSurveyFacts(events, dayOf, both);

  for (const e of events) if (e.type === 'returned') add('unit', e.unitId, dayOf(e.at.getTime()), { returned: 1 });
  return facts;
}

type Add = (scope: FactScope, scopeId: number | null, day: string, counters: Partial<Record<OrderCounter, number>>, prevDay?: string, nextDay?: string) => void;

function signedOnTime(lastSignedAt: number | undefined, signBy: Date | null): boolean {
  return lastSignedAt !== undefined && signBy !== null && lastSignedAt <= signBy.getTime();
}

/** 派单 rows: a row per distinct dispatch day, naming the previous one (see the header). */
function addDispatchFacts(order: FactOrder, events: readonly FactEvent[], dayOf: DayKeyOf, add: Add): void {
  const dispatches = events.filter((e) => e.type === 'dispatched');
  if (dispatches.length === 0) return;
  const signs = events.filter((e) => e.type === 'signed');
  const lastSigned = (unitId?: number | null): number | undefined => {
    let last: number | undefined;
    for (const s of signs) if (unitId === undefined || s.unitId === unitId) last = Math.max(last ?? -Infinity, s.at.getTime());
    return last;
  };
  const dayRows = (list: readonly FactEvent[], scope: FactScope, scopeId: number | null, counters: Partial<Record<OrderCounter, number>>): void => {
    const days = [...new Set(list.map((e) => dayOf(e.at.getTime())))].sort();
    days.forEach((day, i) => {
      add(scope, scopeId, day, counters, days[i - 1] ?? NO_DAY_BEFORE);
    });
  };
  dayRows(dispatches, 'all', 0, { dispatched: 1, redispatched: dispatches.length > 1 ? 1 : 0, responded_on_time: signedOnTime(lastSigned(), order.signBy) ? 1 : 0 });
  const units = new Set(dispatches.map((e) => e.unitId));
  for (const unitId of units) {
    if (unitId === null) continue;
    dayRows(
      dispatches.filter((e) => e.unitId === unitId),
      'unit',
      unitId,
      { dispatched: 1, responded_on_time: signedOnTime(lastSigned(unitId), order.signBy) ? 1 : 0 },
    );
  }
}

/** 回访 rows: the last survey of each distinct survey day, naming the next survey day (see the header). */
function addSurveyFacts(events: readonly FactEvent[], dayOf: DayKeyOf, both: (unitId: number | null, day: string, counters: Partial<Record<OrderCounter, number>>, prevDay?: string, nextDay?: string) => void): void {
  const lastOfDay = new Map<string, FactEvent>();
  for (const e of events) if (e.type === 'surveyed') lastOfDay.set(dayOf(e.at.getTime()), e);
  const days = [...lastOfDay.keys()].sort();
  days.forEach((day, i) => {
    const s = lastOfDay.get(day);
    if (s === undefined) return;
    const satisfied = s.data.includes(SURVEY_TEXT.satisfied) ? 1 : 0;
    const basically = s.data.includes(SURVEY_TEXT.basically) ? 1 : 0;
    const unsatisfied = s.data.includes(SURVEY_TEXT.unsatisfied) ? 1 : 0;
    const rated = satisfied + basically + unsatisfied;
    const resolved = rated > 0 && s.data.includes(SURVEY_TEXT.resolved) ? 1 : 0;
    both(s.unitId, day, { rated, satisfied, basically, unsatisfied, resolved }, NO_DAY_BEFORE, days[i + 1] ?? NO_DAY_AFTER);
  });
}

/** A fact's row key as one string (scope|id|day|prev|next). */
export function factKey(k: FactKey): string {
  return `${k.scope}|${String(k.scopeId)}|${k.day}|${k.prevDay}|${k.nextDay}`;
}

/** Rows of summed counters, keyed by factKey. */
export type FactRows = Map<string, { key: FactKey; counters: Record<string, number> }>;

/** Adds `facts` × `sign` into `rows` (sign −1 takes an order's old facts off). */
export function addFacts(rows: FactRows, facts: readonly OrderFact[], sign: 1 | -1): void {
  for (const f of facts) {
    const k = factKey(f);
    let row = rows.get(k);
    if (row === undefined) {
      row = { key: { scope: f.scope, scopeId: f.scopeId, day: f.day, prevDay: f.prevDay, nextDay: f.nextDay }, counters: {} };
      rows.set(k, row);
    }
    for (const [name, value] of Object.entries(f.counters)) row.counters[name] = (row.counters[name] ?? 0) + sign * value;
  }
}

/** The change from `before` to `after` as rows, rows and counters that do not change left out. */
export function factDelta(before: readonly OrderFact[], after: readonly OrderFact[]): FactRows {
  const rows: FactRows = new Map();
  addFacts(rows, before, -1);
  addFacts(rows, after, 1);
  for (const [k, row] of rows) {
    for (const [name, value] of Object.entries(row.counters)) if (value === 0) Reflect.deleteProperty(row.counters, name);
    if (Object.keys(row.counters).length === 0) rows.delete(k);
  }
  return rows;
}

import { QueryTypes, type Sequelize } from 'sequelize';
import type { QueueCounts } from '../metrics/queue-metrics.js';
import type { QueueCountOptions, ReportPeriod } from '../metrics/report-queries.js';
import { toAppError } from '../shared/app-error.js';

export const DAY_MS = 86_400_000;

/**
 * How far a call's queue events lie from its first `entered` row, at most: the wait (120 s at most),
 * the talk, then the wrap-up. The rows of the calls entered in the period lie in [from, to + span).
 */
export const CALL_SPAN_MS = 3_600_000;

export const NO_CALLS: QueueCounts = Object.freeze({ offered: 0, answered: 0, answeredWithinSl: 0, abandoned: 0, shortAbandons: 0, waitSumMs: 0, handled: 0, handleSumMs: 0 });

/** Every field of QueueCounts is a count or a sum over calls, so two disjoint periods add up field by field. */
export function addCounts(a: QueueCounts, b: QueueCounts): QueueCounts {
  return {
    offered: a.offered + b.offered,
    answered: a.answered + b.answered,
    answeredWithinSl: a.answeredWithinSl + b.answeredWithinSl,
    abandoned: a.abandoned + b.abandoned,
    shortAbandons: a.shortAbandons + b.shortAbandons,
    waitSumMs: a.waitSumMs + b.waitSumMs,
    handled: a.handled + b.handled,
    handleSumMs: a.handleSumMs + b.handleSumMs,
  };
}

/**
 * The period as whole 24-hour days counted from `from` whose calls are all over at `nowMs` (the day's
 * end plus CALL_SPAN_MS has passed), then the rest of the period (a partial or unsettled tail) if any.
 * A period starting at local midnight gives local days (the centre's zone has no daylight saving;
 * elsewhere the days are still exact 24-hour spans, they only stop lining up with midnight).
 */
export function settledDays(period: ReportPeriod, nowMs: number): { days: number[]; rest: ReportPeriod | undefined } {
  const days: number[] = [];
  const to = period.to.getTime();
  let start = period.from.getTime();
  while (start + DAY_MS <= to && start + DAY_MS + CALL_SPAN_MS <= nowMs) {
    days.push(start);
    start += DAY_MS;
  }
  return { days, rest: start < to ? { from: new Date(start), to: period.to } : undefined };
}

/** The thresholds the counts depend on, as the cache key: `sl=15000;abandon=0;q=vip:10000,…` (queues sorted). */
export function countParams(options: QueueCountOptions): string {
  const queues = Object.entries(options.serviceLevelMsByQueue)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([q, ms]) => `${q}:${String(ms)}`)
    .join(',');
  return `sl=${String(options.serviceLevelMs)};abandon=${String(options.excludeAbandonsUnderMs)};q=${queues}`;
}

type Row = Record<string, unknown>;
const num = (row: Row, column: string): number => Number(row[column] ?? 0);

/**
 * report_call_days (migration 0011): the call counts of settled days, by thresholds. Reads and
 * stores only; which days are settled is settledDays' rule. A key longer than the column is never
 * stored (the report is then computed from the events each time).
 */
export class CallDayCache {
  static readonly MAX_PARAMS = 255;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly dialect: 'sqlite' | 'mysql',
  ) {}

  /** The stored days among `days` (day start ms → counts). */
  async read(params: string, days: readonly number[]): Promise<Map<number, QueueCounts>> {
    const stored = new Map<number, QueueCounts>();
    if (days.length === 0 || params.length > CallDayCache.MAX_PARAMS) return stored;
    const rows = await guarded(() =>
      this.sequelize.query<Row>('SELECT * FROM report_call_days WHERE params = :params AND day_start_ms >= :first AND day_start_ms <= :last', {
        type: QueryTypes.SELECT,
        replacements: { params, first: Math.min(...days), last: Math.max(...days) },
      }),
    );
    for (const row of rows) {
      stored.set(num(row, 'day_start_ms'), {
        offered: num(row, 'offered'),
        answered: num(row, 'answered'),
        answeredWithinSl: num(row, 'answered_within_sl'),
        abandoned: num(row, 'abandoned'),
        shortAbandons: num(row, 'short_abandons'),
        waitSumMs: num(row, 'wait_sum_ms'),
        handled: num(row, 'handled'),
        handleSumMs: num(row, 'handle_sum_ms'),
      });
    }
    return stored;
  }

  /** Stores a day; a row already there (another report stored it meanwhile) is kept. */
  async store(params: string, dayStartMs: number, counts: QueueCounts, computedAt: Date): Promise<void> {
    if (params.length > CallDayCache.MAX_PARAMS) return;
    const ignore = this.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await this.run(
      `${ignore} INTO report_call_days (params, day_start_ms, offered, answered, answered_within_sl, abandoned, short_abandons, wait_sum_ms, handled, handle_sum_ms, computed_at)
VALUES (:params, :day, :offered, :answered, :answeredWithinSl, :abandoned, :shortAbandons, :waitSumMs, :handled, :handleSumMs, :computedAt)`,
      { params, day: dayStartMs, ...counts, computedAt },
    );
  }

  /** Forgets every stored day (the benchmark measures the uncached path; history imported after the fact). */
  async clear(): Promise<void> {
    await this.run('DELETE FROM report_call_days', {});
  }

  private async run(sql: string, replacements: Record<string, unknown>): Promise<void> {
    await guarded(() => this.sequelize.query(sql, { replacements }));
  }
}

async function guarded<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (err) {
    throw toAppError(err, 'DB_ERROR', 'report_call_days query failed');
  }
}

import type { CategoryVolume } from './category-trends.js';
import { rateColumn, toCsv, type CsvColumn } from './report-csv.js';
import type { CategoryReport, DailyReport, DailyRow, SummaryReport, UnitReport } from './report-service.js';
import type { UnitReportRow } from './unit-ranking.js';

/** The reports as CSV tables: the same fields as the JSON, headed `中文名 jsonName`. */
const num = <T>(zh: string, key: string, value: (row: T) => number | string | null): CsvColumn<T> => ({ zh, key, value });
const seconds = <T>(zh: string, key: string, value: (row: T) => number | null): CsvColumn<T> => ({ zh, key, value, decimals: 1 });

const SUMMARY: readonly CsvColumn<SummaryReport>[] = [
  num('开始时间', 'from', (r) => r.from),
  num('结束时间', 'to', (r) => r.to),
  num('呼入排队量', 'offered', (r) => r.calls.offered),
  num('人工接通量', 'answered', (r) => r.calls.answered),
  num('15秒内接通量', 'answeredWithinSl', (r) => r.calls.answeredWithinSl),
  num('放弃量', 'abandoned', (r) => r.calls.abandoned),
  rateColumn('接通率', 'answerRate', (r) => r.calls.answerRate),
  rateColumn('15秒接通率', 'serviceLevel', (r) => r.calls.serviceLevel),
  rateColumn('放弃率', 'abandonRate', (r) => r.calls.abandonRate),
  seconds('平均应答时长(秒)', 'asaS', (r) => r.calls.asaS),
  seconds('平均处理时长(秒)', 'ahtS', (r) => r.calls.ahtS),
  num('受理量', 'received', (r) => r.orders.received),
  num('办结量', 'closed', (r) => r.orders.closed),
  num('应办结量', 'due', (r) => r.orders.due),
  num('应办结已办结量', 'dueClosed', (r) => r.orders.dueClosed),
  num('按期办结量', 'closedOnTime', (r) => r.orders.closedOnTime),
  rateColumn('办结率', 'closureRate', (r) => r.orders.closureRate),
  rateColumn('按期办结率', 'onTimeClosureRate', (r) => r.orders.onTimeClosureRate),
  num('回访评价量', 'rated', (r) => r.orders.rated),
  num('满意', 'satisfied', (r) => r.orders.satisfied),
  num('基本满意', 'basically', (r) => r.orders.basically),
  num('不满意', 'unsatisfied', (r) => r.orders.unsatisfied),
  num('已解决', 'resolved', (r) => r.orders.resolved),
  rateColumn('满意率', 'satisfactionRate', (r) => r.orders.satisfactionRate),
  rateColumn('解决率', 'resolutionRate', (r) => r.orders.resolutionRate),
  num('派单量', 'dispatched', (r) => r.orders.dispatched),
  num('按时签收量', 'respondedOnTime', (r) => r.orders.respondedOnTime),
  rateColumn('响应率', 'responseRate', (r) => r.orders.responseRate),
  num('一次办结量', 'closedFirstTime', (r) => r.orders.closedFirstTime),
  rateColumn('一次办结率', 'firstTimeClosureRate', (r) => r.orders.firstTimeClosureRate),
  num('重复转办量', 'redispatched', (r) => r.orders.redispatched),
  rateColumn('重复转办率', 'redispatchRate', (r) => r.orders.redispatchRate),
];

const UNITS: readonly CsvColumn<UnitReportRow>[] = [
  num('排名', 'rank', (r) => r.rank),
  num('单位编码', 'code', (r) => r.code),
  num('承办单位', 'name', (r) => r.name),
  { zh: '综合得分', key: 'score', value: (r) => r.score, decimals: 2 },
  num('收到工单', 'received', (r) => r.received),
  num('办结量', 'closed', (r) => r.closed),
  num('应办结量', 'due', (r) => r.due),
  num('按期办结量', 'closedOnTime', (r) => r.closedOnTime),
  rateColumn('按期办结率', 'onTimeClosureRate', (r) => r.onTimeClosureRate),
  num('回访评价量', 'rated', (r) => r.rated),
  rateColumn('满意率', 'satisfactionRate', (r) => r.satisfactionRate),
  rateColumn('响应率', 'responseRate', (r) => r.responseRate),
  num('退单量', 'returned', (r) => r.returned),
  num('超期(红灯)', 'overdue', (r) => r.overdue),
];

const DAILY: readonly CsvColumn<DailyRow>[] = [
  num('日期', 'day', (r) => r.day),
  num('呼入排队量', 'offered', (r) => r.offered),
  num('人工接通量', 'answered', (r) => r.answered),
  num('15秒内接通量', 'answeredWithinSl', (r) => r.answeredWithinSl),
  num('放弃量', 'abandoned', (r) => r.abandoned),
  rateColumn('接通率', 'answerRate', (r) => r.answerRate),
  rateColumn('15秒接通率', 'serviceLevel', (r) => r.serviceLevel),
  rateColumn('放弃率', 'abandonRate', (r) => r.abandonRate),
  seconds('平均应答时长(秒)', 'asaS', (r) => r.asaS),
  seconds('平均处理时长(秒)', 'ahtS', (r) => r.ahtS),
];

interface CategoryRow extends CategoryVolume {
  readonly kind: 'top' | 'leaf' | 'rising';
}

const CATEGORIES: readonly CsvColumn<CategoryRow>[] = [
  num('类型', 'kind', (r) => r.kind),
  num('分类编码', 'code', (r) => r.code),
  num('分类', 'path', (r) => r.path),
  num('本期', 'count', (r) => r.count),
  num('上期', 'previous', (r) => r.previous),
  num('变化', 'change', (r) => r.change),
  rateColumn('变化率', 'changeRate', (r) => r.changeRate),
];

export function summaryCsv(report: SummaryReport): string {
  return toCsv(SUMMARY, [report]);
}

export function unitsCsv(report: UnitReport): string {
  return toCsv(UNITS, report.items);
}

/** A row per local day. */
export function dailyCsv(report: DailyReport): string {
  return toCsv(DAILY, report.days);
}

/** One table: top classes, then categories, then the rising ones (kind `top`, `leaf`, `rising`). */
export function categoriesCsv(report: CategoryReport): string {
  const rows: CategoryRow[] = [
    ...report.tops.map((v) => ({ ...v, kind: 'top' as const })),
    ...report.leaves.map((v) => ({ ...v, kind: 'leaf' as const })),
    ...report.rising.map((v) => ({ ...v, kind: 'rising' as const })),
  ];
  return toCsv(CATEGORIES, rows);
}

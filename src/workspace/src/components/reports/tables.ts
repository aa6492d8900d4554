/** The report tables as CSV (Chinese headers, as on screen) and the unit table's sorting. */
import type { CategoryReport, CategoryVolume, DailyRow, DirectReport, IvrReport, UnitReportRow } from '../../api/reports';
import type { CsvColumn } from './csv';

/**
 * Rates in the CSV as numbers in percent with one decimal (63.6 under a header `接通率(%)`), empty for
 * no data: a number, so a spreadsheet sums and sorts it (and a negative change is not text).
 */
export const percent = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : Math.round(v * 1000) / 10);
const rate = percent;

export const UNIT_CSV: readonly CsvColumn<UnitReportRow>[] = [
  { header: '排名', value: (r) => r.rank },
  { header: '单位编码', value: (r) => r.code },
  { header: '承办单位', value: (r) => r.name },
  { header: '综合得分', value: (r) => (r.score === null ? null : Number(r.score.toFixed(2))) },
  { header: '收到工单', value: (r) => r.received },
  { header: '办结量', value: (r) => r.closed },
  { header: '应办结量', value: (r) => r.due },
  { header: '按期办结量', value: (r) => r.closedOnTime },
  { header: '按期办结率(%)', value: (r) => rate(r.onTimeClosureRate) },
  { header: '回访评价量', value: (r) => r.rated },
  { header: '满意率(%)', value: (r) => rate(r.satisfactionRate) },
  { header: '响应率(%)', value: (r) => rate(r.responseRate) },
  { header: '退单量', value: (r) => r.returned },
  { header: '超期(红灯)', value: (r) => r.overdue },
];

export type CategoryKind = 'top' | 'leaf' | 'rising';
export const CATEGORY_KIND_NAMES: Record<CategoryKind, string> = { top: '大类', leaf: '类别', rising: '上升最快' };

export const CATEGORY_CSV: readonly CsvColumn<CategoryVolume & { kind: CategoryKind }>[] = [
  { header: '类型', value: (r) => CATEGORY_KIND_NAMES[r.kind] },
  { header: '分类编码', value: (r) => r.code },
  { header: '分类', value: (r) => r.path },
  { header: '本期', value: (r) => r.count },
  { header: '上期', value: (r) => r.previous },
  { header: '变化', value: (r) => r.change },
  { header: '变化率(%)', value: (r) => rate(r.changeRate) },
];

/** One table: top classes, then categories, then the rising ones. */
export function categoryRows(report: CategoryReport): (CategoryVolume & { kind: CategoryKind })[] {
  return [
    ...report.tops.map((v) => ({ ...v, kind: 'top' as const })),
    ...report.leaves.map((v) => ({ ...v, kind: 'leaf' as const })),
    ...report.rising.map((v) => ({ ...v, kind: 'rising' as const })),
  ];
}

export const DAILY_CSV: readonly CsvColumn<DailyRow>[] = [
  { header: '日期', value: (r) => r.day },
  { header: '呼入量', value: (r) => r.offered },
  { header: '接通量', value: (r) => r.answered },
  { header: '15秒内接通量', value: (r) => r.answeredWithinSl },
  { header: '放弃量', value: (r) => r.abandoned },
  { header: '接通率(%)', value: (r) => rate(r.answerRate) },
  { header: '15秒接通率(%)', value: (r) => rate(r.serviceLevel) },
  { header: '放弃率(%)', value: (r) => rate(r.abandonRate) },
];

export type SortOrder = 'ascending' | 'descending' | null;

/**
 * Rows sorted by a column, rows with no value (an unscored unit, a rate with nothing to divide by)
 * always last whichever the direction; ties keep the server's order (rank). No order: as given.
 */
export function sortRows<T>(rows: readonly T[], key: keyof T | undefined, order: SortOrder): T[] {
  if (key === undefined || order === null) return [...rows];
  const sign = order === 'ascending' ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => {
      const x = a.row[key];
      const y = b.row[key];
      const xMissing = x === null || x === undefined;
      const yMissing = y === null || y === undefined;
      if (xMissing || yMissing) return xMissing === yMissing ? a.i - b.i : xMissing ? 1 : -1;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'zh-CN');
      return c === 0 ? a.i - b.i : sign * c;
    })
    .map((e) => e.row);
}

/** 自助语音 per node, as on screen. */
export const IVR_NODE_CSV: readonly CsvColumn<IvrReport['nodes'][number]>[] = [
  { header: '节点', value: (r) => r.node },
  { header: '类型', value: (r) => r.type },
  { header: '到达', value: (r) => r.reached },
  { header: '在此挂机', value: (r) => r.left },
  { header: '挂机率(%)', value: (r) => rate(r.leftRate) },
  { header: '转人工', value: (r) => r.queued },
  { header: '自助完成', value: (r) => r.selfServed },
  { header: '流程结束', value: (r) => r.ended },
];

/** 直办率 per category. */
export const DIRECT_CSV: readonly CsvColumn<DirectReport['items'][number]>[] = [
  { header: '类别编码', value: (r) => r.code },
  { header: '诉求类别', value: (r) => r.path },
  { header: '工单', value: (r) => r.received },
  { header: '直办', value: (r) => r.direct },
  { header: '直办率(%)', value: (r) => rate(r.directRate) },
];

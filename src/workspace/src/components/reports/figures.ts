/**
 * The summary figures of a period, each with its Chinese name, how it is shown ('—' when there is no
 * data: no report yet, or a rate whose denominator is 0) and how it goes into the CSV. The names are
 * those of the hotline's reports (shared/DOMAIN.md "Metrics").
 */
import type { SummaryReport } from '../../api/reports';
import { formatRate } from '../../shared/format';
import type { CsvColumn } from './csv';
import { percent } from './tables';

export type FigureKind = 'count' | 'rate' | 'seconds';

export interface Figure {
  readonly key: string;
  readonly label: string;
  readonly group: '话务' | '工单';
  readonly kind: FigureKind;
  /** What the figure is, for the tooltip. */
  readonly hint: string;
  readonly value: (r: SummaryReport) => number | null;
}

export const FIGURES: readonly Figure[] = [
  { key: 'offered', label: '呼入量', group: '话务', kind: 'count', hint: '进入人工队列的来电数', value: (r) => r.calls.offered },
  { key: 'answered', label: '接通量', group: '话务', kind: 'count', hint: '坐席接听的来电数', value: (r) => r.calls.answered },
  { key: 'answerRate', label: '接通率', group: '话务', kind: 'rate', hint: '接通量 ÷ 呼入量', value: (r) => r.calls.answerRate },
  { key: 'serviceLevel', label: '15秒接通率', group: '话务', kind: 'rate', hint: '15秒内接通量 ÷ 呼入量', value: (r) => r.calls.serviceLevel },
  { key: 'abandoned', label: '放弃量', group: '话务', kind: 'count', hint: '排队中挂机的来电数', value: (r) => r.calls.abandoned },
  { key: 'abandonRate', label: '放弃率', group: '话务', kind: 'rate', hint: '放弃量 ÷ 呼入量', value: (r) => r.calls.abandonRate },
  { key: 'asaS', label: '平均应答时长', group: '话务', kind: 'seconds', hint: '接通来电的平均排队等待时间', value: (r) => r.calls.asaS },
  { key: 'ahtS', label: '平均处理时长', group: '话务', kind: 'seconds', hint: '通话加话后处理的平均时长', value: (r) => r.calls.ahtS },
  { key: 'received', label: '受理量', group: '工单', kind: 'count', hint: '本期新建的工单数', value: (r) => r.orders.received },
  { key: 'closed', label: '办结量', group: '工单', kind: 'count', hint: '本期办结且未重办的工单数', value: (r) => r.orders.closed },
  { key: 'closureRate', label: '办结率', group: '工单', kind: 'rate', hint: '应办结工单中已办结的比例', value: (r) => r.orders.closureRate },
  { key: 'onTimeClosureRate', label: '按期办结率', group: '工单', kind: 'rate', hint: '应办结工单中在办理时限内办结的比例', value: (r) => r.orders.onTimeClosureRate },
  { key: 'satisfactionRate', label: '满意率', group: '工单', kind: 'rate', hint: '（满意 + 基本满意）÷ 回访评价量', value: (r) => r.orders.satisfactionRate },
  { key: 'resolutionRate', label: '解决率', group: '工单', kind: 'rate', hint: '已解决 ÷ 回访评价量', value: (r) => r.orders.resolutionRate },
  { key: 'responseRate', label: '响应率', group: '工单', kind: 'rate', hint: '按时签收 ÷ 派单量', value: (r) => r.orders.responseRate },
  { key: 'firstTimeClosureRate', label: '一次办结率', group: '工单', kind: 'rate', hint: '无退单、重办、重复件的办结工单比例', value: (r) => r.orders.firstTimeClosureRate },
  { key: 'redispatchRate', label: '重复转办率', group: '工单', kind: 'rate', hint: '多次派单的工单 ÷ 派单量', value: (r) => r.orders.redispatchRate },
];

/** 25.7 → "25.7秒", 106 → "1分46秒"; null → "—". */
export function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  if (s < 60) return `${Number(s.toFixed(1))}秒`;
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)}分${String(whole % 60).padStart(2, '0')}秒`;
}

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toLocaleString('zh-CN');
}

/** The figure as shown; '—' without a report. */
export function figureText(figure: Figure, report: SummaryReport | null | undefined): string {
  if (report === null || report === undefined) return '—';
  const v = figure.value(report);
  if (figure.kind === 'rate') return formatRate(v);
  if (figure.kind === 'seconds') return formatSeconds(v);
  return formatCount(v);
}

/** The summary as a CSV table, a row per figure: 类别, 指标, 数值 (numbers: a rate in percent, 63.6 with 单位 %; seconds with 单位 秒), 单位, 说明. */
export const SUMMARY_CSV: readonly CsvColumn<{ figure: Figure; report: SummaryReport }>[] = [
  { header: '类别', value: (r) => r.figure.group },
  { header: '指标', value: (r) => r.figure.label },
  {
    header: '数值',
    value: (r) => {
      const v = r.figure.value(r.report);
      if (v === null) return null;
      if (r.figure.kind === 'rate') return percent(v);
      if (r.figure.kind === 'seconds') return Number(v.toFixed(1));
      return v;
    },
  },
  { header: '单位', value: (r) => (r.figure.kind === 'seconds' ? '秒' : r.figure.kind === 'rate' ? '%' : '') },
  { header: '说明', value: (r) => r.figure.hint },
];

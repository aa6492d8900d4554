/** The chart options of the reports page (pure: data in, ECharts option out) and their text summaries. */
import type { CategoryVolume, DailyRow } from '../../api/reports';
import { formatRate } from '../../shared/format';
import { percent } from './tables';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';

/** The options of the parts EChart.vue bundles (and nothing else). */
export type ChartOption = ComposeOption<LineSeriesOption | BarSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption>;

const pct = percent;

/** 接通率 and 15秒接通率 by day (%, left axis; a day without calls is a gap), 呼入量 as bars (right axis). */
export function trendOption(days: readonly DailyRow[]): ChartOption {
  const labels = days.map((d) => d.day.slice(5));
  return {
    grid: { left: 48, right: 48, top: 36, bottom: 28 },
    legend: { top: 0, data: ['接通率', '15秒接通率', '呼入量'] },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (value) => (typeof value === 'number' ? String(value) : '—'),
    },
    xAxis: { type: 'category', data: labels, axisTick: { alignWithLabel: true } },
    yAxis: [
      { type: 'value', name: '%', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      { type: 'value', name: '呼入量', minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      { name: '呼入量', type: 'bar', yAxisIndex: 1, data: days.map((d) => d.offered), itemStyle: { color: '#c6d8f0' }, barMaxWidth: 24, z: 1 },
      { name: '接通率', type: 'line', data: days.map((d) => pct(d.answerRate)), connectNulls: false, symbolSize: 6, itemStyle: { color: '#1f6fd1' }, z: 3 },
      { name: '15秒接通率', type: 'line', data: days.map((d) => pct(d.serviceLevel)), connectNulls: false, symbolSize: 6, itemStyle: { color: '#e6802a' }, z: 3 },
    ],
  };
}

/** For screen readers: the trend as text. */
export function trendSummary(days: readonly DailyRow[]): string {
  if (days.length === 0) return '接通率趋势图：无数据';
  return `接通率趋势图：${days.map((d) => `${d.day} 呼入${d.offered}，接通率${formatRate(d.answerRate)}，15秒接通率${formatRate(d.serviceLevel)}`).join('；')}`;
}

/** The top `n` categories by orders, as horizontal bars, the largest at the top. */
export function categoryOption(volumes: readonly CategoryVolume[], n = 10): ChartOption {
  const top = volumes.slice(0, n).reverse();
  return {
    grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: {
      type: 'category',
      data: top.map((v) => v.path),
      // The last two levels name a category well enough on the axis; the tooltip has the whole path.
      axisLabel: { width: 190, overflow: 'truncate', formatter: (path: string) => shortPath(path) },
    },
    series: [{ name: '工单量', type: 'bar', data: top.map((v) => v.count), itemStyle: { color: '#1f6fd1' }, barMaxWidth: 22, label: { show: true, position: 'right' } }],
  };
}

/** `城乡建设 / 物业管理 / 物业服务质量` → `物业管理 / 物业服务质量`. */
export function shortPath(path: string): string {
  return path.split(' / ').slice(-2).join(' / ');
}

export function categorySummary(volumes: readonly CategoryVolume[], n = 10): string {
  if (volumes.length === 0) return '热点诉求图：本期无工单';
  return `热点诉求图：${volumes.slice(0, n).map((v) => `${v.path} ${v.count}件`).join('；')}`;
}

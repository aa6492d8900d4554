import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, periodLabel, periodOf, trendRange } from '../src/components/reports/period';
import { categoryOption, shortPath } from '../src/components/reports/charts';
import { sortRows } from '../src/components/reports/tables';

const FRIDAY = new Date(2026, 10, 20, 10, 0, 0); // 2026-11-20, local time
const SUNDAY = new Date(2026, 10, 22, 23, 0, 0);
const FIRST = new Date(2026, 2, 1, 8, 0, 0); // 2026-03-01, a Sunday

describe('report periods', () => {
  it('gives today, yesterday, this week (from Monday) and this month as local dates, the end exclusive', () => {
    expect(periodOf('today', FRIDAY)).toEqual({ preset: 'today', from: '2026-11-20', to: '2026-11-21', last: '2026-11-20' });
    expect(periodOf('yesterday', FRIDAY)).toEqual({ preset: 'yesterday', from: '2026-11-19', to: '2026-11-20', last: '2026-11-19' });
    expect(periodOf('week', FRIDAY)).toMatchObject({ from: '2026-11-16', to: '2026-11-21' });
    expect(periodOf('week', SUNDAY)).toMatchObject({ from: '2026-11-16', to: '2026-11-23' });
    expect(periodOf('month', FRIDAY)).toMatchObject({ from: '2026-11-01', to: '2026-11-21' });
  });

  it('crosses month and year ends', () => {
    expect(periodOf('yesterday', FIRST)).toMatchObject({ from: '2026-02-28', to: '2026-03-01' });
    expect(periodOf('week', FIRST)).toMatchObject({ from: '2026-02-23', to: '2026-03-02' });
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
  });

  it('takes a custom range in either order, its last day included', () => {
    expect(periodOf('custom', FRIDAY, { first: '2026-11-10', last: '2026-11-01' })).toEqual({ preset: 'custom', from: '2026-11-01', to: '2026-11-11', last: '2026-11-10' });
    expect(periodLabel(periodOf('custom', FRIDAY, { first: '2026-11-01', last: '2026-11-10' }))).toBe('2026-11-01 至 2026-11-10');
    expect(periodLabel(periodOf('today', FRIDAY))).toBe('2026-11-20');
  });

  it('widens the trend of a short period back to 7 days ending on its last day, and keeps a long one', () => {
    expect(trendRange(periodOf('today', FRIDAY))).toEqual({ from: '2026-11-14', to: '2026-11-21', widened: true });
    expect(trendRange(periodOf('month', FRIDAY))).toEqual({ from: '2026-11-01', to: '2026-11-21', widened: false });
  });
});

describe('sorting the unit ranking', () => {
  const rows = [
    { code: 'A', score: 50 as number | null },
    { code: 'B', score: null },
    { code: 'C', score: 90 },
    { code: 'D', score: 50 },
  ];
  it('sorts either way with the rows without a value last, ties in the given order', () => {
    expect(sortRows(rows, 'score', 'descending').map((r) => r.code)).toEqual(['C', 'A', 'D', 'B']);
    expect(sortRows(rows, 'score', 'ascending').map((r) => r.code)).toEqual(['A', 'D', 'C', 'B']);
    expect(sortRows(rows, 'score', null).map((r) => r.code)).toEqual(['A', 'B', 'C', 'D']);
  });
});

describe('hot categories chart', () => {
  it('puts the largest category at the top and names it by its last two levels', () => {
    const v = (code: string, path: string, count: number) => ({ categoryId: count, code, name: code, path, count, previous: 0, change: count, changeRate: null });
    const option = categoryOption([v('a', '城乡建设 / 物业管理 / 物业服务质量', 9), v('b', '环境保护 / 噪音扰民', 4)]);
    const axis = option.yAxis as { data: string[] };
    expect(axis.data).toEqual(['环境保护 / 噪音扰民', '城乡建设 / 物业管理 / 物业服务质量']);
    expect((option.series as { data: number[] }[])[0]?.data).toEqual([4, 9]);
    expect(shortPath('城乡建设 / 物业管理 / 物业服务质量')).toBe('物业管理 / 物业服务质量');
  });
});

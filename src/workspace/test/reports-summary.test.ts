import { flushPromises, mount } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import type { SummaryReport } from '../src/api/reports';
import { setSession, clearSession } from '../src/api/session-store';
import SummaryFigures from '../src/components/reports/SummaryFigures.vue';
import ReportsPage from '../src/pages/supervisor/ReportsPage.vue';

const REPORT: SummaryReport = {
  from: '2026-11-19T16:00:00.000Z',
  to: '2026-11-20T16:00:00.000Z',
  calls: { offered: 11, answered: 7, answeredWithinSl: 4, abandoned: 3, answerRate: 7 / 11, serviceLevel: 4 / 11, abandonRate: 3 / 11, asaS: 180 / 7, ahtS: 106 },
  orders: {
    received: 6, closed: 6, due: 5, dueClosed: 4, closedOnTime: 3, rated: 4, satisfied: 2, basically: 1, unsatisfied: 1, resolved: 2, dispatched: 5, respondedOnTime: 3, redispatched: 1, closedFirstTime: 3,
    closureRate: 0.8, onTimeClosureRate: 0.6, satisfactionRate: 0.75, resolutionRate: 0.5, responseRate: 0.6, firstTimeClosureRate: 0.5, redispatchRate: 0.2,
  },
};

/** The figures as a screen reader pairs them: each <dt> with its <dd>. */
function figures(wrapper: { findAll: (s: string) => { text: () => string }[] }): Record<string, string> {
  const out: Record<string, string> = {};
  const terms = wrapper.findAll('dt');
  const values = wrapper.findAll('dd');
  terms.forEach((t, i) => (out[t.text()] = values[i]?.text() ?? ''));
  return out;
}

describe('summary figures', () => {
  it('shows each figure of the period under its Chinese name', () => {
    const shown = figures(mount(SummaryFigures, { props: { report: REPORT } }));
    expect(shown).toMatchObject({
      呼入量: '11',
      接通量: '7',
      接通率: '63.6%',
      '15秒接通率': '36.4%',
      放弃率: '27.3%',
      平均应答时长: '25.7秒',
      平均处理时长: '1分46秒',
      受理量: '6',
      办结率: '80.0%',
      按期办结率: '60.0%',
      满意率: '75.0%',
      解决率: '50.0%',
      响应率: '60.0%',
      一次办结率: '50.0%',
      重复转办率: '20.0%',
    });
  });

  it('shows — for a rate with nothing to divide by, and 0 for a count of nothing', () => {
    const empty: SummaryReport = {
      ...REPORT,
      calls: { offered: 0, answered: 0, answeredWithinSl: 0, abandoned: 0, answerRate: null, serviceLevel: null, abandonRate: null, asaS: null, ahtS: null },
      orders: { ...REPORT.orders, rated: 0, satisfactionRate: null, due: 0, onTimeClosureRate: null },
    };
    const shown = figures(mount(SummaryFigures, { props: { report: empty } }));
    expect(shown).toMatchObject({ 呼入量: '0', 接通率: '—', '15秒接通率': '—', 平均应答时长: '—', 满意率: '—', 按期办结率: '—', 受理量: '6' });
  });

  it('shows — for every figure while there is no report', () => {
    const shown = figures(mount(SummaryFigures, { props: { report: undefined } }));
    expect(Object.keys(shown)).toContain('呼入量');
    expect(new Set(Object.values(shown))).toEqual(new Set(['—']));
  });
});

/** A chart stand-in: happy-dom has no canvas; the page's own logic is what is tested here. */
const ChartStub = defineComponent({ props: { option: { type: Object, required: true }, label: { type: String, required: true } }, setup: (p) => () => h('div', { class: 'chart-stub', role: 'img', 'aria-label': p.label }) });

describe('reports page', () => {
  let requests: URL[];
  let answers: Record<string, () => Response>;

  const json = (body: unknown, status = 200) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(2026, 10, 20, 10, 0, 0)); // Friday 2026-11-20, local time
    setSession('tok-1', new Date(2099, 0, 1).toISOString(), { id: 1, username: 'boss', role: 'supervisor', displayName: '班长' });
    requests = [];
    answers = {
      '/api/v1/reports/summary': json(REPORT),
      '/api/v1/reports/units': json({ from: '', to: '', asOf: '', weights: { onTimeClosure: 0.4, satisfaction: 0.4, response: 0.2 }, items: [
        { unitId: 2, code: 'U2', name: '水务公司', received: 2, closed: 2, due: 3, closedOnTime: 2, rated: 2, returned: 0, overdue: 2, onTimeClosureRate: 2 / 3, satisfactionRate: 0.5, responseRate: 0.5, score: 56.67, rank: 2 },
        { unitId: 1, code: 'U1', name: '城关街道', received: 4, closed: 3, due: 2, closedOnTime: 1, rated: 2, returned: 1, overdue: 1, onTimeClosureRate: 0.5, satisfactionRate: 1, responseRate: 0.5, score: 70, rank: 1 },
      ] }),
      '/api/v1/reports/categories': json({ from: '', to: '', previous: { from: '', to: '' }, tops: [], leaves: [{ categoryId: 3, code: 'A01', name: '供水', path: '城乡建设 / 供水', count: 3, previous: 0, change: 3, changeRate: null }], rising: [] }),
      '/api/v1/reports/daily': json({ from: '', to: '', days: [{ day: '2026-11-20', from: '', to: '', offered: 11, answered: 7, answeredWithinSl: 4, abandoned: 3, answerRate: 7 / 11, serviceLevel: 4 / 11, abandonRate: 3 / 11, asaS: 25, ahtS: 106 }] }),
      '/api/v1/reports/ivr': json({ from: '', to: '', flow: 'default', entered: 8, selfServed: 2, queued: 5, left: 1, selfServiceRate: 0.25, containmentRate: 3 / 8, nodes: [
        { node: 'welcome', type: 'play', reached: 8, left: 0, queued: 5, selfServed: 2, ended: 0, leftRate: 0 },
        { node: 'progress-read', type: 'speak', reached: 3, left: 1, queued: 0, selfServed: 2, ended: 0, leftRate: 1 / 3 },
        { node: 'old-node', type: null, reached: 0, left: 0, queued: 0, selfServed: 0, ended: 0, leftRate: null },
      ] }),
      '/api/v1/reports/direct': json({ from: '', to: '', received: 6, direct: 2, directRate: 1 / 3, items: [
        { categoryId: 3, code: 'A01', name: '供水', path: '城乡建设 / 供水', received: 4, direct: 2, directRate: 0.5 },
      ] }),
    };
    vi.stubGlobal('fetch', vi.fn((input: string, init?: RequestInit) => {
      const url = new URL(input, 'http://localhost');
      requests.push(url);
      expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer tok-1');
      const answer = answers[url.pathname];
      return Promise.resolve(answer === undefined ? new Response('{}', { status: 404 }) : answer());
    }));
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
    clearSession();
  });

  const mountPage = () => mount(ReportsPage, { global: { plugins: [ElementPlus], stubs: { EChart: ChartStub } }, attachTo: document.body });

  it('asks for today and shows the figures, the trend of the last 7 days and the ranking under their headings', async () => {
    const page = mountPage();
    await flushPromises();
    const asked = (path: string) => requests.filter((u) => u.pathname === path).map((u) => `${u.searchParams.get('from')}..${u.searchParams.get('to')}`);
    expect(asked('/api/v1/reports/summary')).toEqual(['2026-11-20..2026-11-21']);
    expect(asked('/api/v1/reports/units')).toEqual(['2026-11-20..2026-11-21']);
    expect(asked('/api/v1/reports/daily')).toEqual(['2026-11-14..2026-11-21']);
    expect(page.findAll('h3').map((x) => x.text())).toEqual(['汇总指标', '接通率趋势', '热点诉求', '承办单位排名', '自助语音', '直办率']);
    expect(figures(page)).toMatchObject({ 呼入量: '11', 接通率: '63.6%', '15秒接通率': '36.4%', 满意率: '75.0%' });
    // 自助语音: the period's rates, then each node with its type in Chinese (a node since removed says so).
    expect(figures(page)).toMatchObject({ 进入自助语音: '8', 自助服务完成率: '25.0%', 拦截率: '37.5%', 转人工: '5', 语音中挂机: '1' });
    const ivrRows = page.findAll('.ivr-nodes .el-table__body tr').map((tr) => tr.findAll('td').map((td) => td.text()));
    expect(ivrRows[1]).toEqual(['progress-read', '合成播报', '3', '1', '33.3%', '0', '2', '0']);
    expect(ivrRows[2]?.slice(0, 2)).toEqual(['old-node', '已删除']);
    expect(page.find('.direct-total').text()).toContain('直办率 33.3%');
    expect(page.find('.direct-rate .el-table__body').text()).toContain('城乡建设 / 供水');
    const exports = page.findAll('button').filter((b) => b.text() === '导出CSV');
    expect(exports).toHaveLength(6);
    expect(exports.every((b) => b.attributes('disabled') === undefined)).toBe(true);
    // The trend chart's text: the day with its rates.
    expect(page.find('[aria-label^="接通率趋势图"]').attributes('aria-label')).toContain('2026-11-20 呼入11，接通率63.6%，15秒接通率36.4%');
    // Ranked: U1 (rank 1) above U2 although the server listed U2 first.
    const names = page.findAll('.el-table__body tr').map((tr) => tr.text());
    expect(names[0]).toContain('城关街道');
    expect(names[1]).toContain('水务公司');
    page.unmount();
  });

  it('asks for this week (Monday to today) when 本周 is chosen, and shows 周通报 beside the ranking', async () => {
    const page = mountPage();
    await flushPromises();
    requests = [];
    const week = page.findAll('label.el-radio-button').find((l) => l.text() === '本周');
    await week?.find('input').setValue(true);
    await flushPromises();
    const summary = requests.find((u) => u.pathname === '/api/v1/reports/summary');
    expect(summary?.searchParams.get('from')).toBe('2026-11-16');
    expect(summary?.searchParams.get('to')).toBe('2026-11-21');
    expect(page.text()).toContain('周通报');
    expect(page.text()).toContain('2026-11-16 至 2026-11-20');
    page.unmount();
  });

  it('shows the error of a section that failed, and — for its figures, while the others still show', async () => {
    answers['/api/v1/reports/summary'] = json({ error: { code: 'DB_ERROR', message: '数据库不可用' } }, 500);
    const page = mountPage();
    await flushPromises();
    expect(page.find('.el-alert').text()).toContain('加载失败：数据库不可用');
    expect(figures(page)['接通率']).toBe('—');
    const summaryExport = page.findAll('button').find((b) => b.text() === '导出CSV');
    expect(summaryExport?.attributes('disabled')).toBeDefined();
    expect(page.text()).toContain('城关街道');
    page.unmount();
  });
});

import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { noticeStateText, splitAreas } from '../src/api/notices';
import NoticeCountsTable from '../src/components/supervisor/NoticeCountsTable.vue';

const NOW = Date.parse('2026-12-03T02:00:00Z');
const window = { validFrom: '2026-12-03T00:00:00Z', validTo: '2026-12-03T10:00:00Z' };

describe('notices (公告)', () => {
  it('names the state a supervisor sees: 生效中, 未开始, 已结束, 已撤回', () => {
    expect(noticeStateText({ status: 'active', ...window }, NOW).text).toBe('生效中');
    expect(noticeStateText({ status: 'active', ...window }, Date.parse('2026-12-02T23:59:00Z')).text).toBe('未开始');
    expect(noticeStateText({ status: 'active', ...window }, Date.parse('2026-12-03T10:00:00Z')).text).toBe('已结束');
    expect(noticeStateText({ status: 'withdrawn', ...window }, NOW).text).toBe('已撤回');
  });

  it('splits the areas typed on one line on Chinese and Latin commas, 、 and spaces', () => {
    expect(splitAreas(' 河东区，大王庄街道、 向阳路,  ')).toEqual(['河东区', '大王庄街道', '向阳路']);
    expect(splitAreas('')).toEqual([]);
  });

  it('shows each notice in force with today\'s counts, amber from the surge threshold and red from twice it', () => {
    const w = mount(NoticeCountsTable, {
      props: {
        surgeAt: 10,
        notices: [
          { id: 1, title: '河东区停水通知', validTo: window.validTo, heardToday: 120, pressedToday: 25 },
          { id: 2, title: '解放路封闭施工', validTo: window.validTo, heardToday: 40, pressedToday: 12 },
          { id: 3, title: '供暖试水', validTo: window.validTo, heardToday: 8, pressedToday: 1 },
        ],
      },
    });
    const rows = w.findAll('tbody tr');
    expect(rows.map((r) => r.findAll('th, td').map((c) => c.text()).join(' '))).toEqual(['河东区停水通知 120 25', '解放路封闭施工 40 12', '供暖试水 8 1']);
    expect(rows.map((r) => r.classes().filter((c) => c === 'warn' || c === 'alarm'))).toEqual([['warn', 'alarm'], ['warn'], []]);
  });

  it('says so when no notice is in force', () => {
    const w = mount(NoticeCountsTable, { props: { notices: [] } });
    expect(w.text()).toContain('当前无生效公告');
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { BOM, csvField, csvFileName, downloadCsv, toCsv } from '../src/components/reports/csv';
import { FIGURES, SUMMARY_CSV } from '../src/components/reports/figures';
import { CATEGORY_CSV, categoryRows, DAILY_CSV, UNIT_CSV } from '../src/components/reports/tables';
import type { CategoryReport, DailyRow, SummaryReport, UnitReportRow } from '../src/api/reports';

const unit = (over: Partial<UnitReportRow>): UnitReportRow => ({
  unitId: 1, code: 'U1', name: '城关街道', received: 4, closed: 3, due: 2, closedOnTime: 1, rated: 2, returned: 1, overdue: 1,
  onTimeClosureRate: 0.5, satisfactionRate: 1, responseRate: 0.5, score: 70, rank: 1, ...over,
});

/** The CSV as Excel reads it: BOM off, lines split on CRLF (outside quotes: none of these rows has a line break). */
function lines(csv: string): string[] {
  expect(csv.startsWith(BOM)).toBe(true);
  expect(csv.endsWith('\r\n')).toBe(true);
  return csv.slice(1, -2).split('\r\n');
}

describe('CSV export', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('starts with a UTF-8 byte-order mark and ends each line with CRLF', () => {
    const csv = toCsv([{ header: '名称', value: (r: { n: string }) => r.n }], [{ n: '甲' }, { n: '乙' }]);
    expect(csv).toBe('\uFEFF名称\r\n甲\r\n乙\r\n');
    // The mark is the three bytes EF BB BF once encoded: what Excel looks for.
    expect([...new TextEncoder().encode(csv).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('quotes a field holding a comma, a quote or a line break, doubling the quotes', () => {
    expect(csvField('城关街道, 东区')).toBe('"城关街道, 东区"');
    expect(csvField('他说"好"')).toBe('"他说""好"""');
    expect(csvField('第一行\n第二行')).toBe('"第一行\n第二行"');
    expect(csvField('回车\r')).toBe('"回车\r"');
    expect(csvField('普通文字')).toBe('普通文字');
  });

  it('defuses a text cell beginning with = + - @ (or a tab) with a leading apostrophe, numbers stay numbers', () => {
    expect(csvField('=HYPERLINK("http://x","点我")')).toBe(`"'=HYPERLINK(""http://x"",""点我"")"`);
    expect(csvField('+8613800138000')).toBe("'+8613800138000");
    expect(csvField('-1+2')).toBe("'-1+2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(0.25)).toBe('0.25');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
  });

  it('exports the unit ranking with the Chinese headers and a row per unit, an unscored unit with empty cells', () => {
    const csv = toCsv(UNIT_CSV, [unit({}), unit({ unitId: 2, code: 'U2', name: '水务公司, 东区', score: 56.6667, rank: 2, onTimeClosureRate: 2 / 3 }), unit({ unitId: 3, code: 'U3', name: '=cmd|calc', score: null, rank: null, onTimeClosureRate: null, satisfactionRate: null, responseRate: null, received: 0 })]);
    expect(lines(csv)).toEqual([
      '排名,单位编码,承办单位,综合得分,收到工单,办结量,应办结量,按期办结量,按期办结率(%),回访评价量,满意率(%),响应率(%),退单量,超期(红灯)',
      '1,U1,城关街道,70,4,3,2,1,50,2,100,50,1,1',
      '2,U2,"水务公司, 东区",56.67,4,3,2,1,66.7,2,100,50,1,1',
      ",U3,'=cmd|calc,,0,3,2,1,,2,,,1,1",
    ]);
  });

  it('exports the summary as a row per figure under its Chinese name, no data as an empty cell', () => {
    const report: SummaryReport = {
      from: '2026-11-19T16:00:00.000Z',
      to: '2026-11-20T16:00:00.000Z',
      calls: { offered: 11, answered: 7, answeredWithinSl: 4, abandoned: 3, answerRate: 7 / 11, serviceLevel: 4 / 11, abandonRate: 3 / 11, asaS: 180 / 7, ahtS: 106 },
      orders: {
        received: 6, closed: 6, due: 0, dueClosed: 0, closedOnTime: 0, rated: 4, satisfied: 2, basically: 1, unsatisfied: 1, resolved: 2, dispatched: 5, respondedOnTime: 3, redispatched: 1, closedFirstTime: 3,
        closureRate: null, onTimeClosureRate: null, satisfactionRate: 0.75, resolutionRate: 0.5, responseRate: 0.6, firstTimeClosureRate: 0.5, redispatchRate: 0.2,
      },
    };
    const rows = lines(toCsv(SUMMARY_CSV, FIGURES.map((figure) => ({ figure, report }))));
    expect(rows[0]).toBe('类别,指标,数值,单位,说明');
    expect(rows).toContain('话务,呼入量,11,,进入人工队列的来电数');
    expect(rows).toContain('话务,接通率,63.6,%,接通量 ÷ 呼入量');
    expect(rows).toContain('话务,15秒接通率,36.4,%,15秒内接通量 ÷ 呼入量');
    expect(rows).toContain('话务,平均应答时长,25.7,秒,接通来电的平均排队等待时间');
    expect(rows).toContain('工单,按期办结率,,%,应办结工单中在办理时限内办结的比例');
    expect(rows).toContain('工单,满意率,75,%,（满意 + 基本满意）÷ 回访评价量');
    expect(rows).toHaveLength(1 + FIGURES.length);
  });

  it('exports the categories as one table (大类, 类别, 上升最快) and the daily trend a row per day', () => {
    const v = { categoryId: 3, code: 'A01', name: '供水', path: '城乡建设 / 供水', count: 3, previous: 0, change: 3, changeRate: null };
    const report: CategoryReport = { from: '', to: '', previous: { from: '', to: '' }, tops: [{ ...v, categoryId: 1, code: 'A', name: '城乡建设', path: '城乡建设', count: 4, previous: 1, change: 3, changeRate: 3 }], leaves: [v, { ...v, categoryId: 4, code: 'A02', path: '城乡建设 / 道路', count: 1, previous: 2, change: -1, changeRate: -0.5 }], rising: [v] };
    expect(lines(toCsv(CATEGORY_CSV, categoryRows(report)))).toEqual([
      '类型,分类编码,分类,本期,上期,变化,变化率(%)',
      '大类,A,城乡建设,4,1,3,300',
      '类别,A01,城乡建设 / 供水,3,0,3,',
      '类别,A02,城乡建设 / 道路,1,2,-1,-50',
      '上升最快,A01,城乡建设 / 供水,3,0,3,',
    ]);
    const day: DailyRow = { day: '2026-11-20', from: '', to: '', offered: 11, answered: 7, answeredWithinSl: 4, abandoned: 3, answerRate: 7 / 11, serviceLevel: 4 / 11, abandonRate: 3 / 11, asaS: null, ahtS: null };
    expect(lines(toCsv(DAILY_CSV, [day, { ...day, day: '2026-11-21', offered: 0, answered: 0, answeredWithinSl: 0, abandoned: 0, answerRate: null, serviceLevel: null, abandonRate: null }]))).toEqual([
      '日期,呼入量,接通量,15秒内接通量,放弃量,接通率(%),15秒接通率(%),放弃率(%)',
      '2026-11-20,11,7,4,3,63.6,36.4,27.3',
      '2026-11-21,0,0,0,0,,,',
    ]);
  });

  it('downloads the text as a UTF-8 CSV file through an object URL, revoked afterwards', async () => {
    let blob: Blob | undefined;
    const create = vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blob = b as Blob;
      return 'blob:report';
    });
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const clicked: { download: string; href: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ download: this.download, href: this.href });
    });
    const name = csvFileName('统计报表', '承办单位排名', '2026-11-16 至 2026-11-20');
    downloadCsv(name, toCsv(UNIT_CSV, [unit({})]));
    expect(name).toBe('统计报表-承办单位排名-2026-11-16 至 2026-11-20.csv');
    expect(clicked).toEqual([{ download: name, href: 'blob:report' }]);
    expect(create).toHaveBeenCalledOnce();
    expect(blob?.type).toBe('text/csv;charset=utf-8');
    const bytes = new Uint8Array(await (blob as Blob).arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    await new Promise((r) => setTimeout(r, 5));
    expect(revoke).toHaveBeenCalledWith('blob:report');
  });
});

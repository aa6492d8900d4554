import { expect } from 'chai';
import { categoryTrends } from '../../../src/metrics/category-trends.js';
import { compositeScore, rankUnits } from '../../../src/metrics/unit-ranking.js';

const counts = (unitId: number, over: Partial<Record<string, number>>) => ({ unitId, received: 0, respondedOnTime: 0, closed: 0, due: 0, closedOnTime: 0, rated: 0, satisfied: 0, basically: 0, returned: 0, overdue: 0, ...over });

describe('unit ranking and category trends', () => {
  it('when every rate is known, the score is 40 % on-time closure + 40 % satisfaction + 20 % response', () => {
    expect(compositeScore({ onTimeClosure: 0.5, satisfaction: 1, response: 0.5 })).to.be.closeTo(70, 1e-9);
  });

  it('when a rate is unknown, the other weights are renormalised; with none, there is no score', () => {
    expect(compositeScore({ onTimeClosure: null, satisfaction: 0.8, response: 0.6 })).to.be.closeTo((100 * (0.4 * 0.8 + 0.2 * 0.6)) / 0.6, 1e-9);
    expect(compositeScore({ onTimeClosure: null, satisfaction: null, response: null })).to.equal(null);
  });

  it('when two units score the same, they share a rank and the next one skips it; unscored units come last without a rank', () => {
    const units = [1, 2, 3, 4].map((id) => ({ id, code: `U${id}`, name: `单位${id}`, active: true }));
    const rows = rankUnits(units, [counts(1, { due: 2, closedOnTime: 1 }), counts(2, { due: 4, closedOnTime: 4 }), counts(3, { due: 2, closedOnTime: 1 })]);
    expect(rows.map((r) => [r.code, r.rank])).to.deep.equal([['U2', 1], ['U1', 2], ['U3', 2], ['U4', null]]);
  });

  it('when categories grew against the previous period, the largest increases are rising, rolled up to their top class', () => {
    const categories = [
      { id: 1, parentId: null, code: 'A', name: '城乡建设' },
      { id: 2, parentId: 1, code: 'A01', name: '供水' },
      { id: 3, parentId: 1, code: 'A02', name: '道路' },
      { id: 4, parentId: 2, code: 'A0101', name: '停水' },
    ];
    const trends = categoryTrends(categories, [{ categoryId: 4, count: 5 }, { categoryId: 3, count: 2 }], [{ categoryId: 4, count: 1 }, { categoryId: 3, count: 4 }], 1);
    expect(trends.tops).to.deep.include({ categoryId: 1, code: 'A', name: '城乡建设', path: '城乡建设', count: 7, previous: 5, change: 2, changeRate: 0.4 });
    expect(trends.rising.map((r) => [r.path, r.change, r.changeRate])).to.deep.equal([['城乡建设 / 供水 / 停水', 4, 4]]);
  });
});

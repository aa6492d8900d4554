import { expect } from 'chai';
import { directRate, directRates } from '../../../src/metrics/direct-rate.js';
import { ivrContainment, selfServiceFigures, type IvrPathCount } from '../../../src/metrics/ivr-containment.js';

const P = (path: string, outcome: string | null, calls: number, selfServed = false): IvrPathCount => ({ path, outcome, calls, selfServed });

/**
 * 10 calls of the default flow, worked out by hand:
 * 3 × welcome → main-menu → consult (queued)              2 × welcome (hung up during the welcome)
 * 2 × … progress → progress-offer → …-menu → progress-read, hung up there (self-served)
 * 1 × … progress-read → progress-after → progress-agent (heard the state, then asked for an agent: queued, NOT self-served)
 * 2 × … main-menu → goodbye (no key: the flow hung up)
 */
const GROUPS: IvrPathCount[] = [
  P('welcome,notices,main-menu,consult', 'queue', 3),
  P('welcome', 'caller-hangup', 2),
  P('welcome,notices,main-menu,progress,progress-offer,progress-offer-menu,progress-read', 'caller-hangup', 2, true),
  P('welcome,notices,main-menu,progress,progress-offer,progress-offer-menu,progress-read,progress-after,progress-read,progress-after,progress-agent', 'queue', 1),
  P('welcome,notices,main-menu,goodbye', 'hangup', 2),
];

describe('IVR containment and self-service (metrics/ivr-containment.ts)', () => {
  it('when calls take different branches, it counts per node who reached it, left there, went on to a queue, self-served, or was ended by the flow', () => {
    const rows = ivrContainment(GROUPS);
    const row = (node: string) => rows.find((r) => r.node === node);
    expect(row('welcome')).to.deep.include({ reached: 10, left: 2, queued: 4, selfServed: 2, ended: 0, leftRate: 0.2 });
    expect(row('main-menu')).to.deep.include({ reached: 8, left: 0, queued: 4, selfServed: 2, ended: 0 });
    expect(row('consult')).to.deep.include({ reached: 3, left: 0, queued: 3, selfServed: 0 });
    // Visited twice by one call: reached once.
    expect(row('progress-read')).to.deep.include({ reached: 3, left: 2, queued: 1, selfServed: 2, leftRate: 2 / 3 });
    expect(row('progress-after')).to.deep.include({ reached: 1, left: 0, queued: 1 });
    expect(row('goodbye')).to.deep.include({ reached: 2, ended: 2, left: 0 });
  });

  it('when the flow outline is given, rows follow its order with types and list unreached nodes at zero, then nodes no longer in it', () => {
    const rows = ivrContainment([P('a,gone', 'caller-hangup', 1)], [{ id: 'a', type: 'menu' }, { id: 'b', type: 'queue' }]);
    expect(rows.map((r) => [r.node, r.type, r.reached])).to.deep.equal([['a', 'menu', 1], ['b', 'queue', 0], ['gone', null, 1]]);
    expect(rows[1]?.leftRate).to.equal(null);
  });

  it('when no call entered the IVR, the rates are null (no rate, not 0 %)', () => {
    expect(selfServiceFigures({ entered: 0, selfServed: 0, queued: 0, left: 0 })).to.deep.include({ selfServiceRate: null, containmentRate: null });
  });

  it('computes 自助服务完成率 = selfServed ÷ entered and 拦截率 = (entered − queued) ÷ entered', () => {
    const f = selfServiceFigures({ entered: 10, selfServed: 2, queued: 4, left: 4 });
    expect(f.selfServiceRate).to.equal(0.2);
    expect(f.containmentRate).to.equal(0.6);
  });
});

describe('直办率 (metrics/direct-rate.ts)', () => {
  const categories = [
    { id: 1, parentId: null, code: '01', name: '城乡建设' },
    { id: 2, parentId: 1, code: '0101', name: '供水' },
    { id: 3, parentId: 1, code: '0102', name: '供暖' },
  ];

  it('computes direct ÷ received per category, named by its path, the most orders first', () => {
    const rows = directRates(categories, [
      { categoryId: 3, received: 4, direct: 1 },
      { categoryId: 2, received: 5, direct: 5 },
      { categoryId: 9, received: 0, direct: 0 },
    ]);
    expect(rows.map((r) => [r.path, r.received, r.direct, r.directRate])).to.deep.equal([
      ['城乡建设 / 供水', 5, 5, 1],
      ['城乡建设 / 供暖', 4, 1, 0.25],
    ]);
  });

  it('when a category received no order, it has no rate', () => {
    expect(directRate({ received: 0, direct: 0 })).to.equal(null);
  });
});

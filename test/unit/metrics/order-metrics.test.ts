import { expect } from 'chai';
import { EMPTY_ORDER_COUNTS, orderRates } from '../../../src/metrics/order-metrics.js';
import { queueRates } from '../../../src/metrics/queue-metrics.js';
import { ratio } from '../../../src/metrics/ratio.js';

describe('order and call formulas', () => {
  it('when the denominator is 0, a ratio is null, not 0 or NaN', () => {
    expect(ratio(0, 0)).to.equal(null);
    expect(ratio(3, 4)).to.equal(0.75);
  });

  it('when orders are counted, each rate divides by its own denominator', () => {
    const rates = orderRates({ ...EMPTY_ORDER_COUNTS, due: 8, dueClosed: 6, closedOnTime: 4, rated: 10, satisfied: 6, basically: 2, unsatisfied: 2, resolved: 7, dispatched: 5, respondedOnTime: 4, redispatched: 1, closed: 9, closedFirstTime: 3 });
    expect(rates).to.deep.equal({ closureRate: 6 / 8, onTimeClosureRate: 4 / 8, satisfactionRate: 8 / 10, resolutionRate: 0.7, responseRate: 0.8, firstTimeClosureRate: 3 / 9, redispatchRate: 0.2 });
  });

  it('when 基本满意 is weighted 0.8, the satisfaction is (6 + 0.8 × 2) ÷ 10', () => {
    const rates = orderRates({ ...EMPTY_ORDER_COUNTS, rated: 10, satisfied: 6, basically: 2 }, { satisfied: 1, basically: 0.8 });
    expect(rates.satisfactionRate).to.be.closeTo(0.76, 1e-12);
  });

  it('when nothing was due, rated or dispatched, the order rates are null', () => {
    expect(Object.values(orderRates(EMPTY_ORDER_COUNTS)).every((v) => v === null)).to.equal(true);
  });

  it('when short abandons are excluded, they leave the service-level denominator only', () => {
    const rates = queueRates({ offered: 10, answered: 7, answeredWithinSl: 6, abandoned: 3, shortAbandons: 2, waitSumMs: 70_000, handled: 5, handleSumMs: 600_000 });
    expect(rates).to.deep.equal({ answerRate: 0.7, serviceLevel: 6 / 8, abandonRate: 0.3, asaS: 10, ahtS: 120 });
  });
});

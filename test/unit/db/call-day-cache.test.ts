import { expect } from 'chai';
import { addCounts, CALL_SPAN_MS, countParams, DAY_MS, NO_CALLS, settledDays } from '../../../src/db/call-day-cache.js';

const MIDNIGHT = Date.parse('2026-11-01T16:00:00Z'); // 2026-11-02 00:00 in Shanghai
const period = (days: number, extraMs = 0) => ({ from: new Date(MIDNIGHT), to: new Date(MIDNIGHT + days * DAY_MS + extraMs) });

describe('settled days of the call counts', () => {
  it('when every day of a 7-day period ended more than an hour ago, it is 7 days and no rest', () => {
    expect(settledDays(period(7), MIDNIGHT + 7 * DAY_MS + CALL_SPAN_MS)).to.deep.equal({
      days: Array.from({ length: 7 }, (_, i) => MIDNIGHT + i * DAY_MS),
      rest: undefined,
    });
  });

  it('when the last day ended less than an hour ago, that day is the rest (its calls may still be in wrap-up)', () => {
    const { days, rest } = settledDays(period(7), MIDNIGHT + 7 * DAY_MS + CALL_SPAN_MS - 1);
    expect(days).to.have.length(6);
    expect(rest).to.deep.equal({ from: new Date(MIDNIGHT + 6 * DAY_MS), to: new Date(MIDNIGHT + 7 * DAY_MS) });
  });

  it('when the period ends mid-day or is today, the partial day is the rest', () => {
    const { days, rest } = settledDays(period(2, 3_600_000), MIDNIGHT + 30 * DAY_MS);
    expect(days).to.deep.equal([MIDNIGHT, MIDNIGHT + DAY_MS]);
    expect(rest).to.deep.equal({ from: new Date(MIDNIGHT + 2 * DAY_MS), to: new Date(MIDNIGHT + 2 * DAY_MS + 3_600_000) });
    expect(settledDays(period(1), MIDNIGHT + 3_600_000)).to.deep.equal({ days: [], rest: period(1) });
  });
});

describe('call count parameters and sums', () => {
  it('when the same thresholds come in another order, the key is the same; other thresholds give another key', () => {
    const a = countParams({ serviceLevelMs: 15_000, excludeAbandonsUnderMs: 5_000, serviceLevelMsByQueue: { vip: 10_000, complaint: 75_000 } });
    const b = countParams({ serviceLevelMs: 15_000, excludeAbandonsUnderMs: 5_000, serviceLevelMsByQueue: { complaint: 75_000, vip: 10_000 } });
    expect(a).to.equal('sl=15000;abandon=5000;q=complaint:75000,vip:10000');
    expect(b).to.equal(a);
    expect(countParams({ serviceLevelMs: 20_000, excludeAbandonsUnderMs: 5_000, serviceLevelMsByQueue: {} })).to.equal('sl=20000;abandon=5000;q=');
  });

  it('when two days are added, every count and sum is added field by field', () => {
    const day = { offered: 10, answered: 8, answeredWithinSl: 6, abandoned: 2, shortAbandons: 1, waitSumMs: 80_000, handled: 7, handleSumMs: 700_000 };
    expect(addCounts(addCounts(NO_CALLS, day), day)).to.deep.equal({ offered: 20, answered: 16, answeredWithinSl: 12, abandoned: 4, shortAbandons: 2, waitSumMs: 160_000, handled: 14, handleSumMs: 1_400_000 });
  });
});

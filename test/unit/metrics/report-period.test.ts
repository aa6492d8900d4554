import { expect } from 'chai';
import { previousPeriod, resolvePeriod } from '../../../src/metrics/report-period.js';
import { ValidationError } from '../../../src/shared/app-error.js';

const TZ = 'Asia/Shanghai';
const NOW = Date.parse('2026-11-20T17:30:00.000Z'); // 01:30 on the 21st in Shanghai

describe('report periods', () => {
  it('when no dates are given, the period is today in the centre time zone', () => {
    const p = resolvePeriod({}, NOW, TZ);
    expect([p.from.toISOString(), p.to.toISOString()]).to.deep.equal(['2026-11-20T16:00:00.000Z', '2026-11-21T16:00:00.000Z']);
  });

  it('when dates, local datetimes and zoned datetimes are given, each means what it says', () => {
    expect(resolvePeriod({ from: '2026-11-01', to: '2026-12-01' }, NOW, TZ).from.toISOString()).to.equal('2026-10-31T16:00:00.000Z');
    expect(resolvePeriod({ from: '2026-11-20T08:30', to: '2026-11-20T09:00:00Z' }, NOW, TZ).from.toISOString()).to.equal('2026-11-20T00:30:00.000Z');
    expect(resolvePeriod({ from: '2026-11-20T08:30:00+08:00' }, NOW, TZ).to.toISOString()).to.equal('2026-11-20T16:00:00.000Z');
  });

  it('when `to` is not after `from`, or a date does not exist, the refusal names the field', () => {
    const refusal = (q: { from?: string; to?: string }): string[] => {
      try {
        resolvePeriod(q, NOW, TZ);
      } catch (err) {
        if (err instanceof ValidationError) return err.issues.map((i) => i.path);
      }
      return [];
    };
    expect(refusal({ from: '2026-11-20', to: '2026-11-20' })).to.deep.equal(['to']);
    expect(refusal({ from: '2026-02-30' })).to.deep.equal(['from']);
    expect(refusal({ from: '2020-01-01', to: '2026-01-01' })).to.deep.equal(['to']);
  });

  it('when the previous period is asked, it has the same length and ends where the period starts', () => {
    const p = previousPeriod({ from: new Date('2026-11-16T16:00:00Z'), to: new Date('2026-11-23T16:00:00Z') });
    expect([p.from.toISOString(), p.to.toISOString()]).to.deep.equal(['2026-11-09T16:00:00.000Z', '2026-11-16T16:00:00.000Z']);
  });
});

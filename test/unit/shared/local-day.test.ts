import { expect } from 'chai';
import { startOfLocalDay } from '../../../src/shared/local-day.js';

describe('startOfLocalDay', () => {
  it('when it is 01:30 in Shanghai (17:30 UTC the day before), the day began at 16:00 UTC the day before', () => {
    expect(new Date(startOfLocalDay(Date.parse('2026-11-21T17:30:00Z'), 'Asia/Shanghai')).toISOString()).to.equal('2026-11-21T16:00:00.000Z');
  });

  it('when it is late evening in Shanghai, the day began at 16:00 UTC of the previous UTC day', () => {
    expect(new Date(startOfLocalDay(Date.parse('2026-11-22T15:59:59Z'), 'Asia/Shanghai')).toISOString()).to.equal('2026-11-21T16:00:00.000Z');
  });

  it('when the zone is UTC, it is UTC midnight', () => {
    expect(new Date(startOfLocalDay(Date.parse('2026-11-22T08:00:00Z'), 'UTC')).toISOString()).to.equal('2026-11-22T00:00:00.000Z');
  });
});

import { expect } from 'chai';
import { CallingHours } from '../../../src/dialer/calling-hours.js';
import { ValidationError } from '../../../src/shared/app-error.js';

const SHANGHAI = 'Asia/Shanghai';
/** An instant given as Beijing time (UTC+8, no DST). */
const bj = (local: string): Date => new Date(`${local}+08:00`);
const weekdaysOnly = (instant: Date): boolean => {
  const day = new Date(instant.getTime() + 8 * 3_600_000).getUTCDay();
  return day !== 0 && day !== 6;
};

describe('CallingHours', () => {
  const hours = CallingHours.parse('09:00-12:00,13:30-18:00', { timeZone: SHANGHAI });

  it('when parsing two windows, it keeps them in minutes and prints them back', () => {
    expect(hours.windows).to.deep.equal([
      { start: 540, end: 720 },
      { start: 810, end: 1080 },
    ]);
    expect(hours.toString()).to.equal('09:00-12:00,13:30-18:00');
  });

  for (const [text, reason] of [
    ['9:00-12:00', /is not HH:MM-HH:MM/],
    ['12:00-09:00', /ends before it starts/],
    ['09:00-12:00,11:00-13:00', /overlaps/],
    ['09:61-12:00', /not a time of day/],
  ] as const) {
    it(`when given "${text}", it refuses it saying why`, () => {
      let error: unknown;
      try {
        CallingHours.parse(text, { timeZone: SHANGHAI });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).message).to.match(reason);
      expect((error as ValidationError).issues[0]?.path).to.equal('CALLING_HOURS');
    });
  }

  it('when it is inside a window in Beijing time, it is open; at the end minute and over lunch, it is closed', () => {
    expect(hours.isOpen(bj('2026-03-02T08:59:59'))).to.equal(false);
    expect(hours.isOpen(bj('2026-03-02T09:00:00'))).to.equal(true);
    expect(hours.isOpen(bj('2026-03-02T11:59:59'))).to.equal(true);
    expect(hours.isOpen(bj('2026-03-02T12:00:00'))).to.equal(false);
    expect(hours.isOpen(bj('2026-03-02T13:29:00'))).to.equal(false);
    expect(hours.isOpen(bj('2026-03-02T13:30:00'))).to.equal(true);
    expect(hours.isOpen(bj('2026-03-02T18:00:00').getTime())).to.equal(false);
  });

  it('when the same instant is read in another time zone, it is judged by that zone', () => {
    // 10:00 in Beijing is 02:00 UTC: open in Shanghai, closed for a UTC schedule.
    const utc = CallingHours.parse('09:00-12:00,13:30-18:00', { timeZone: 'UTC' });
    expect(hours.isOpen(bj('2026-03-02T10:00:00'))).to.equal(true);
    expect(utc.isOpen(bj('2026-03-02T10:00:00'))).to.equal(false);
    expect(utc.isOpen(new Date('2026-03-02T10:00:00Z'))).to.equal(true);
  });

  it('when open, nextOpen is the instant itself', () => {
    expect(hours.nextOpen(bj('2026-03-02T10:15:00'))).to.deep.equal(bj('2026-03-02T10:15:00'));
  });

  it('when in the lunch break, nextOpen is 13:30 the same day', () => {
    expect(hours.nextOpen(bj('2026-03-02T12:10:00'))).to.deep.equal(bj('2026-03-02T13:30:00'));
  });

  it('when before the first window or after the last one, nextOpen is 09:00 that day or the next', () => {
    expect(hours.nextOpen(bj('2026-03-02T06:00:00'))).to.deep.equal(bj('2026-03-02T09:00:00'));
    expect(hours.nextOpen(bj('2026-03-02T19:00:00'))).to.deep.equal(bj('2026-03-03T09:00:00'));
    // Just before Beijing midnight is already the next UTC day: the local day must count, not the UTC one.
    expect(hours.nextOpen(bj('2026-03-02T23:30:00'))).to.deep.equal(bj('2026-03-03T09:00:00'));
  });

  it('when only working days are calling days, Friday evening and Saturday lead to Monday 09:00', () => {
    const office = CallingHours.parse('09:00-12:00,13:30-18:00', { timeZone: SHANGHAI, isCallingDay: weekdaysOnly });
    expect(office.isOpen(bj('2026-03-07T10:00:00'))).to.equal(false); // Saturday
    expect(office.nextOpen(bj('2026-03-06T18:30:00'))).to.deep.equal(bj('2026-03-09T09:00:00'));
    expect(office.nextOpen(bj('2026-03-07T10:00:00'))).to.deep.equal(bj('2026-03-09T09:00:00'));
  });

  it('when no day is ever a calling day, nextOpen is undefined', () => {
    const never = CallingHours.parse('09:00-18:00', { timeZone: SHANGHAI, isCallingDay: () => false });
    expect(never.nextOpen(bj('2026-03-02T10:00:00'))).to.equal(undefined);
  });
});

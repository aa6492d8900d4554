import { expect } from 'chai';
import sinon from 'sinon';
import { deadlineRangeFor, lightOf, overdueWorkingDays, remainingWorkingDays, ticketLight } from '../../../src/tickets/ticket-lights.js';
import { WeekendOnlyCalendar } from '../../../src/tickets/working-day-calendar.js';
import { agent, DAY, FRIDAY_10H, HOUR, ticketFixture, type TicketFixture } from './ticket-fixture.js';

const calendar = new WeekendOnlyCalendar('Asia/Shanghai');
const at = (iso: string) => new Date(iso);
// Shanghai is UTC+8: 02:00Z is 10:00 local.
const MONDAY_10H = at('2026-11-23T02:00:00.000Z');

describe('ticket lights', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when the deadline is next Monday, it is yellow on Friday and over the weekend, red once passed', () => {
    expect(lightOf(MONDAY_10H, new Date(FRIDAY_10H), calendar)).to.equal('yellow');
    expect(lightOf(MONDAY_10H, new Date(FRIDAY_10H - HOUR), calendar)).to.equal('green');
    expect(lightOf(MONDAY_10H, at('2026-11-21T04:00:00.000Z'), calendar)).to.equal('yellow'); // Saturday noon
    expect(lightOf(MONDAY_10H, MONDAY_10H, calendar)).to.equal('yellow');
    expect(lightOf(MONDAY_10H, new Date(MONDAY_10H.getTime() + 1), calendar)).to.equal('red');
  });

  it('when an order is late, it counts whole working days past the deadline, weekends not counted', () => {
    const thursday = at('2026-11-19T02:00:00.000Z');
    expect(overdueWorkingDays(thursday, at('2026-11-20T01:59:00.000Z'), calendar)).to.equal(0);
    expect(overdueWorkingDays(thursday, new Date(FRIDAY_10H), calendar)).to.equal(1);
    expect(overdueWorkingDays(thursday, at('2026-11-22T12:00:00.000Z'), calendar)).to.equal(1); // Sunday
    expect(overdueWorkingDays(thursday, MONDAY_10H, calendar)).to.equal(2);
    expect(ticketLight({ state: 'signed', signBy: null, replyBy: thursday }, MONDAY_10H, calendar)).to.deep.equal({ light: 'red', overdueWorkingDays: 2, remainingWorkingDays: 0 });
    expect(ticketLight({ state: 'replied', signBy: null, replyBy: thursday }, MONDAY_10H, calendar)).to.deep.equal({ light: null, overdueWorkingDays: 0, remainingWorkingDays: 0 });
  });

  it('when an order is not late yet, it counts whole working days left before the deadline, weekends not counted', () => {
    const thursday = at('2026-11-26T02:00:00.000Z');
    expect(remainingWorkingDays(thursday, new Date(FRIDAY_10H), calendar)).to.equal(4); // Mon, Tue, Wed, Thu
    expect(remainingWorkingDays(thursday, new Date(FRIDAY_10H + HOUR), calendar)).to.equal(3);
    expect(remainingWorkingDays(MONDAY_10H, at('2026-11-21T04:00:00.000Z'), calendar)).to.equal(0); // Saturday noon: less than one
    expect(remainingWorkingDays(MONDAY_10H, new Date(FRIDAY_10H), calendar)).to.equal(1);
    expect(ticketLight({ state: 'dispatched', signBy: thursday, replyBy: null }, new Date(FRIDAY_10H), calendar)).to.deep.equal({ light: 'green', overdueWorkingDays: 0, remainingWorkingDays: 4 });
  });

  it('when a light is asked as a range, it gives the bounds the repository filters on', () => {
    const now = new Date(FRIDAY_10H);
    expect(deadlineRangeFor('red', now, calendar)).to.deep.equal({ before: now });
    expect(deadlineRangeFor('yellow', now, calendar)).to.deep.equal({ notBefore: now, notAfter: MONDAY_10H });
    expect(deadlineRangeFor('green', now, calendar)).to.deep.equal({ after: MONDAY_10H });
  });

  describe('on orders', () => {
    let f: TicketFixture;

    beforeEach(async () => {
      f = await ticketFixture();
    });

    it('when the clock moves over the weekend, the stored deadlines light green, yellow, red and the list filters on them', async () => {
      // 供暖 (reply 4 working days): signed at once, reply by Thursday 10:00.
      const heating = await f.order({ categoryId: f.ids.heating });
      const signed = await f.act(heating.code, 'sign', {}, f.unitUser);
      expect(signed.replyBy?.toISOString()).to.equal('2026-11-26T02:00:00.000Z');
      // 室温不达标: sign by Monday 10:00.
      const cold = await f.order();
      const closed = await f.order({ requestType: 'consult', answeredOnCall: true, answer: '已告知供暖季室温标准为18℃' });
      const lights = async () => Object.fromEntries((await f.service.list({}, agent, { limit: 10, offset: 0 })).items.map((t) => [t.code, [t.light, t.overdueWorkingDays]]));
      const filtered = async (light: 'red' | 'yellow' | 'green') => (await f.service.list({ light }, agent, { limit: 10, offset: 0 })).items.map((t) => t.code);

      expect(await lights()).to.deep.equal({ [heating.code]: ['green', 0], [cold.code]: ['yellow', 0], [closed.code]: [null, 0] });
      expect(await filtered('green')).to.deep.equal([heating.code]);
      expect(await filtered('yellow')).to.deep.equal([cold.code]);
      expect(await filtered('red')).to.deep.equal([]);

      f.advance(3 * DAY + HOUR); // Monday 11:00
      expect(await lights()).to.deep.equal({ [heating.code]: ['green', 0], [cold.code]: ['red', 0], [closed.code]: [null, 0] });
      expect(await filtered('red')).to.deep.equal([cold.code]);

      f.advance(2 * DAY); // Wednesday 11:00
      expect((await f.service.get(heating.code, agent)).light).to.equal('yellow');
      expect((await f.service.get(cold.code, agent)).overdueWorkingDays).to.equal(2);
      expect(await filtered('yellow')).to.deep.equal([heating.code]);
      expect(await filtered('green')).to.deep.equal([]);
    });
  });
});

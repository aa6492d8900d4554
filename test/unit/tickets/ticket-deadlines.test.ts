import { expect } from 'chai';
import { DeadlinePolicy } from '../../../src/tickets/ticket-deadlines.js';
import { WeekendOnlyCalendar } from '../../../src/tickets/working-day-calendar.js';
import type { Category } from '../../../src/tickets/catalog.js';

const FRIDAY_10H = new Date('2026-11-20T02:00:00.000Z');
const category = (over: Partial<Category>): Category => ({
  id: 1,
  parentId: null,
  code: '02',
  name: '噪音扰民',
  level: 1,
  defaultUnitId: null,
  replyDays: null,
  replyHours: null,
  signDays: null,
  active: true,
  ...over,
});

describe('deadline policy', () => {
  const policy = new DeadlinePolicy(new WeekendOnlyCalendar('Asia/Shanghai'));

  it('when nothing is configured, it gives sign 1, return 1 and reply 4 working days, over the weekend', () => {
    const d = policy.compute([category({})], 'complaint', 'normal', FRIDAY_10H);
    expect(d.signBy.toISOString()).to.equal('2026-11-23T02:00:00.000Z');
    expect(d.returnBy.toISOString()).to.equal('2026-11-23T02:00:00.000Z');
    expect(d.replyBy.toISOString()).to.equal('2026-11-26T02:00:00.000Z');
  });

  it('when a water/power/gas/heating (code 05…) consult comes in, it must be replied within 24 hours; a complaint there keeps its days', () => {
    const heating = [category({ id: 2, code: '0501', name: '供暖', level: 2, parentId: 1 }), category({ code: '05', name: '供水供电供气供暖' })];
    expect(policy.compute(heating, 'consult', 'normal', FRIDAY_10H).replyBy.toISOString()).to.equal('2026-11-21T02:00:00.000Z');
    expect(policy.compute(heating, 'complaint', 'normal', FRIDAY_10H).replyBy.toISOString()).to.equal('2026-11-26T02:00:00.000Z');
    const custom = new DeadlinePolicy(new WeekendOnlyCalendar('Asia/Shanghai'), { fastConsultCategoryPrefixes: ['02'], fastConsultHours: 12 });
    expect(custom.compute([category({})], 'consult', 'normal', FRIDAY_10H).replyBy.toISOString()).to.equal('2026-11-20T14:00:00.000Z');
  });

  it('when the order is an emergency, it is signed within 1 hour and replied within 2', () => {
    const d = policy.compute([category({ replyDays: 3 })], 'help', 'emergency', FRIDAY_10H);
    expect(d.signBy.toISOString()).to.equal('2026-11-20T03:00:00.000Z');
    expect(d.replyBy.toISOString()).to.equal('2026-11-20T04:00:00.000Z');
  });

  it('when an extension is approved, it counts working days from the current reply deadline', () => {
    expect(policy.extend(FRIDAY_10H, 1).toISOString()).to.equal('2026-11-23T02:00:00.000Z');
  });
});

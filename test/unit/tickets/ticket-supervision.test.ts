import { expect } from 'chai';
import sinon from 'sinon';
import { agent, DAY, FRIDAY_10H, HOUR, rejection, ticketFixture, type TicketFixture } from './ticket-fixture.js';

describe('ticket supervision and duplicates', () => {
  let f: TicketFixture;

  beforeEach(async () => {
    f = await ticketFixture({ duplicateWindowDays: 7 });
  });

  afterEach(() => {
    sinon.restore();
  });

  it('when orders are past or near their deadline, overdue() lists them with the liaison, oldest deadline first', async () => {
    const cold = await f.order(); // sign by Monday 10:00
    const heating = await f.order({ categoryId: f.ids.heating });
    await f.act(heating.code, 'sign', {}, f.unitUser); // reply by Thursday 10:00
    f.advance(3 * DAY + HOUR); // Monday 11:00
    const now = new Date(f.now());
    const red = await f.service.overdue(now, false);
    expect(red).to.have.length(1);
    expect(red[0]).to.deep.include({
      ticketId: cold.id,
      code: cold.code,
      step: 'sign',
      light: 'red',
      overdueWorkingDays: 0,
      escalationLevel: 0,
      unitId: f.gnbId,
      unitName: '区供暖办公室',
      liaisonName: '王丽',
      liaisonPhone: '01065120001',
      liaisonSipUri: null,
      acknowledged: false,
      attempts: 0,
      lastAttemptAt: null,
    });
    expect(red[0]?.deadline.toISOString()).to.equal('2026-11-23T02:00:00.000Z');
    f.advance(2 * DAY); // Wednesday 11:00: the reply deadline is within a working day
    const withYellow = await f.service.overdue(new Date(f.now()), true);
    expect(withYellow.map((o) => [o.code, o.light, o.step, o.overdueWorkingDays])).to.deep.equal([
      [cold.code, 'red', 'sign', 2],
      [heating.code, 'yellow', 'reply', 0],
    ]);
  });

  it('when attempts are recorded, they are counted per step and deadline and an acknowledgement is kept', async () => {
    const t = await f.order();
    f.advance(3 * DAY + HOUR);
    const [order] = await f.service.overdue(new Date(f.now()), false);
    if (order === undefined) throw new Error('expected an overdue order');
    const attempt = { ticketId: t.id, step: order.step, deadline: order.deadline, target: '01065120001', callId: 'sv-1@10.0.0.1' };
    await f.service.recordAttempt({ ...attempt, attempt: 1, result: 'no-answer', at: new Date(f.now()) });
    f.advance(HOUR);
    await f.service.recordAttempt({ ...attempt, attempt: 2, result: 'acknowledged', at: new Date(f.now()) });
    const [again] = await f.service.overdue(new Date(f.now()), false);
    expect(again).to.include({ attempts: 2, acknowledged: true });
    expect(again?.lastAttemptAt?.getTime()).to.equal(f.now());
    const got = await f.service.get(t.code, agent);
    expect(got.version).to.equal(1); // calls change no column: a unit's open form stays valid
    expect(got.events.slice(-3).map((e) => [e.type, e.actorRole, e.data.result, e.data.attempt])).to.deep.equal([
      ['supervision-call', 'system', 'no-answer', 1],
      ['supervision-call', 'system', 'acknowledged', 2],
      ['supervision-acknowledged', 'system', 'acknowledged', 2],
    ]);
  });

  it('when an order is escalated, the level rises once with an escalated event and never falls', async () => {
    const t = await f.order();
    const at = new Date(f.now());
    await f.service.escalate(t.id, 1, '超期未签收，已电话督办', at);
    await f.service.escalate(t.id, 1, 'again', at);
    await f.service.escalate(t.id, 2, '督办后仍未签收，报分管领导', at);
    await f.service.escalate(t.id, 1, 'lower', at);
    const got = await f.service.get(t.code, agent);
    expect(got.escalationLevel).to.equal(2);
    expect(got.events.filter((e) => e.type === 'escalated').map((e) => [e.note, e.data])).to.deep.equal([
      ['超期未签收，已电话督办', { from: 0, to: 1 }],
      ['督办后仍未签收，报分管领导', { from: 1, to: 2 }],
    ]);
    expect((await rejection(f.service.escalate(t.id, 4, 'x', at))).code).to.equal('VALIDATION_FAILED');
  });

  it('when the same caller asks about the same category within the window, the new order is linked, not refused', async () => {
    const form = { residentPhone: '13900001111' };
    const first = await f.order(form);
    f.advance(2 * DAY);
    const second = await f.order(form);
    expect(second).to.include({ duplicate: true, duplicateOf: first.id, state: 'dispatched' });
    expect(second.events.map((e) => e.type)).to.deep.equal(['created', 'linked-duplicate', 'dispatched']);
    const original = await f.service.get(first.code, agent);
    expect(original.duplicate).to.equal(false);
    expect(original.events.at(-1)).to.include({ type: 'linked-duplicate' });
    expect(original.events.at(-1)?.data).to.deep.include({ duplicate: second.id, duplicateCode: second.code });
    // A third repeat links to the first order, not to the second.
    const third = await f.order(form);
    expect(third.duplicateOf).to.equal(first.id);
    // Another category, or after the window: not linked.
    expect((await f.order({ ...form, categoryId: f.ids.heating })).duplicate).to.equal(false);
    f.setNow(FRIDAY_10H + 10 * DAY);
    expect((await f.order(form)).duplicate).to.equal(false);
  });

  it('when the window is 0 days, nothing is linked', async () => {
    const g = await ticketFixture({ duplicateWindowDays: 0 });
    await g.order({ residentPhone: '13900001111' });
    expect((await g.order({ residentPhone: '13900001111' })).duplicate).to.equal(false);
  });
});

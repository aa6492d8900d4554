import { expect } from 'chai';
import sinon from 'sinon';
import { NotFoundError } from '../../../src/shared/app-error.js';
import { TICKET_ACTION_NAMES, TICKET_ACTIONS, type TicketAction } from '../../../src/tickets/ticket-lifecycle.js';
import { SYSTEM_ACTOR, TICKET_STATES, type TicketActor, type TicketState, type TicketWithEvents } from '../../../src/tickets/ticket.js';
import { admin, agent, DAY, GOOD_REPLY, HOUR, refusal, rejection, supervisor, ticketFixture, type TicketFixture } from './ticket-fixture.js';

describe('ticket lifecycle', () => {
  let f: TicketFixture;

  beforeEach(async () => {
    f = await ticketFixture();
  });

  afterEach(() => {
    sinon.restore();
  });

  const body = (action: TicketAction): Record<string, unknown> =>
    ({
      dispatch: { unitId: f.gnbId },
      sign: {},
      return: { reason: '不属于本单位职责范围' },
      start: {},
      'request-extension': { reason: '需协调供热公司检修', days: 3 },
      'approve-extension': {},
      'refuse-extension': { note: '可按期办结' },
      reply: GOOD_REPLY,
      'review-approve': {},
      'review-reject': { reason: '答复未说明处理结果' },
      survey: { satisfaction: 'satisfied', resolution: 'resolved' },
      close: {},
      reopen: { reason: '市民再次来电反映未解决' },
    })[action];

  /** An actor allowed to take `action` on a GNB order. */
  const actorFor = (action: TicketAction): TicketActor => (TICKET_ACTIONS[action].roles.includes('unit' as never) ? f.unitUser : admin);

  /** Drives a new order to `state` through the real actions (created and surveyed are set on the row). */
  async function orderIn(state: TicketState, pendingExtension = false): Promise<TicketWithEvents> {
    const t = await f.order();
    const path: Partial<Record<TicketState, [TicketAction, TicketActor][]>> = {
      signed: [['sign', f.unitUser]],
      'in-progress': [
        ['sign', f.unitUser],
        ['start', f.unitUser],
      ],
      returned: [['return', f.unitUser]],
      replied: [
        ['sign', f.unitUser],
        ['reply', f.unitUser],
      ],
      reviewed: [
        ['sign', f.unitUser],
        ['reply', f.unitUser],
        ['review-approve', supervisor],
      ],
      closed: [
        ['sign', f.unitUser],
        ['reply', f.unitUser],
        ['review-approve', supervisor],
        ['survey', agent],
      ],
    };
    for (const [action, actor] of path[state] ?? []) await f.act(t.code, action, body(action), actor);
    if (pendingExtension) await f.act(t.code, 'request-extension', body('request-extension'), f.unitUser);
    if (state === 'created' || state === 'surveyed') forceState(t.code, state);
    const got = await f.tickets.findByCode(t.code);
    if (got === undefined) throw new Error('lost the order');
    return got;
  }

  function forceState(code: string, state: TicketState): void {
    const i = f.tickets.rows.findIndex((r) => r.code === code);
    const row = f.tickets.rows[i];
    if (row !== undefined) f.tickets.rows[i] = { ...row, state };
  }

  const legal: [TicketAction, TicketState, TicketState, boolean?][] = [
    ['dispatch', 'created', 'dispatched'],
    ['dispatch', 'returned', 'dispatched'],
    ['sign', 'dispatched', 'signed'],
    ['return', 'dispatched', 'returned'],
    ['return', 'signed', 'returned'],
    ['start', 'signed', 'in-progress'],
    ['request-extension', 'signed', 'signed'],
    ['request-extension', 'in-progress', 'in-progress'],
    ['approve-extension', 'signed', 'signed', true],
    ['approve-extension', 'in-progress', 'in-progress', true],
    ['refuse-extension', 'in-progress', 'in-progress', true],
    ['reply', 'signed', 'replied'],
    ['reply', 'in-progress', 'replied'],
    ['review-approve', 'replied', 'reviewed'],
    ['review-reject', 'replied', 'in-progress'],
    ['survey', 'reviewed', 'closed'],
    ['close', 'reviewed', 'closed'],
    ['close', 'surveyed', 'closed'],
    ['reopen', 'closed', 'dispatched'],
  ];
  for (const [action, from, to, pending] of legal) {
    it(`when ${action} is taken on a ${from} order${pending === true ? ' with an extension pending' : ''}, it becomes ${to} with a new event and version`, async () => {
      const before = await orderIn(from, pending);
      const after = await f.act(before.code, action, body(action), actorFor(action));
      expect(after.state).to.equal(to);
      expect(after.version).to.equal(before.version + 1);
      expect(after.events.length).to.be.greaterThan(before.events.length);
      const last = after.events.at(-1);
      expect(last?.actorRole).to.equal(actorFor(action).role);
      expect(last?.channel).to.equal('web');
    });
  }

  it('when every action is tried in every state that does not allow it, it is refused INVALID_TRANSITION naming both', async () => {
    const t = await f.order();
    let refused = 0;
    for (const action of TICKET_ACTION_NAMES) {
      for (const state of TICKET_STATES) {
        if ((TICKET_ACTIONS[action].from as readonly TicketState[]).includes(state)) continue;
        forceState(t.code, state);
        const err = await rejection(f.act(t.code, action, body(action), actorFor(action)));
        expect(err.code, `${action} in ${state}`).to.equal('INVALID_TRANSITION');
        expect(err.message).to.equal(`ticket ${t.code} is ${state}: cannot ${action}`);
        refused++;
      }
    }
    expect(refused).to.equal(TICKET_ACTION_NAMES.length * TICKET_STATES.length - legalPairs());
    expect((await f.tickets.findByCode(t.code))?.version).to.equal(1);
  });

  function legalPairs(): number {
    return TICKET_ACTION_NAMES.reduce((n, a) => n + TICKET_ACTIONS[a].from.length, 0);
  }

  it('when an extension is approved or refused with none pending, it is refused INVALID_TRANSITION', async () => {
    const t = await orderIn('in-progress');
    const err = await rejection(f.act(t.code, 'approve-extension', {}, supervisor));
    expect(err.code).to.equal('INVALID_TRANSITION');
    expect(err.message).to.equal(`ticket ${t.code} is in-progress with no extension pending: cannot approve-extension`);
  });

  it('when the version given is stale, it is refused VERSION_CONFLICT and nothing is written', async () => {
    const t = await f.order();
    await f.act(t.code, 'sign', {}, f.unitUser);
    const err = await rejection(f.service.act(t.code, 'start', { version: 1 }, f.unitUser, 'web'));
    expect(err.code).to.equal('VERSION_CONFLICT');
    const got = await f.service.get(t.code, agent);
    expect(got).to.include({ state: 'signed', version: 2 });
    const missing = await refusal(f.service.act(t.code, 'start', {}, f.unitUser, 'web'));
    expect(missing.issues).to.deep.equal([{ path: 'version', message: 'is required' }]);
  });

  it('when a role may not take the action, it is refused FORBIDDEN', async () => {
    const t = await orderIn('replied');
    expect((await rejection(f.act(t.code, 'review-approve', {}, f.unitUser))).code).to.equal('FORBIDDEN');
    const d = await f.order();
    expect((await rejection(f.act(d.code, 'sign', {}, agent))).code).to.equal('FORBIDDEN');
    expect((await f.act(d.code, 'sign', {}, supervisor)).state).to.equal('signed');
  });

  it('when a unit user acts on another unit’s order, it is not found; hotline roles see all', async () => {
    const theirs = await f.order({ handlingUnitId: f.cgwId });
    expect(await rejection(f.act(theirs.code, 'sign', {}, f.unitUser))).to.be.instanceOf(NotFoundError);
    expect(await rejection(f.service.get(theirs.code, f.unitUser))).to.be.instanceOf(NotFoundError);
    expect((await f.service.get(theirs.code, supervisor)).code).to.equal(theirs.code);
  });

  it('when a unit returns an order within the deadline, its unit is cleared and a re-dispatch counts and recomputes deadlines', async () => {
    const t = await f.order();
    const short = await refusal(f.act(t.code, 'return', { reason: '不归' }, f.unitUser));
    expect(short.issues).to.deep.equal([{ path: 'reason', message: 'must be at least 5 characters' }]);
    const returned = await f.act(t.code, 'return', body('return'), f.unitUser);
    expect(returned).to.include({ state: 'returned', currentUnitId: null, signBy: null, replyBy: null });
    expect(returned.events.at(-1)).to.include({ type: 'returned', note: '不属于本单位职责范围', unitId: f.gnbId });
    expect(await rejection(f.service.get(t.code, f.unitUser))).to.be.instanceOf(NotFoundError);
    f.advance(3 * DAY); // Monday 10:00
    const again = await f.act(t.code, 'dispatch', { unitId: f.cgwId }, agent);
    expect(again).to.include({ state: 'dispatched', currentUnitId: f.cgwId, handlingUnitId: f.gnbId, dispatchCount: 2 });
    expect(again.signBy?.toISOString()).to.equal('2026-11-24T02:00:00.000Z');
    expect(again.returnBy?.toISOString()).to.equal('2026-11-24T02:00:00.000Z');
    expect(again.events.at(-1)?.data).to.include({ redispatch: true, unitCode: 'CGW' });
  });

  it('when the return deadline has passed, 退单 is refused RETURN_TOO_LATE', async () => {
    const t = await f.order(); // Friday 10:00: return by Monday 10:00
    f.advance(3 * DAY + 1);
    const err = await rejection(f.act(t.code, 'return', body('return'), f.unitUser));
    expect(err.code).to.equal('RETURN_TOO_LATE');
    expect((await f.tickets.findByCode(t.code))?.state).to.equal('dispatched');
  });

  it('when an extension is approved, replyBy moves by the working days from the current replyBy; refused keeps it', async () => {
    const t = await orderIn('in-progress'); // replyBy Monday 10:00 (室温不达标: 1 working day)
    expect(t.replyBy?.toISOString()).to.equal('2026-11-23T02:00:00.000Z');
    const asked = await f.act(t.code, 'request-extension', { reason: '需协调供热公司检修', days: 3 }, f.unitUser);
    expect(asked).to.include({ extensionStatus: 'pending', extensionDays: 3, extensionReason: '需协调供热公司检修' });
    expect((await rejection(f.act(t.code, 'request-extension', body('request-extension'), f.unitUser))).code).to.equal('EXTENSION_NOT_ALLOWED');
    const approved = await f.act(t.code, 'approve-extension', {}, supervisor);
    expect(approved.replyBy?.toISOString()).to.equal('2026-11-26T02:00:00.000Z'); // Thursday
    expect(approved).to.include({ extensionStatus: 'approved', extensionGrantedDays: 3 });
    const tooMany = await refusal(f.act(t.code, 'request-extension', { reason: '仍需协调多个部门', days: 8 }, f.unitUser));
    expect(tooMany.issues).to.deep.equal([{ path: 'days', message: 'must be at most 7: 3 of 10 working days are already granted' }]);
    const overMax = await refusal(f.act(t.code, 'request-extension', { reason: '仍需协调多个部门', days: 11 }, f.unitUser));
    expect(overMax.issues).to.deep.equal([{ path: 'days', message: 'must be at most 10' }]);
    await f.act(t.code, 'request-extension', { reason: '仍需协调多个部门', days: 2 }, f.unitUser);
    const refused = await f.act(t.code, 'refuse-extension', {}, admin);
    expect(refused.replyBy?.toISOString()).to.equal('2026-11-26T02:00:00.000Z');
    expect(refused.extensionStatus).to.equal('refused');
  });

  it('when a supervisor grants fewer days than asked, replyBy moves by those; more than asked is refused naming days', async () => {
    const t = await orderIn('in-progress'); // replyBy Monday 10:00
    await f.act(t.code, 'request-extension', { reason: '需协调供热公司检修', days: 3 }, f.unitUser);
    const tooMany = await refusal(f.act(t.code, 'approve-extension', { days: 4 }, supervisor));
    expect(tooMany.issues).to.deep.equal([{ path: 'days', message: 'must be at most 3: the unit asked for 3 working days' }]);
    const approved = await f.act(t.code, 'approve-extension', { days: 2, note: '先给两天' }, supervisor);
    expect(approved.replyBy?.toISOString()).to.equal('2026-11-25T02:00:00.000Z'); // Wednesday
    expect(approved).to.include({ extensionStatus: 'approved', extensionGrantedDays: 2 });
    expect(approved.events.at(-1)).to.deep.include({ type: 'extension-approved', note: '先给两天' });
    expect(approved.events.at(-1)?.data).to.include({ days: 2, asked: 3 });
  });

  it('when a reply lacks the handler or is boilerplate, it names each field; a good reply is stored', async () => {
    const t = await orderIn('in-progress');
    const err = await refusal(f.act(t.code, 'reply', { content: '已处理已处理已处理已处理已处理' }, f.unitUser));
    expect(err.issues.map((i) => i.path)).to.deep.equal(['handlerName', 'handlerPhone', 'content']);
    const replied = await f.act(t.code, 'reply', GOOD_REPLY, f.unitUser);
    expect(replied).to.include({ state: 'replied', replyContent: GOOD_REPLY.content, repliedByName: '李明', repliedByPhone: '01065120001' });
  });

  it('when the survey says 不满意, the order is reopened to the same unit with new deadlines and the count kept', async () => {
    const t = await orderIn('reviewed');
    expect((await f.service.surveyCandidates(10)).map((c) => c.code)).to.deep.equal([t.code]);
    f.advance(4 * DAY); // Tuesday 10:00
    const reopened = await f.act(t.code, 'survey', { satisfaction: '不满意', resolution: 'unresolved' }, SYSTEM_ACTOR);
    expect(reopened).to.include({ state: 'dispatched', currentUnitId: f.gnbId, reopenCount: 1, satisfaction: 'unsatisfied', resolution: 'unresolved' });
    expect(reopened.signBy?.toISOString()).to.equal('2026-11-25T02:00:00.000Z');
    expect(reopened.events.slice(-2).map((e) => [e.type, e.actorRole])).to.deep.equal([
      ['surveyed', 'system'],
      ['reopened', 'system'],
    ]);
    expect(await f.service.surveyCandidates(10)).to.deep.equal([]);
    for (const [action, actor] of [
      ['sign', f.unitUser],
      ['reply', f.unitUser],
      ['review-approve', supervisor],
    ] as const) {
      await f.act(t.code, action, body(action), actor);
    }
    const closed = await f.act(t.code, 'survey', { satisfaction: 'basically', resolution: 'partly' }, agent);
    expect(closed).to.include({ state: 'closed', satisfaction: 'basically', reopenCount: 1 });
    const again = await f.act(t.code, 'reopen', body('reopen'), supervisor);
    expect(again).to.include({ state: 'dispatched', reopenCount: 2, closedAt: null });
  });

  it('when the resident cannot be reached, the order closes 未评价', async () => {
    const t = await orderIn('reviewed');
    const closed = await f.act(t.code, 'survey', { satisfaction: 'unreachable' }, agent);
    expect(closed).to.include({ state: 'closed', satisfaction: 'unreachable', resolution: null });
    expect(closed.closedAt?.getTime()).to.equal(f.now());
    expect(closed.events.at(-1)?.data).to.deep.equal({ satisfaction: 'unreachable', rated: false });
  });

  it('when a review is rejected, the order goes back to 办理 with the reason', async () => {
    const t = await orderIn('replied');
    f.advance(HOUR);
    const back = await f.act(t.code, 'review-reject', body('review-reject'), supervisor);
    expect(back.state).to.equal('in-progress');
    expect(back.events.at(-1)).to.include({ type: 'review-rejected', note: '答复未说明处理结果' });
  });
});

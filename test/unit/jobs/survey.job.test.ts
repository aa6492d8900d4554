import { expect } from 'chai';
import sinon from 'sinon';
import { TaskClaims, surveyTaskKey } from '../../../src/calls/task-claims.js';
import { InProcessJobLock } from '../../../src/db/job-lock.js';
import { CallingHours } from '../../../src/dialer/calling-hours.js';
import { CallSlots } from '../../../src/dialer/call-slots.js';
import type { CallOutcome } from '../../../src/dialer/outbound-caller.js';
import { SURVEY_LOCK, SurveyJob } from '../../../src/jobs/survey.job.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { TicketWithEvents } from '../../../src/tickets/ticket.js';
import { answered, FakeOutboundCaller } from '../dialer/fake-outbound-caller.js';
import { fakeClock } from '../ivr/ivr-test-kit.js';
import { FRIDAY_10H, GOOD_REPLY, supervisor, ticketFixture, type TicketFixture } from '../tickets/ticket-fixture.js';

const MINUTE = 60_000;
const path = (...keys: string[]): string[] => {
  const res = { '1': 'resolved', '2': 'partly', '3': 'unresolved' } as Record<string, string>;
  const sat = { '1': 'satisfied', '2': 'basically', '3': 'unsatisfied' } as Record<string, string>;
  const p = ['intro', 'ask-resolution'];
  if (keys[0] !== undefined) p.push(res[keys[0]] ?? '', 'ask-satisfaction');
  if (keys[1] !== undefined) p.push(sat[keys[1]] ?? '');
  else p.push('no-rating');
  return p;
};
const pressed = (...keys: string[]): CallOutcome => answered(path(...keys), keys.join(''));
const NO_ANSWER: CallOutcome = { kind: 'failed', failure: 'no-answer' };

describe('SurveyJob', () => {
  afterEach(() => {
    sinon.restore();
  });

  async function setup(options: { start?: number; outcome?: () => CallOutcome; targetFor?: (phone: string) => string } = {}) {
    const { clock, timers } = fakeClock();
    timers.setSystemTime(options.start ?? FRIDAY_10H);
    const f = await ticketFixture();
    const caller = new FakeOutboundCaller(() => clock.now());
    const outcome = options.outcome ?? (() => pressed('1', '1'));
    caller.auto = () => outcome();
    const lock = new InProcessJobLock();
    const claims = new TaskClaims();
    const job = new SurveyJob({
      tickets: f.service,
      caller,
      slots: new CallSlots(2),
      clock,
      logger: silentLogger(),
      lock,
      callingHours: CallingHours.parse('09:00-12:00,13:30-20:00', { timeZone: 'Asia/Shanghai' }),
      maxAttempts: 3,
      retryAfterMs: 60 * MINUTE,
      timeZone: 'Asia/Shanghai',
      claims,
      ...(options.targetFor === undefined ? {} : { targetFor: options.targetFor }),
    });
    return { f, clock, timers, caller, lock, job, claims };
  }

  /** An order replied by the unit and approved by a supervisor: waiting for the survey. */
  async function reviewed(f: TicketFixture, over: Record<string, unknown> = {}): Promise<TicketWithEvents> {
    const t = await f.order(over);
    await f.act(t.code, 'sign', {}, f.unitUser);
    await f.act(t.code, 'reply', GOOD_REPLY, f.unitUser);
    return f.act(t.code, 'review-approve', {}, supervisor);
  }

  async function stored(f: TicketFixture, code: string): Promise<TicketWithEvents> {
    const t = await f.tickets.findByCode(code);
    if (t === undefined) throw new Error(`no ticket ${code}`);
    return t;
  }

  it('when the resident presses 1 then 1, it dials the resident, stores 满意/已解决 and the order is closed', async () => {
    const { f, caller, job } = await setup();
    const t = await reviewed(f);
    const summary = await job.runOnce();
    expect(summary).to.deep.include({ ran: true, considered: 1, called: 1, closed: 1, reopened: 0, unreachable: 0 });
    expect(caller.calls.map((c) => c.task)).to.deep.equal([{ id: `survey-${t.code}`, target: `tel:${t.residentPhone}`, variables: {}, maxAttempts: 1 }]);
    const after = await stored(f, t.code);
    expect(after).to.include({ state: 'closed', satisfaction: 'satisfied', resolution: 'resolved' });
    const call = after.events.find((e) => e.type === 'survey-call');
    expect(call?.data).to.deep.include({ attempt: 1, result: 'rated', satisfaction: 'satisfied', resolution: 'resolved', by: 'ivr', target: `tel:${t.residentPhone}` });
    expect(after.events.find((e) => e.type === 'surveyed')).to.include({ actorRole: 'system', channel: 'phone' });
  });

  it('when the resident presses 1 then 3 (不满意), the order is reopened (重办) to its unit', async () => {
    const { f, job } = await setup({ outcome: () => pressed('1', '3') });
    const t = await reviewed(f);
    expect(await job.runOnce()).to.deep.include({ called: 1, closed: 0, reopened: 1 });
    const after = await stored(f, t.code);
    expect(after).to.include({ state: 'dispatched', satisfaction: 'unsatisfied', resolution: 'resolved', reopenCount: 1, currentUnitId: f.gnbId });
    expect(after.events.map((e) => e.type)).to.include.members(['survey-call', 'surveyed', 'reopened']);
  });

  it('when an order is do-not-call, it is never dialled, even when a stale list offers it', async () => {
    const { f, caller, job } = await setup();
    const quiet = await reviewed(f, { doNotCall: true });
    expect(quiet.doNotCall).to.equal(true);
    expect((await f.service.surveyCandidates(10)).map((t) => t.code)).to.not.include(quiet.code);
    expect((await job.runOnce()).called).to.equal(0);
    sinon.stub(f.service, 'surveyCandidates').resolves([await f.service.get(quiet.code, supervisor)]);
    const summary = await job.runOnce();
    expect(summary.skipped.doNotCall).to.equal(1);
    expect(caller.calls).to.have.length(0);
    expect((await stored(f, quiet.code)).state).to.equal('reviewed');
  });

  it('when nobody answers, it calls again only after the gap, and after the last attempt stores 未评价', async () => {
    const { f, caller, job, timers } = await setup({ outcome: () => NO_ANSWER });
    const t = await reviewed(f);
    expect((await job.runOnce()).called).to.equal(1);
    timers.tick(30 * MINUTE);
    const early = await job.runOnce();
    expect(early).to.deep.include({ called: 0 });
    expect(early.skipped.retryGap).to.equal(1);
    timers.tick(30 * MINUTE);
    expect((await job.runOnce()).called).to.equal(1);
    expect((await stored(f, t.code)).state).to.equal('reviewed');
    timers.tick(60 * MINUTE); // 12:00: the lunch break is outside calling hours
    expect((await job.runOnce()).skipped.outsideHours).to.equal(1);
    timers.tick(120 * MINUTE);
    expect(await job.runOnce()).to.deep.include({ called: 1, unreachable: 1 });
    const after = await stored(f, t.code);
    expect(after).to.include({ state: 'closed', satisfaction: 'unreachable', resolution: null });
    expect(after.events.filter((e) => e.type === 'survey-call').map((e) => [e.data.attempt, e.data.result])).to.deep.equal([
      [1, 'no-answer'],
      [2, 'no-answer'],
      [3, 'no-answer'],
    ]);
    expect(caller.calls).to.have.length(3);
    timers.tick(60 * MINUTE);
    expect((await job.runOnce()).considered).to.equal(0);
  });

  it('when answered without a rating, it counts the attempt and calls again later', async () => {
    const outcomes = [pressed('1'), pressed('2', '2')];
    const { f, job, timers } = await setup({ outcome: () => outcomes.shift() ?? NO_ANSWER });
    const t = await reviewed(f);
    expect(await job.runOnce()).to.deep.include({ called: 1, closed: 0 });
    timers.tick(60 * MINUTE);
    expect(await job.runOnce()).to.deep.include({ called: 1, closed: 1 });
    const after = await stored(f, t.code);
    expect(after).to.include({ state: 'closed', satisfaction: 'basically', resolution: 'partly' });
    expect(after.events.filter((e) => e.type === 'survey-call').map((e) => e.data.result)).to.deep.equal(['no-rating', 'rated']);
  });

  it('when outside calling hours, it places no call and counts no attempt', async () => {
    const { f, caller, job } = await setup({ start: Date.parse('2026-11-20T12:30:00+08:00') });
    const t = await reviewed(f);
    const summary = await job.runOnce();
    expect(summary).to.deep.include({ ran: true, considered: 1, called: 0 });
    expect(summary.skipped.outsideHours).to.equal(1);
    expect(caller.calls).to.have.length(0);
    expect((await stored(f, t.code)).events.some((e) => e.type === 'survey-call')).to.equal(false);
  });

  it('when a target mapper is given, it dials what the mapper returns', async () => {
    const { f, caller, job } = await setup({ targetFor: (phone) => `sip:${phone}@127.0.0.1:5072` });
    const t = await reviewed(f);
    await job.runOnce();
    expect(caller.calls[0]?.task.target).to.equal(`sip:${t.residentPhone}@127.0.0.1:5072`);
  });

  it('when an agent holds the order for preview dialing, the campaign leaves it alone', async () => {
    const { f, caller, job, claims } = await setup();
    const t = await reviewed(f);
    claims.tryClaim(surveyTaskKey(t.code), 'agent:7');
    const summary = await job.runOnce();
    expect(summary.skipped.claimed).to.equal(1);
    expect(caller.calls).to.have.length(0);
  });

  it('when another process holds the lock, it does nothing', async () => {
    const { f, caller, job, lock } = await setup();
    await reviewed(f);
    const held = await lock.tryAcquire(SURVEY_LOCK);
    expect((await job.runOnce()).ran).to.equal(false);
    expect(caller.calls).to.have.length(0);
    await held?.release();
    expect((await job.runOnce()).called).to.equal(1);
  });
});

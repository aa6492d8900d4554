import { expect } from 'chai';
import sinon from 'sinon';
import { InProcessJobLock } from '../../../src/db/job-lock.js';
import { CallingHours } from '../../../src/dialer/calling-hours.js';
import { CallSlots } from '../../../src/dialer/call-slots.js';
import type { CallOutcome } from '../../../src/dialer/outbound-caller.js';
import { escalationLevelFor } from '../../../src/jobs/supervision-escalation.js';
import { SUPERVISION_LOCK, SupervisionJob, targetOf } from '../../../src/jobs/supervision.job.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { fakeClock } from '../ivr/ivr-test-kit.js';
import { answered, busy, FakeOutboundCaller } from '../dialer/fake-outbound-caller.js';
import { FakeSupervisionTickets } from './fake-supervision-tickets.js';

const MINUTE = 60_000;
/** Monday 2026-03-02 10:00 in Beijing: inside calling hours. */
const MONDAY_10 = Date.parse('2026-03-02T10:00:00+08:00');
const ACK = answered(['intro', 'code', 'overdue', 'days', 'days-suffix', 'press-1', 'acknowledged'], '1');
const NO_ACK = answered(['intro', 'code', 'overdue', 'days', 'days-suffix', 'press-1', 'no-ack'], '');

describe('SupervisionJob', () => {
  afterEach(() => {
    sinon.restore();
  });

  function setup(options: { start?: number; includeYellow?: boolean; outcome?: () => CallOutcome } = {}) {
    const { clock, timers } = fakeClock();
    timers.setSystemTime(options.start ?? MONDAY_10);
    const tickets = new FakeSupervisionTickets();
    const caller = new FakeOutboundCaller(() => clock.now());
    const outcome = options.outcome ?? (() => ACK);
    caller.auto = () => outcome();
    const lock = new InProcessJobLock();
    const job = new SupervisionJob({
      tickets,
      caller,
      slots: new CallSlots(2),
      clock,
      logger: silentLogger(),
      lock,
      callingHours: CallingHours.parse('09:00-12:00,13:30-18:00', { timeZone: 'Asia/Shanghai' }),
      includeYellow: options.includeYellow ?? false,
      maxAttempts: 3,
      retryAfterMs: 30 * MINUTE,
      timeZone: 'Asia/Shanghai',
    });
    return { clock, timers, tickets, caller, lock, job };
  }

  it('when the liaison acknowledges, it records the attempt as acknowledged and does not call again', async () => {
    const { tickets, caller, job, timers } = setup();
    tickets.add({ ticketId: 7, code: '20261122-000123', overdueWorkingDays: 3 });
    const first = await job.runOnce();
    expect(first).to.deep.include({ ran: true, considered: 1, called: 1, acknowledged: 1 });
    expect(caller.calls.map((c) => c.task)).to.deep.equal([
      { id: 'ticket-7-reply', target: 'tel:13800138000', maxAttempts: 1, variables: { code: '20261122000123', days: '3' } },
    ]);
    expect(tickets.attempts).to.deep.equal([
      { ticketId: 7, step: 'reply', deadline: new Date('2026-02-27T10:00:00Z'), attempt: 1, result: 'acknowledged', target: 'tel:13800138000', callId: 'call-1', at: new Date(MONDAY_10) },
    ]);
    timers.tick(60 * MINUTE);
    const second = await job.runOnce();
    expect(second).to.deep.include({ considered: 1, called: 0 });
    expect(second.skipped.acknowledged).to.equal(1);
    expect(caller.calls).to.have.length(1);
  });

  it('when the line is busy, it calls again only after the retry gap and no more than maxAttempts times', async () => {
    const { tickets, caller, job, timers } = setup({ outcome: () => busy });
    tickets.add({ ticketId: 8 });
    expect((await job.runOnce()).called).to.equal(1);
    timers.tick(29 * MINUTE);
    const early = await job.runOnce();
    expect(early.called).to.equal(0);
    expect(early.skipped.retryGap).to.equal(1);
    timers.tick(MINUTE);
    expect((await job.runOnce()).called).to.equal(1);
    timers.tick(30 * MINUTE);
    expect((await job.runOnce()).called).to.equal(1);
    timers.tick(30 * MINUTE);
    const after = await job.runOnce();
    expect(after.called).to.equal(0);
    expect(after.skipped.maxAttempts).to.equal(1);
    expect(caller.calls).to.have.length(3);
    expect(tickets.attempts.map((a) => [a.attempt, a.result])).to.deep.equal([
      [1, 'busy'],
      [2, 'busy'],
      [3, 'busy'],
    ]);
  });

  it('when answered without a key press or unanswered or failed, it records not-acknowledged, no-answer and failed', async () => {
    const outcomes: CallOutcome[] = [NO_ACK, { kind: 'failed', failure: 'no-answer' }, { kind: 'failed', failure: 'unavailable' }];
    const { tickets, job } = setup({ outcome: () => outcomes.shift() ?? busy });
    tickets.add({ ticketId: 1 }).add({ ticketId: 2 }).add({ ticketId: 3 });
    const summary = await job.runOnce();
    expect(summary).to.deep.include({ called: 3, acknowledged: 0 });
    expect(tickets.attempts.map((a) => a.result)).to.have.members(['not-acknowledged', 'no-answer', 'failed']);
  });

  it('when outside calling hours, it places no call and counts no attempt', async () => {
    const { tickets, caller, job } = setup({ start: Date.parse('2026-03-02T12:30:00+08:00') });
    tickets.add({ ticketId: 9 });
    const summary = await job.runOnce();
    expect(summary).to.deep.include({ ran: true, considered: 1, called: 0 });
    expect(summary.skipped.outsideHours).to.equal(1);
    expect(caller.calls).to.have.length(0);
    expect(tickets.attempts).to.have.length(0);
  });

  it('when another process holds the lock, it does nothing', async () => {
    const { tickets, caller, job, lock } = setup();
    tickets.add({ ticketId: 10 });
    const held = await lock.tryAcquire(SUPERVISION_LOCK);
    const summary = await job.runOnce();
    expect(summary.ran).to.equal(false);
    expect(tickets.overdueCalls).to.equal(0);
    expect(caller.calls).to.have.length(0);
    await held?.release();
    expect((await job.runOnce()).called).to.equal(1);
  });

  it('when red orders are overdue for longer, it raises their escalation level by one per 2 working days up to 3', async () => {
    const { tickets, job } = setup();
    tickets
      .add({ ticketId: 1, overdueWorkingDays: 0, escalationLevel: 0 })
      .add({ ticketId: 2, overdueWorkingDays: 2, escalationLevel: 1 })
      .add({ ticketId: 3, overdueWorkingDays: 9, escalationLevel: 1 })
      .add({ ticketId: 4, overdueWorkingDays: 3, escalationLevel: 2 })
      .add({ ticketId: 5, light: 'yellow', overdueWorkingDays: 0, escalationLevel: 0, acknowledged: true });
    const summary = await job.runOnce();
    expect(tickets.escalations.map((e) => [e.ticketId, e.level])).to.deep.equal([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(tickets.escalations[1]?.reason).to.equal('supervision: reply deadline overdue by 2 working days (level 2)');
    expect(summary.escalated).to.equal(3);
    expect([0, 1, 2, 3, 4, 5, 30].map((d) => escalationLevelFor({ light: 'red', overdueWorkingDays: d }))).to.deep.equal([1, 1, 2, 2, 3, 3, 3]);
    expect(escalationLevelFor({ light: 'yellow', overdueWorkingDays: 0 })).to.equal(0);
  });

  it('when escalated once, a later sweep with the same level does not escalate again', async () => {
    const { tickets, job, timers } = setup({ outcome: () => busy });
    tickets.add({ ticketId: 1, overdueWorkingDays: 2, escalationLevel: 1 });
    await job.runOnce();
    timers.tick(40 * MINUTE);
    expect((await job.runOnce()).escalated).to.equal(0);
    expect(tickets.escalations).to.have.length(1);
  });

  it('when yellow orders are included, it calls them at the due-soon entry with 0 days', async () => {
    const { tickets, caller, job } = setup({ includeYellow: true });
    tickets.add({ ticketId: 11, light: 'yellow', overdueWorkingDays: 0, escalationLevel: 0 });
    await job.runOnce();
    expect(caller.calls[0]?.task).to.deep.include({ entry: 'due-soon-intro', variables: { code: '20261122000011', days: '0' } });
  });

  it('when the liaison has a SIP URI, it dials it; with neither URI nor phone, it skips the order', async () => {
    const { tickets, caller, job } = setup();
    tickets.add({ ticketId: 12, liaisonSipUri: 'sip:8001@10.0.0.7:5060' }).add({ ticketId: 13, liaisonPhone: null });
    const summary = await job.runOnce();
    expect(caller.calls.map((c) => c.task.target)).to.deep.equal(['sip:8001@10.0.0.7:5060']);
    expect(summary.skipped.noTarget).to.equal(1);
    expect(targetOf({ liaisonSipUri: null, liaisonPhone: '138 0013 8000' })).to.equal('tel:13800138000');
  });

  it('when given a bad cron expression, start refuses it; stop is safe twice', async () => {
    const { job } = setup();
    expect(() => {
      job.start('every five minutes');
    }).to.throw(/SUPERVISION_CRON/);
    await job.stop();
    await job.stop();
  });

  it('when started on a cron expression, it sweeps at each tick until stopped', async () => {
    const { tickets, caller, job, timers } = setup({ start: Date.parse('2026-03-02T10:01:00+08:00'), outcome: () => busy });
    tickets.add({ ticketId: 14 });
    job.start('*/5 * * * *');
    await timers.tickAsync(4 * MINUTE + 30_000);
    expect(tickets.overdueCalls).to.equal(1);
    expect(caller.calls).to.have.length(1);
    await job.stop();
    await timers.tickAsync(60 * MINUTE);
    expect(tickets.overdueCalls).to.equal(1);
  });
});

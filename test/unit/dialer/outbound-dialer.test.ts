import { expect } from 'chai';
import sinon from 'sinon';
import { CallingHours } from '../../../src/dialer/calling-hours.js';
import { CallSlots } from '../../../src/dialer/call-slots.js';
import type { OutboundTask } from '../../../src/dialer/outbound-caller.js';
import { maskTarget, OutboundDialer, type AttemptReport, type TaskReport } from '../../../src/dialer/outbound-dialer.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { fakeClock } from '../ivr/ivr-test-kit.js';
import { answered, busy, FakeOutboundCaller } from './fake-outbound-caller.js';

const task = (id: string, extra: Partial<OutboundTask> = {}): OutboundTask => ({ id, target: `tel:1380013800${id.slice(-1)}`, variables: {}, ...extra });
/** Monday 2026-03-02 10:00 in Beijing. */
const MONDAY_10 = Date.parse('2026-03-02T10:00:00+08:00');

describe('OutboundDialer', () => {
  afterEach(() => {
    sinon.restore();
  });

  function setup(options: { max?: number; slots?: CallSlots; hours?: CallingHours; start?: number } = {}) {
    const { clock, timers } = fakeClock();
    timers.setSystemTime(options.start ?? MONDAY_10);
    const caller = new FakeOutboundCaller(() => clock.now());
    const slots = options.slots ?? new CallSlots(options.max ?? 2);
    const dialer = new OutboundDialer({
      name: 'test',
      caller,
      slots,
      clock,
      logger: silentLogger(),
      ...(options.hours === undefined ? {} : { callingHours: options.hours }),
    });
    const attempts: AttemptReport[] = [];
    dialer.observer.on('attempt', (r) => attempts.push(r));
    return { clock, timers, caller, slots, dialer, attempts };
  }

  it('when five tasks run with two slots, it never has more than two calls up and calls all five', async () => {
    const { timers, caller, dialer } = setup({ max: 2 });
    const run = dialer.run(['t1', 't2', 't3', 't4', 't5'].map((id) => task(id)));
    await timers.tickAsync(0);
    let peak = 0;
    while (caller.calls.length < 5 || caller.active.length > 0) {
      peak = Math.max(peak, caller.active.length);
      expect(caller.active.length).to.be.at.most(2);
      caller.active[0]?.finish(answered());
      await timers.tickAsync(0);
    }
    const reports = await run;
    expect(peak).to.equal(2);
    expect(caller.calls.map((c) => c.task.id)).to.deep.equal(['t1', 't2', 't3', 't4', 't5']);
    expect(reports.map((r) => r.status)).to.deep.equal(['done', 'done', 'done', 'done', 'done']);
  });

  it('when two campaigns share one slot, their calls take turns', async () => {
    const slots = new CallSlots(1);
    const a = setup({ slots });
    const b = new OutboundDialer({ name: 'survey', caller: a.caller, slots, clock: a.clock, logger: silentLogger() });
    const runs = Promise.all([a.dialer.run([task('a1')]), b.run([task('b1')])]);
    await a.timers.tickAsync(0);
    expect(a.caller.active.map((c) => c.task.id)).to.deep.equal(['a1']);
    a.caller.active[0]?.finish(busy);
    await a.timers.tickAsync(0);
    expect(a.caller.active.map((c) => c.task.id)).to.deep.equal(['b1']);
    a.caller.active[0]?.finish(answered());
    await runs;
    expect(slots.inUse).to.equal(0);
  });

  it('when a call is busy, it retries after retryAfterMs and stops at maxAttempts', async () => {
    const { timers, caller, dialer, attempts } = setup();
    caller.auto = () => busy;
    const run = dialer.run([task('t1', { maxAttempts: 3, retryAfterMs: 60_000 })]);
    await timers.tickAsync(0);
    expect(caller.calls).to.have.length(1);
    await timers.tickAsync(59_999);
    expect(caller.calls).to.have.length(1);
    await timers.tickAsync(1);
    expect(caller.calls).to.have.length(2);
    await timers.tickAsync(10 * 60_000);
    const [report] = await run;
    expect(caller.calls.map((c) => c.at - MONDAY_10)).to.deep.equal([0, 60_000, 120_000]);
    expect(report?.status).to.equal('exhausted');
    expect(attempts.map((a) => a.attempt)).to.deep.equal([1, 2, 3]);
  });

  it('when the second attempt is answered, it makes no third one', async () => {
    const { timers, caller, dialer } = setup();
    const outcomes = [busy, answered(['intro'])];
    caller.auto = () => outcomes.shift() ?? busy;
    const run = dialer.run([task('t1', { maxAttempts: 3, retryAfterMs: 1000 })]);
    await timers.tickAsync(5000);
    const [report] = await run;
    expect(caller.calls).to.have.length(2);
    expect(report?.status).to.equal('done');
    expect(report?.attempts.map((a) => a.outcome.kind)).to.deep.equal(['failed', 'answered']);
  });

  it('when the number does not exist, it does not retry', async () => {
    const { timers, caller, dialer } = setup();
    caller.auto = () => ({ kind: 'failed', failure: 'not-found' });
    const run = dialer.run([task('t1', { maxAttempts: 3, retryAfterMs: 1000 })]);
    await timers.tickAsync(5000);
    expect((await run)[0]?.status).to.equal('done');
    expect(caller.calls).to.have.length(1);
  });

  describe('calling hours', () => {
    const hours = CallingHours.parse('09:00-12:00,13:30-18:00', { timeZone: 'Asia/Shanghai' });
    const lunch = Date.parse('2026-03-02T12:30:00+08:00');

    it('when outside calling hours with whenClosed skip, it places no call', async () => {
      const { caller, dialer } = setup({ hours, start: lunch });
      const reports: TaskReport[] = await dialer.run([task('t1')], { whenClosed: 'skip' });
      expect(caller.calls).to.have.length(0);
      expect(reports[0]?.status).to.equal('outside-hours');
    });

    it('when outside calling hours with whenClosed wait, it calls at 13:30', async () => {
      const { timers, caller, dialer } = setup({ hours, start: lunch });
      caller.auto = () => answered();
      const run = dialer.run([task('t1')]);
      await timers.tickAsync(59 * 60_000);
      expect(caller.calls).to.have.length(0);
      await timers.tickAsync(60_000);
      expect(caller.calls.map((c) => c.at)).to.deep.equal([Date.parse('2026-03-02T13:30:00+08:00')]);
      expect((await run)[0]?.status).to.equal('done');
    });

    it('when a retry would fall into the lunch break, it waits for the afternoon window', async () => {
      const { timers, caller, dialer } = setup({ hours, start: Date.parse('2026-03-02T11:55:00+08:00') });
      caller.auto = () => busy;
      const run = dialer.run([task('t1', { maxAttempts: 2, retryAfterMs: 10 * 60_000 })]);
      await timers.tickAsync(3 * 3_600_000);
      await run;
      expect(caller.calls.map((c) => new Date(c.at).toISOString())).to.deep.equal(['2026-03-02T03:55:00.000Z', '2026-03-02T05:30:00.000Z']);
    });
  });

  it('when closed, it aborts the call in progress and cancels waiting tasks and retries', async () => {
    const { timers, caller, dialer, slots } = setup({ max: 1 });
    const run = dialer.run([task('t1', { maxAttempts: 2, retryAfterMs: 1000 }), task('t2')]);
    await timers.tickAsync(0);
    expect(caller.active).to.have.length(1);
    dialer.close();
    dialer.close();
    const reports = await run;
    expect(reports.map((r) => r.status)).to.deep.equal(['cancelled', 'cancelled']);
    expect(caller.calls).to.have.length(1);
    expect(caller.calls[0]?.signal.aborted).to.equal(true);
    expect(slots.inUse).to.equal(0);
    await timers.tickAsync(60_000);
    expect(caller.calls, 'no retry after close').to.have.length(1);
    await dialer.run([]).then(
      () => expect.fail('run() after close() resolved'),
      (err: unknown) => expect(err).to.have.property('code', 'INVALID_STATE'),
    );
  });

  it('when it logs a target, the number is masked', () => {
    expect(maskTarget('tel:13800138000')).to.equal('tel:138****8000');
    expect(maskTarget('sip:13800138000@10.0.0.5:5060')).to.equal('sip:138****8000@10.0.0.5:5060');
    expect(maskTarget('ext:8001')).to.equal('ext:8001');
  });
});

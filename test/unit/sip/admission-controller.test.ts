import { expect } from 'chai';
import sinon from 'sinon';
import { silentLogger } from '../../../src/logging/logger.js';
import { AdmissionController, type AdmissionOptions, type AdmissionVerdict } from '../../../src/sip/admission-controller.js';

/** A controller on a fake monotonic clock (ms) with everything off unless the test turns it on. */
function controller(options: Partial<Omit<AdmissionOptions, 'now'>> = {}): { ac: AdmissionController; clock: { t: number } } {
  const clock = { t: 1000 };
  const ac = new AdmissionController({ maxCallsPerS: 0, maxCalls: 0, lagThresholdMs: 0, logger: silentLogger(), ...options, now: () => clock.t });
  return { ac, clock };
}

/** `n` verdicts in a row with `live` legs up. */
function verdicts(ac: AdmissionController, n: number, live = 0): AdmissionVerdict[] {
  return Array.from({ length: n }, () => ac.admit(live));
}

const count = (list: readonly AdmissionVerdict[], v: AdmissionVerdict): number => list.filter((x) => x === v).length;

describe('AdmissionController', () => {
  afterEach(() => {
    sinon.restore();
  });

  describe('rate (token bucket)', () => {
    it('when every limit is off, it admits everything', () => {
      const { ac } = controller();
      expect(count(verdicts(ac, 10_000, 5000), 'admit')).to.equal(10_000);
    });

    it('when calls come faster than the rate, it admits one burst at once, then the rate, and sheds the rest as rate', () => {
      const { ac, clock } = controller({ maxCallsPerS: 5 });
      expect(verdicts(ac, 8)).to.deep.equal(['admit', 'admit', 'admit', 'admit', 'admit', 'rate', 'rate', 'rate']);
      // 20 INVITEs/s for 3 s: 5 tokens a second come back.
      let admitted = 0;
      for (let i = 0; i < 60; i++) {
        clock.t += 50;
        if (ac.admit(0) === 'admit') admitted++;
      }
      expect(admitted).to.equal(15);
      expect(ac.shedTotals).to.deep.equal({ rate: 48, concurrency: 0, lag: 0 });
    });

    it('when calls stop for a while, the bucket refills to its burst and no further', () => {
      const { ac, clock } = controller({ maxCallsPerS: 10, burst: 3 });
      expect(count(verdicts(ac, 5), 'admit')).to.equal(3);
      clock.t += 60_000;
      expect(verdicts(ac, 4)).to.deep.equal(['admit', 'admit', 'admit', 'rate']);
    });

    it('when the rate is below one a second, it still admits the burst of one and then one per period', () => {
      const { ac, clock } = controller({ maxCallsPerS: 0.5 });
      expect(verdicts(ac, 2)).to.deep.equal(['admit', 'rate']);
      clock.t += 1999;
      expect(ac.admit(0)).to.equal('rate');
      clock.t += 2001;
      expect(ac.admit(0)).to.equal('admit');
    });
  });

  describe('concurrency', () => {
    it('when live legs reach the cap, it sheds as concurrency without taking a rate token', () => {
      const { ac } = controller({ maxCalls: 3, maxCallsPerS: 2 });
      expect(ac.admit(2)).to.equal('admit');
      expect(verdicts(ac, 5, 3)).to.deep.equal(Array(5).fill('concurrency'));
      // The one token left was not spent by the refused calls.
      expect(ac.admit(2)).to.equal('admit');
      expect(ac.shedTotals.concurrency).to.equal(5);
    });
  });

  describe('event-loop lag (hysteresis)', () => {
    it('when the loop is late, it sheds a growing share, holds it between half and the threshold, and recovers within 2 s below half', () => {
      const { ac } = controller({ lagThresholdMs: 100 });
      ac.onLagSample(50);
      expect(ac.shedShare).to.equal(0);
      ac.onLagSample(150);
      expect(ac.shedShare).to.be.closeTo(0.15, 1e-9);
      ac.onLagSample(150);
      expect(ac.shedShare).to.be.closeTo(0.3, 1e-9);
      // Very late: bigger steps, capped per sample, and never beyond 1.
      ac.onLagSample(2000);
      expect(ac.shedShare).to.be.closeTo(0.7, 1e-9);
      ac.onLagSample(2000);
      ac.onLagSample(2000);
      expect(ac.shedShare).to.equal(1);
      // Between half the threshold and the threshold: held (no flapping around the threshold).
      for (let i = 0; i < 50; i++) ac.onLagSample(80);
      expect(ac.shedShare).to.equal(1);
      expect(count(verdicts(ac, 20), 'lag')).to.equal(20);
      // Below half: 0.05 per 100 ms sample, so 20 samples (2 s) bring it back to admitting everything.
      for (let i = 0; i < 10; i++) ac.onLagSample(10);
      expect(ac.shedShare).to.be.closeTo(0.5, 1e-9);
      for (let i = 0; i < 10; i++) ac.onLagSample(10);
      expect(ac.shedShare).to.equal(0);
      expect(count(verdicts(ac, 100), 'admit')).to.equal(100);
      expect(ac.lagMs).to.equal(10);
    });

    it('when it sheds a share, exactly that share of INVITEs is refused, spread evenly', () => {
      const { ac } = controller({ lagThresholdMs: 100 });
      for (let i = 0; i < 5; i++) ac.onLagSample(100.0001);
      expect(ac.shedShare).to.be.closeTo(0.5, 1e-5);
      const run = verdicts(ac, 1000);
      expect(count(run, 'lag')).to.be.within(499, 501);
      // Never two admitted in a row at 50 %: the admitted calls are spread, not bunched.
      expect(run.some((v, i) => v === 'admit' && run[i + 1] === 'admit')).to.equal(false);
    });

    it('when lag control is off (0), late samples change nothing', () => {
      const { ac } = controller({ lagThresholdMs: 0 });
      for (let i = 0; i < 20; i++) ac.onLagSample(5000);
      expect(ac.shedShare).to.equal(0);
      expect(ac.lagMs).to.equal(5000);
      expect(count(verdicts(ac, 100), 'admit')).to.equal(100);
    });

    it('when shed for lag, it spends no rate tokens', () => {
      const { ac } = controller({ lagThresholdMs: 100, maxCallsPerS: 1 });
      for (let i = 0; i < 3; i++) ac.onLagSample(1000);
      expect(verdicts(ac, 10)).to.deep.equal(Array(10).fill('lag'));
      for (let i = 0; i < 20; i++) ac.onLagSample(0);
      expect(ac.admit(0)).to.equal('admit');
    });
  });

  describe('logging', () => {
    it('when it sheds thousands of INVITEs, it logs one line per 10 s with the counts, never one per INVITE', () => {
      const logger = silentLogger();
      const warn = sinon.spy(logger, 'warn');
      const { ac, clock } = controller({ maxCallsPerS: 1, maxCalls: 100, logger });
      for (let i = 0; i < 6000; i++) {
        clock.t += 2;
        ac.admit(i % 2 === 0 ? 0 : 100);
        if (i % 50 === 0) ac.onLagSample(0);
      }
      // 12 s of shedding: the first refusal's line, then one 10 s later.
      expect(warn.callCount).to.equal(2);
      const fields = warn.getCalls().map((c) => (c.args as unknown[])[1] as Record<string, number>);
      const total = (f: Record<string, number>): number => (f.rate ?? 0) + (f.concurrency ?? 0) + (f.lag ?? 0);
      expect(fields[0]).to.include({ rate: 0, concurrency: 1, lag: 0 });
      expect(total(fields[0] ?? {}) + total(fields[1] ?? {})).to.be.at.most(ac.shedTotals.rate + ac.shedTotals.concurrency);
      // What was shed after the last line is logged by a later sample once 10 s have passed, even with no INVITE.
      clock.t += 10_000;
      ac.onLagSample(0);
      expect(warn.callCount).to.equal(3);
      const logged = fields.concat([(warn.lastCall.args as unknown[])[1] as Record<string, number>]).reduce((sum, f) => sum + total(f), 0);
      expect(logged).to.equal(ac.shedTotals.rate + ac.shedTotals.concurrency);
      clock.t += 60_000;
      ac.onLagSample(0);
      expect(warn.callCount, 'nothing new shed: no line').to.equal(3);
    });
  });

  it('when a limit is negative or not a number, it refuses to start naming it', () => {
    expect(() => controller({ maxCallsPerS: -1 })).to.throw(/maxCallsPerS/);
    expect(() => controller({ maxCalls: Number.NaN })).to.throw(/maxCalls/);
    expect(() => controller({ lagThresholdMs: -5 })).to.throw(/lagThresholdMs/);
    expect(() => controller({ maxCallsPerS: 5, burst: 0 })).to.throw(/burst/);
  });

  it('gives a short Retry-After per reason (a proxy takes the whole server as down that long)', () => {
    const { ac } = controller();
    expect([ac.retryAfterS('rate'), ac.retryAfterS('lag'), ac.retryAfterS('concurrency')]).to.deep.equal([1, 2, 5]);
  });
});

import { expect } from 'chai';
import { CLOCK_PHASES, MediaClock, PTIME_MS, type ClockSubscriber } from '../../../src/media/media-clock.js';
import { silentLogger } from '../../../src/logging/logger.js';

/** A subscriber that notes each tick it gets and when. */
class Recorder implements ClockSubscriber {
  readonly ticks: number[] = [];
  readonly at: number[] = [];
  constructor(private readonly sends = true) {}
  onTick(tick: number): boolean {
    this.ticks.push(tick);
    this.at.push(performance.now());
    return this.sends;
  }
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Median of (b's call − a's call) over the ticks both got. */
function medianOffset(a: Recorder, b: Recorder): number {
  const diffs: number[] = [];
  b.ticks.forEach((tick, i) => {
    const j = a.ticks.indexOf(tick);
    if (j >= 0) diffs.push((b.at[i] ?? 0) - (a.at[j] ?? 0));
  });
  return median(diffs);
}

describe('MediaClock', () => {
  let clock: MediaClock;

  beforeEach(() => {
    clock = new MediaClock(silentLogger());
  });

  afterEach(() => {
    clock.close();
  });

  it('gives every subscriber each tick once, in order, with no tick skipped', async () => {
    const subs = Array.from({ length: 8 }, () => new Recorder());
    for (const s of subs) clock.add(s);
    await wait(20 * PTIME_MS);
    for (const s of subs) {
      expect(s.ticks.length, 'ticks in 400 ms').to.be.at.least(10);
      s.ticks.forEach((tick, i) => {
        if (i > 0) expect(tick - (s.ticks[i - 1] ?? 0), `tick ${i}`).to.equal(1);
      });
    }
    expect(clock.stats.snapshot().packets).to.equal(subs.reduce((n, s) => n + s.ticks.length, 0));
  });

  it('spreads streams over the phases of the period, 5 ms apart, the fewest-used phase first', async () => {
    const subs = Array.from({ length: CLOCK_PHASES * 2 }, () => new Recorder());
    for (const s of subs) clock.add(s);
    await wait(25 * PTIME_MS);
    const [first] = subs;
    if (first === undefined) throw new Error('no subscriber');
    // Subscribers k and k + CLOCK_PHASES share a phase; phase p runs p × 5 ms after phase 0.
    for (let k = 0; k < subs.length; k++) {
      const s = subs[k];
      if (s === undefined) continue;
      const expected = (k % CLOCK_PHASES) * (PTIME_MS / CLOCK_PHASES);
      expect(medianOffset(first, s), `subscriber ${k}`).to.be.closeTo(expected, 2.5);
    }
    // Within one stream the packets stay one period apart.
    const gaps = first.at.slice(1).map((t, i) => t - (first.at[i] ?? 0));
    expect(median(gaps)).to.be.closeTo(PTIME_MS, 2);
  });

  it('a stream added after others were removed joins the emptiest phase', async () => {
    const a = new Recorder();
    const b = new Recorder();
    const c = new Recorder();
    clock.add(a); // phase 0
    clock.add(b); // phase 1
    clock.remove(a); // phase 0 is empty again
    clock.add(c); // so c takes phase 0, not phase 2
    await wait(12 * PTIME_MS);
    expect(medianOffset(c, b)).to.be.closeTo(PTIME_MS / CLOCK_PHASES, 2.5);
  });

  it('stops calling a removed subscriber, and its timer when none is left', async () => {
    const a = new Recorder();
    clock.add(a);
    await wait(5 * PTIME_MS);
    clock.remove(a);
    const seen = a.ticks.length;
    expect(clock.size).to.equal(0);
    await wait(5 * PTIME_MS);
    expect(a.ticks.length).to.equal(seen);
  });

  it('a subscriber that throws is logged and the others still get their ticks', async () => {
    const thrower: ClockSubscriber = {
      onTick: () => {
        throw new Error('boom');
      },
    };
    const ok = new Recorder();
    clock.add(thrower);
    clock.add(ok);
    await wait(6 * PTIME_MS);
    expect(ok.ticks.length).to.be.greaterThan(2);
  });

  it('runDue() runs a slot that fell due while the event loop was busy, at once; nothing before its time; the timer goes on after', async () => {
    const a = new Recorder();
    clock.add(a);
    await wait(3 * PTIME_MS);
    // Synchronous work (a poll handing over many datagrams) past the next slot: the timer cannot fire.
    const seen = a.ticks.length;
    const last = a.ticks[seen - 1] ?? -1;
    while (clock.currentTick() <= last) { /* busy until the next tick is due */ }
    const until = performance.now() + 1;
    while (performance.now() < until) { /* and a little past it */ }
    expect(a.ticks.length, 'no tick while the loop is busy').to.equal(seen);
    clock.runDue();
    expect(a.ticks.length, 'runDue ran the due slot').to.equal(seen + 1);
    expect(a.ticks[seen]).to.equal(last + 1);
    clock.runDue();
    expect(a.ticks.length, 'a second runDue right after has nothing due').to.equal(seen + 1);
    await wait(4 * PTIME_MS);
    expect(a.ticks.length, 'the timer still ticks after runDue').to.be.at.least(seen + 3);
    a.ticks.forEach((tick, i) => {
      if (i > 0) expect(tick - (a.ticks[i - 1] ?? 0), `tick ${i}`).to.equal(1);
    });
  });

  it('runDue() on a clock without subscribers, or closed, does nothing', () => {
    clock.runDue();
    const a = new Recorder();
    clock.add(a);
    clock.close();
    clock.runDue();
    expect(a.ticks).to.deep.equal([]);
  });
});

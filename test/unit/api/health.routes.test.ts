import { expect } from 'chai';
import { Registry } from 'prom-client';
import sinon from 'sinon';
import { createHttpServer, type WebServer } from '../../../src/api/http-server.js';
import { cachedProbe } from '../../../src/api/health.routes.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { systemClock, type Clock } from '../../../src/shared/clock.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';

/** A probe the test answers by hand: each call waits until `answer(up)` (or `fail()`). */
function manualProbe(): { probe: () => Promise<boolean>; calls: number; answer: (up: boolean) => void; fail: () => void } {
  let settle: { resolve: (up: boolean) => void; reject: (e: Error) => void } | undefined;
  const state = {
    calls: 0,
    probe: () => {
      state.calls++;
      return new Promise<boolean>((resolve, reject) => {
        settle = { resolve, reject };
      });
    },
    answer: (up: boolean) => {
      settle?.resolve(up);
    },
    fail: () => {
      settle?.reject(new Error('ping failed'));
    },
  };
  return state;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('cachedProbe (the database state /healthz reports)', () => {
  afterEach(() => {
    sinon.restore();
  });

  function fakeClock(): Clock & { t: number } {
    const clock = {
      t: 0,
      now: () => clock.t,
      setTimeout: (fn: () => void, ms: number) => systemClock.setTimeout(fn, ms),
      clearTimeout: (timer: Parameters<Clock['clearTimeout']>[0]) => {
        systemClock.clearTimeout(timer);
      },
    };
    return clock;
  }

  it('when asked first, it waits for the probe; after that it answers from the last result at once', async () => {
    const p = manualProbe();
    const clock = fakeClock();
    const up = cachedProbe(p.probe, { clock, maxAgeMs: 2000 });
    const first = up();
    p.answer(true);
    expect(await first).to.equal(true);
    clock.t = 1000;
    expect(await up()).to.equal(true);
    expect(p.calls).to.equal(1);
  });

  it('when the last result is old and the new ping hangs, it still answers at once with the last result, and pings once', async () => {
    const p = manualProbe();
    const clock = fakeClock();
    const up = cachedProbe(p.probe, { clock, maxAgeMs: 2000 });
    const first = up();
    p.answer(true);
    await first;
    clock.t = 5000;
    // The database hangs now: the ping below never answers until the test says so.
    expect(await up()).to.equal(true);
    expect(await up()).to.equal(true);
    expect(p.calls).to.equal(2, 'one refresh in flight at a time');
    // The ping times out as down (pingWithin answers false after 3 s): the next answer says so.
    p.answer(false);
    await tick();
    expect(await up()).to.equal(false);
  });

  it('when the probe rejects, it counts as down', async () => {
    const p = manualProbe();
    const up = cachedProbe(p.probe, { clock: fakeClock(), maxAgeMs: 2000 });
    const first = up();
    p.fail();
    expect(await first).to.equal(false);
  });
});

describe('GET /healthz with a slow database', () => {
  let server: WebServer | undefined;
  const pings = new Set<NodeJS.Timeout>();

  afterEach(async () => {
    for (const timer of pings) clearTimeout(timer);
    pings.clear();
    await server?.close();
    server = undefined;
  });

  it('when the database ping takes 3 s, /healthz does not wait for it: it answers from the last known state', async () => {
    let slow = false;
    // A hanging database: the ping answers (down) only after 3 s, as pingWithin does.
    const ping = (): Promise<boolean> =>
      slow ? new Promise((resolve) => { pings.add(setTimeout(() => { resolve(false); }, 3000)); }) : Promise.resolve(true);
    const clock = systemClock;
    const databaseUp = cachedProbe(ping, { clock, maxAgeMs: 0 });
    server = await createHttpServer({
      callRecords: new MemoryCallRecords(),
      health: async () => ({ sip: true, database: await databaseUp() }),
      metrics: new Registry(),
      logger: silentLogger(),
    }).startWebServer({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${server.port}/healthz`;
    expect((await fetch(url)).status).to.equal(200);
    slow = true;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const res = await fetch(url);
      expect(res.status).to.equal(200);
      // Far below the 3 s ping (a loose bound: the machine running tests may be busy).
      expect(performance.now() - started).to.be.below(1000);
    }
  });
});

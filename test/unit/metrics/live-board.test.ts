import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import sinon from 'sinon';
import WebSocket from 'ws';
import { Registry } from 'prom-client';
import { registerLiveGauges } from '../../../src/api/live-gauges.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { LiveBoard, type LiveBoardSources } from '../../../src/metrics/live-board.js';
import type { Clock, Timer } from '../../../src/shared/clock.js';
import { WallboardServer } from '../../../src/ws/wallboard-server.js';

function fakeClockAt(now: number): Clock & { tick(ms: number): void } {
  const timers: { at: number; fn: () => void }[] = [];
  let t = now;
  return {
    now: () => t,
    setTimeout: (fn, ms) => {
      const entry = { at: t + ms, fn };
      timers.push(entry);
      return entry as unknown as Timer;
    },
    clearTimeout: (timer) => {
      const i = timers.indexOf(timer as unknown as { at: number; fn: () => void });
      if (i >= 0) timers.splice(i, 1);
    },
    tick(ms) {
      t += ms;
      for (const due of timers.filter((x) => x.at <= t)) {
        timers.splice(timers.indexOf(due), 1);
        due.fn();
      }
    },
  };
}

const T0 = Date.parse('2026-11-22T02:00:00Z');

function sources(over: Partial<LiveBoardSources> = {}): LiveBoardSources {
  return {
    callersWaiting: () => [
      { queue: 'general', enteredAt: T0 - 42_000 },
      { queue: 'general', enteredAt: T0 - 5_000 },
      { queue: 'complaint', enteredAt: T0 - 12_000 },
    ],
    agentStates: () => ['ready', 'busy', 'busy', 'logged-out', 'not-ready'],
    today: () => Promise.resolve({ offered: 10, answered: 8, abandoned: 2, serviceLevel: 0.7, abandonRate: 0.2, asaS: 9.5 }),
    ...over,
  };
}

describe('live board and wallboard', () => {
  let server: Server | undefined;
  afterEach(() => {
    sinon.restore();
    server?.close();
    server = undefined;
  });

  it('when callers wait and agents work, it counts them by queue and state, with the longest wait and today from stored rows', async () => {
    const board = new LiveBoard(sources(), fakeClockAt(T0), silentLogger());
    const snap = await board.refresh();
    expect(snap.waiting).to.deep.equal({ general: 2, complaint: 1 });
    expect(snap).to.include({ waitingTotal: 3, longestWaitS: 42 });
    expect(snap.agents).to.deep.equal({ ready: 1, busy: 2, 'not-ready': 1 });
    expect(snap.today.serviceLevel).to.equal(0.7);
  });

  it('when the stored figures cannot be read, it keeps the last ones and still updates the live part', async () => {
    let fail = false;
    const board = new LiveBoard(sources({ today: () => (fail ? Promise.reject(new Error('db down')) : Promise.resolve({ offered: 1, answered: 1, abandoned: 0, serviceLevel: 1, abandonRate: 0, asaS: 3 })) }), fakeClockAt(T0), silentLogger());
    await board.refresh();
    fail = true;
    const snap = await board.refresh();
    expect(snap.today.offered).to.equal(1);
    expect(snap.waitingTotal).to.equal(3);
  });

  it('when scraped, /metrics gauges show waiting callers, longest wait, agents per state and today\'s service level', async () => {
    const board = new LiveBoard(sources(), fakeClockAt(T0), silentLogger());
    await board.refresh();
    const registry = new Registry();
    registerLiveGauges(registry, board);
    const text = await registry.metrics();
    expect(text).to.match(/hotline_calls_waiting\{queue="general"\} 2/);
    expect(text).to.match(/hotline_longest_wait_seconds 42/);
    expect(text).to.match(/hotline_agents\{state="busy"\} 2/);
    expect(text).to.match(/hotline_service_level_today_ratio 0.7/);
  });

  it('when started, it refreshes every interval and pushes each update to wallboard sockets of supervisors only', async () => {
    const clock = fakeClockAt(T0);
    let waitingNow = 1;
    const board = new LiveBoard(sources({ callersWaiting: () => Array.from({ length: waitingNow }, () => ({ queue: 'general', enteredAt: T0 })) }), clock, silentLogger(), 5000);
    await board.start();
    server = createServer();
    const users: Record<string, { id: number; username: string; role: 'supervisor' | 'agent' }> = {
      sup: { id: 1, username: 'sup', role: 'supervisor' },
      agt: { id: 2, username: 'agt', role: 'agent' },
    };
    const wall = new WallboardServer(server, { board, verifyToken: (t) => Promise.resolve(users[t]), logger: silentLogger() });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;

    const refused = new WebSocket(`ws://127.0.0.1:${port}/ws/wallboard?token=agt`);
    const code = await new Promise<number>((resolve) => refused.once('close', (c) => { resolve(c); }));
    expect(code).to.equal(4403);

    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/wallboard?token=sup`);
    const frames: { type: string; waitingTotal: number }[] = [];
    ws.on('message', (d: Buffer) => frames.push(JSON.parse(d.toString()) as { type: string; waitingTotal: number }));
    await new Promise((resolve) => ws.once('open', resolve));
    await waitUntil(() => frames.length >= 1);
    expect(frames[0]).to.include({ type: 'board', waitingTotal: 1 });
    waitingNow = 4;
    clock.tick(5000);
    await waitUntil(() => frames.length >= 2);
    expect(frames[1]).to.include({ type: 'board', waitingTotal: 4 });
    ws.close();
    wall.close();
    board.stop();
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!check()) throw new Error('condition not met');
}

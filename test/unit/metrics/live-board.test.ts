import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import sinon from 'sinon';
import WebSocket from 'ws';
import { Registry } from 'prom-client';
import { registerLiveGauges } from '../../../src/api/live-gauges.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { acdBoardSources, LiveBoard, type BoardChange, type LiveBoardSnapshot, type LiveBoardSources } from '../../../src/metrics/live-board.js';
import { queueMetrics } from '../../../src/metrics/queue-metrics.js';
import { makeAcd } from '../acd/acd-test-kit.js';
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
    agents: () => [
      { agentId: '7', extension: '8007', state: 'ready', reason: null, since: T0 - 3_000 },
      { agentId: '2', extension: '8002', state: 'busy', reason: null, since: T0 - 65_000 },
      { agentId: '3', extension: '8003', state: 'busy', reason: null, since: T0 - 1_000 },
      { agentId: '4', extension: '8004', state: 'logged-out', reason: null, since: T0 - 600_000 },
      { agentId: '5', extension: '8005', state: 'not-ready', reason: '休息', since: T0 - 120_000 },
    ],
    today: () => Promise.resolve({ offered: 10, answered: 8, abandoned: 2, answerRate: 0.8, serviceLevel: 0.7, abandonRate: 0.2, asaS: 9.5 }),
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
    const board = new LiveBoard(sources({ today: () => (fail ? Promise.reject(new Error('db down')) : Promise.resolve({ offered: 1, answered: 1, abandoned: 0, answerRate: 1, serviceLevel: 1, abandonRate: 0, asaS: 3 })) }), fakeClockAt(T0), silentLogger());
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

  it('lists every agent by extension with its state, reason and seconds in state, and every defined queue even when nobody waits', async () => {
    const board = new LiveBoard(sources({ queues: () => [{ name: 'general', displayName: '综合咨询' }, { name: 'vip', displayName: '重点诉求' }] }), fakeClockAt(T0), silentLogger());
    const snap = await board.refresh();
    expect(snap.agentList.map((a) => [a.extension, a.state, a.reason, a.inStateS])).to.deep.equal([
      ['8002', 'busy', null, 65],
      ['8003', 'busy', null, 1],
      ['8004', 'logged-out', null, 600],
      ['8005', 'not-ready', '休息', 120],
      ['8007', 'ready', null, 3],
    ]);
    expect(snap.agentList[0]).to.include({ agentId: '2', since: new Date(T0 - 65_000).toISOString() });
    expect(snap.queues).to.deep.equal([
      { name: 'general', displayName: '综合咨询', waiting: 2, longestWaitS: 42 },
      { name: 'vip', displayName: '重点诉求', waiting: 0, longestWaitS: 0 },
      { name: 'complaint', displayName: 'complaint', waiting: 1, longestWaitS: 12 },
    ]);
    expect(snap.today.answerRate).to.equal(0.8);
  });

  it('when the ACD reports changes, it pushes one update within coalesceMs without waiting for the refresh interval or re-reading today', async () => {
    const clock = fakeClockAt(T0);
    let listener: ((c: BoardChange) => void) | undefined;
    let todayReads = 0;
    let state = 'not-ready';
    const board = new LiveBoard(
      sources({
        agents: () => [{ agentId: '1', extension: '8001', state, reason: null, since: clock.now() }],
        today: () => {
          todayReads++;
          return Promise.resolve({ offered: 0, answered: 0, abandoned: 0, answerRate: null, serviceLevel: null, abandonRate: null, asaS: null });
        },
        subscribe: (l) => {
          listener = l;
          return () => {
            listener = undefined;
          };
        },
      }),
      clock,
      silentLogger(),
      { refreshMs: 5000, coalesceMs: 50 },
    );
    const updates: LiveBoardSnapshot[] = [];
    board.observer.on('update', (s) => updates.push(s));
    await board.start();
    expect(updates).to.have.length(1);
    state = 'ready';
    listener?.('live');
    listener?.('live');
    clock.tick(49);
    expect(updates).to.have.length(1);
    clock.tick(1);
    expect(updates).to.have.length(2);
    expect(updates[1]?.agentList[0]).to.include({ state: 'ready' });
    expect(todayReads).to.equal(1);
    board.stop();
    expect(listener).to.equal(undefined);
    clock.tick(10_000);
    expect(updates).to.have.length(2);
  });

  it('after a call outcome, it reads today again after todayDelayMs, and at most once per todayMinIntervalMs however many calls end', async () => {
    const clock = fakeClockAt(T0);
    let listener: ((c: BoardChange) => void) | undefined;
    let answered = 0;
    let todayReads = 0;
    const board = new LiveBoard(
      sources({
        today: () => {
          todayReads++;
          return Promise.resolve({ offered: answered, answered, abandoned: 0, answerRate: answered === 0 ? null : 1, serviceLevel: null, abandonRate: null, asaS: null });
        },
        subscribe: (l) => {
          listener = l;
          return () => undefined;
        },
      }),
      clock,
      silentLogger(),
      { refreshMs: 60_000, coalesceMs: 50, todayDelayMs: 300, todayMinIntervalMs: 1000 },
    );
    await board.start();
    clock.tick(2000);
    answered = 1;
    listener?.('call');
    clock.tick(299);
    expect(todayReads).to.equal(1);
    clock.tick(1);
    await waitUntil(() => board.snapshot.today.answered === 1);
    expect(todayReads).to.equal(2);
    answered = 3;
    listener?.('call');
    listener?.('call');
    clock.tick(300);
    expect(todayReads).to.equal(2);
    clock.tick(700);
    await waitUntil(() => board.snapshot.today.answered === 3);
    expect(todayReads).to.equal(3);
    board.stop();
  });

  it('over a real ACD: a caller queueing with no agent, an agent logging in and the offer each reach the board within 50 ms, and today counts the call', async () => {
    const kit = makeAcd();
    const board = new LiveBoard(
      acdBoardSources(kit.acd, [{ name: 'general', displayName: '综合咨询' }], async (now) => queueMetrics(await kit.records.listQueueEvents({ from: new Date(now - 3_600_000), to: new Date(now + 1) }))),
      kit.clock,
      silentLogger(),
    );
    const updates: LiveBoardSnapshot[] = [];
    board.observer.on('update', (s) => updates.push(s));
    await board.start();
    const before = updates.length;
    kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '13800138000' });
    await kit.timers.tickAsync(50);
    expect(updates.length).to.equal(before + 1);
    expect(updates.at(-1)?.queues).to.deep.equal([{ name: 'general', displayName: '综合咨询', waiting: 1, longestWaitS: 0.1 }]);
    expect(updates.at(-1)?.agentList).to.deep.equal([]);
    kit.acd.login({ agentId: '9', extension: '8009', skills: ['general'] });
    await kit.timers.tickAsync(50);
    expect(updates.at(-1)?.agentList).to.deep.include({ agentId: '9', extension: '8009', state: 'offered', reason: null, since: new Date(kit.clock.now() - 50).toISOString(), inStateS: 0.1 });
    // The entered row is read at most 1 s after the previous read (start()).
    await kit.timers.tickAsync(1000);
    expect(board.snapshot.today).to.include({ offered: 1, answered: 0 });
    kit.acd.offerAnswered('c1', '9');
    await kit.timers.tickAsync(1000);
    expect(board.snapshot.today).to.include({ offered: 1, answered: 1, answerRate: 1 });
    expect(board.snapshot.agents).to.deep.equal({ busy: 1 });
    board.stop();
    kit.acd.close();
  });

  it('when started, it refreshes every interval and pushes each update to wallboard sockets of supervisors only', async () => {
    const clock = fakeClockAt(T0);
    let waitingNow = 1;
    const board = new LiveBoard(sources({ callersWaiting: () => Array.from({ length: waitingNow }, () => ({ queue: 'general', enteredAt: T0 })) }), clock, silentLogger(), { refreshMs: 5000 });
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

import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { Acd } from '../../../src/acd/acd.js';
import { RONA_REASON } from '../../../src/acd/agent.js';
import { parseQueues } from '../../../src/acd/parse-queues.js';
import { QueueDispatcher } from '../../../src/calls/queue-dispatcher.js';
import type { QueuedCallEnd } from '../../../src/calls/queued-call.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { Clock, Timer } from '../../../src/shared/clock.js';
import { FakePbx, PlayRecordingLeg } from '../../support/fake-pbx.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';
import { MemoryAcdRecords } from '../acd/acd-test-kit.js';

const QUEUES = parseQueues(
  `
queues:
  general:
    displayName: 综合咨询
    skills: [general]
    maxWaitS: 90
    onMaxWait: callback-offer
    announceEveryS: 0
    ringTimeoutS: 15
    wrapUpS: 0
  complaint:
    displayName: 投诉举报
    skills: [complaint]
    maxWaitS: 60
    overflow: general
    onMaxWait: overflow
    announceEveryS: 0
    music: complaint-music
`,
  'dispatcher-test.yaml',
);

const T0 = Date.parse('2024-05-01T08:00:00.000Z');

interface Rig {
  readonly acd: Acd;
  readonly acdRecords: MemoryAcdRecords;
  readonly callRecords: MemoryCallRecords;
  readonly pbx: FakePbx;
  readonly dispatcher: QueueDispatcher;
  readonly timers: sinon.SinonFakeTimers;
  queue(callId: string, from: string, queue?: string): Promise<{ leg: PlayRecordingLeg; end: Promise<QueuedCallEnd> }>;
  login(agentId: string, extension: string, skills?: string[]): void;
}

const cleanups: (() => void)[] = [];

/** Fake setTimeout/Date only: setImmediate stays real for the recording directory's mkdir. */
function rig(): Rig {
  const timers = sinon.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const clock: Clock = {
    now: () => timers.now,
    setTimeout: (fn, ms) => timers.setTimeout(fn, ms) as unknown as Timer,
    clearTimeout: (timer) => {
      timers.clearTimeout(timer as unknown as Parameters<typeof timers.clearTimeout>[0]);
    },
  };
  const acdRecords = new MemoryAcdRecords();
  const acd = new Acd({ clock, logger: silentLogger(), records: acdRecords, queues: QUEUES });
  const callRecords = new MemoryCallRecords();
  const pbx = new FakePbx(() => timers.now);
  const recordingsDir = mkdtempSync(path.join(tmpdir(), 'dispatcher-rec-'));
  const dispatcher = new QueueDispatcher({
    acd,
    pbx,
    records: callRecords,
    clock,
    logger: silentLogger(),
    recordingsDir,
    queueSettings: (name) => {
      const q = QUEUES.get(name);
      if (q === undefined) throw new Error(`no queue ${name}`);
      return { displayName: q.displayName, music: q.music, ringTimeoutS: q.ringTimeoutS };
    },
  });
  cleanups.push(() => {
    dispatcher.close();
    acd.close();
    rmSync(recordingsDir, { recursive: true, force: true });
  });
  return {
    acd,
    acdRecords,
    callRecords,
    pbx,
    dispatcher,
    timers,
    queue: async (callId, from, queue = 'general') => {
      const leg = PlayRecordingLeg.answered(callId, from, timers.now);
      await callRecords.create({ callId, direction: 'inbound', from, to: '12345', startedAt: new Date(timers.now) });
      const end = dispatcher.enqueue(leg, queue);
      await settle();
      return { leg, end };
    },
    login: (agentId, extension, skills = ['general']) => {
      acd.login({ agentId, extension, skills });
    },
  };
}

async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function until(check: () => boolean, what: string): Promise<void> {
  // Real time (hrtime is not faked), not a count of turns: on a busy machine 2000 turns passed before the
  // recording folder was made and the bridge was up.
  const end = process.hrtime.bigint() + 10_000_000_000n;
  while (process.hrtime.bigint() < end) {
    if (check()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

describe('QueueDispatcher', () => {
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    sinon.restore();
  });

  it("when an agent becomes ready with two callers waiting, it rings that agent with the oldest caller's number only", async () => {
    const r = rig();
    await r.queue('call-1', '13811110001');
    r.timers.tick(3000);
    await r.queue('call-2', '13811110002');
    expect(r.dispatcher.waitingCalls).to.equal(2);

    r.login('7', '8001');
    await settle();

    expect(r.pbx.dials.map((d) => [d.request.target, d.request.fromUser])).to.deep.equal([['ext:8001', '13811110001']]);
    expect(r.acd.waiting('general')).to.deep.equal(['call-2']);
  });

  it('when the agent answers and later hangs up, the caller is hung up, enqueue resolves talked/callee and the agent is ready again', async () => {
    const r = rig();
    const { leg, end } = await r.queue('call-1', '13811110001');
    r.pbx.next('answer');
    r.login('7', '8001');
    await until(() => r.pbx.bridges.length === 1, 'the bridge');
    expect(r.acd.agent('7')?.state).to.equal('busy');

    r.pbx.lastDial().leg?.remoteHangup();

    expect(await end).to.deep.equal({ kind: 'talked', endedBy: 'callee' });
    expect(leg.state).to.equal('ended');
    expect(r.acd.agent('7')?.state).to.equal('ready'); // wrapUpS 0
    expect(r.dispatcher.waitingCalls).to.equal(0);
  });

  it("when the agent's desktop asks to hang up, it ends that agent's conversation (callee) and says true; false for an agent without a call", async () => {
    const r = rig();
    const { leg, end } = await r.queue('call-1', '13811110001');
    r.pbx.next('answer');
    r.login('7', '8001');
    r.login('8', '8002');
    await until(() => r.pbx.bridges.length === 1, 'the bridge');

    expect(await r.dispatcher.hangupAgentCall('8')).to.equal(false);
    expect(await r.dispatcher.hangupAgentCall('7')).to.equal(true);

    expect(await end).to.deep.equal({ kind: 'talked', endedBy: 'callee' });
    expect(leg.state).to.equal('ended');
    expect(await r.dispatcher.hangupAgentCall('7')).to.equal(false);
  });

  it('when a caller asks for a callback, it emits callback with the call id and enqueue resolves callback', async () => {
    const r = rig();
    const { leg, end } = await r.queue('call-1', '13811110001');
    leg.blocking.add('callback-offer');
    const callbacks: string[] = [];
    r.dispatcher.events.on('callback', (callId) => callbacks.push(callId));
    await r.timers.tickAsync(90_000);
    await settle();

    leg.press('1');

    expect(await end).to.deep.equal({ kind: 'callback' });
    expect(callbacks).to.deep.equal(['call-1']);
    await r.acd.flush();
    expect(r.acdRecords.callbacks.map((c) => [c.callId, c.queue])).to.deep.equal([['call-1', 'general']]);
  });

  it('when a complaint caller overflows to general, the call record names the new queue and a general agent gets the call', async () => {
    const r = rig();
    await r.queue('call-1', '13811110001', 'complaint');
    r.login('7', '8001');
    await settle();
    expect(r.pbx.dials).to.deep.equal([]);

    await r.timers.tickAsync(60_000);
    await settle();

    expect((await r.callRecords.get('call-1'))?.queue).to.equal('general');
    expect(r.pbx.dials.map((d) => [d.request.target, d.request.headers?.['X-Hotline-Queue'], d.request.fromDisplayName])).to.deep.equal([
      ['ext:8001', 'general', '综合咨询'],
    ]);
  });

  it("when an offer is not resolved within ring timeout + 10 s, it stops ringing that agent (RONA) and rings the next one", async () => {
    const r = rig();
    await r.queue('call-1', '13811110001');
    r.login('7', '8001');
    r.timers.tick(1000);
    r.login('8', '8002');
    await settle();
    const first = r.pbx.lastDial();

    await r.timers.tickAsync(25_000);
    await settle();

    expect(first.signal?.aborted).to.equal(true);
    expect(r.acd.agent('7')).to.deep.include({ state: 'not-ready', reason: RONA_REASON });
    expect(r.pbx.dials.map((d) => d.request.target)).to.deep.equal(['ext:8001', 'ext:8002']);
    expect(r.acd.agent('8')?.state).to.equal('offered');
  });

  // BUG (reported, src/calls/queued-call.ts dialAgent catch block): the withdrawn dial's rejection
  // runs after the ACD already re-offered the caller and clears `dialing`/`agentId` of the NEW offer,
  // so the caller hanging up no longer cancels the second agent's ringing. Unskip once fixed.
  it('when the caller hangs up while the next agent rings after an offer timeout, it cancels that ringing too', async () => {
    const r = rig();
    const { leg, end } = await r.queue('call-1', '13811110001');
    r.login('7', '8001');
    r.timers.tick(1000);
    r.login('8', '8002');
    await settle();
    await r.timers.tickAsync(25_000);
    await settle();
    const second = r.pbx.lastDial();
    expect(second.request.target).to.equal('ext:8002');

    leg.remoteHangup();

    expect(await end).to.deep.equal({ kind: 'abandoned' });
    expect(second.signal?.aborted).to.equal(true);
  });

  it('when the dispatcher is closed, ACD offers no longer ring anybody', async () => {
    const r = rig();
    await r.queue('call-1', '13811110001');
    r.dispatcher.close();

    r.login('7', '8001');
    await settle();

    expect(r.pbx.dials).to.deep.equal([]);
    expect(r.acd.agent('7')?.state).to.equal('offered');
  });
});

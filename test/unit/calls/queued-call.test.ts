import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { Acd } from '../../../src/acd/acd.js';
import type { AcdEvents } from '../../../src/acd/acd-events.js';
import { RONA_REASON } from '../../../src/acd/agent.js';
import { parseQueues } from '../../../src/acd/parse-queues.js';
import { QueuedCall, type QueueDesk, type QueuedCallEnd, type QueuedCallOptions } from '../../../src/calls/queued-call.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { InvalidStateError } from '../../../src/shared/app-error.js';
import type { Clock, Timer } from '../../../src/shared/clock.js';
import type { BridgeHandle, CallLeg } from '../../../src/telephony/call-leg.js';
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
    announceEveryS: 30
    ringTimeoutS: 20
    wrapUpS: 30
    music: hold-music
  patient:
    displayName: 重点诉求
    skills: [general]
    maxWaitS: 600
    onMaxWait: keep-waiting
    announceEveryS: 0
    music: calm-music
`,
  'queued-call-test.yaml',
);

const CALLER = '13812345678';
const T0 = Date.parse('2024-05-01T08:00:00.000Z');

/** Like the SIP engine, refuses to bridge a leg that is no longer a live call. */
class LiveOnlyPbx extends FakePbx {
  override bridge(a: CallLeg, b: CallLeg, options: { recordingPath?: string } = {}): BridgeHandle {
    for (const leg of [a, b]) {
      if (leg.state === 'ended') throw new InvalidStateError(`leg ${leg.id} is not a live call of this engine`);
    }
    return super.bridge(a, b, options);
  }
}

/** One ACD, its records, a fake PBX and the QueuedCalls of a test, with the ACD's events routed to them. */
interface Rig {
  readonly acd: Acd;
  readonly acdRecords: MemoryAcdRecords;
  readonly callRecords: MemoryCallRecords;
  readonly pbx: FakePbx;
  readonly timers: sinon.SinonFakeTimers;
  readonly recordingsDir: string;
  /** Answers an inbound caller, creates its call record and puts it in `queue`. */
  queue(callId: string, queue?: string, from?: string, options?: QueuedCallOptions): Promise<{ leg: PlayRecordingLeg; call: QueuedCall; end: Promise<QueuedCallEnd> }>;
  login(agentId: string, extension: string): void;
  /** Runs right after the ACD took an agent's answer (before any await of the call). */
  afterAnswered: ((callId: string) => void) | undefined;
}

/**
 * Fake timers for setTimeout/Date only: setImmediate stays real so that the mkdir of the recording
 * directory (real I/O) can complete while a test waits with `until()`.
 */
function rig(options: { recordingsDir?: string } = {}): Rig {
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
  const pbx = new LiveOnlyPbx(() => timers.now);
  const tmp = mkdtempSync(path.join(tmpdir(), 'queued-call-rec-'));
  const recordingsDir = options.recordingsDir ?? tmp;
  const calls = new Map<string, QueuedCall>();
  const route = <K extends keyof AcdEvents & string>(name: K, act: (call: QueuedCall, ...args: AcdEvents[K]) => void): void => {
    acd.observer.on(name, (...args: AcdEvents[K]) => {
      const e = args[0] as { callId: string };
      const call = calls.get(e.callId);
      if (call) act(call, ...args);
    });
  };
  route('offer', (c, e) => {
    c.offer(e);
  });
  route('offer-withdrawn', (c) => {
    c.withdraw();
  });
  route('max-wait', (c, e) => {
    c.maxWait(e);
  });
  route('announce', (c, e) => {
    c.announce(e);
  });
  route('overflow', (c, e) => {
    c.moved(e.to);
  });
  cleanups.push(() => {
    acd.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const desk: QueueDesk = {
    enqueue: (call) => acd.enqueue(call),
    leave: (callId, reason) => {
      acd.leave(callId, reason);
    },
    keepWaiting: (callId) => {
      acd.keepWaiting(callId);
    },
    offerAnswered: (callId, agentId) => {
      acd.offerAnswered(callId, agentId);
      r.afterAnswered?.(callId);
    },
    offerFailed: (callId, agentId, reason) => {
      acd.offerFailed(callId, agentId, reason);
    },
    callEnded: (callId) => {
      acd.callEnded(callId);
    },
  };
  const r: Rig = {
    afterAnswered: undefined,
    acd,
    acdRecords,
    callRecords,
    pbx,
    timers,
    recordingsDir,
    queue: async (callId, queue = 'general', from = CALLER, options = {}) => {
      const leg = PlayRecordingLeg.answered(callId, from, timers.now);
      // A Call-ID seen again keeps its first row (as the store does).
      if ((await callRecords.get(callId)) === undefined) await callRecords.create({ callId, direction: 'inbound', from, to: '12345', startedAt: new Date(timers.now) });
      const call = new QueuedCall(leg, queue, {
        acd: desk,
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
      }, options);
      calls.set(callId, call);
      const end = call.run();
      void end.finally(() => calls.delete(callId));
      await settle();
      return { leg, call, end };
    },
    login: (agentId, extension) => {
      acd.login({ agentId, extension, skills: ['general'] });
    },
  };
  return r;
}

const cleanups: (() => void)[] = [];

/** Lets promise chains and real I/O run (setImmediate is not faked). */
async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Waits (real I/O turns, up to 10 s of real time) until `check` holds. */
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

describe('QueuedCall', () => {
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    sinon.restore();
  });

  it('when a caller is queued with no agent free, it says the queue-wait prompt with the expected wait, then loops the hold music', async () => {
    const r = rig();
    const { leg } = await r.queue('call-1');

    expect(leg.plays.map((p) => ({ prompts: p.prompts, loop: p.loop }))).to.deep.equal([
      // 1st in line (nobody ahead: no position), no agent yet: 180 s default handle time → 3 minutes.
      { prompts: ['queue-wait', 'queue-minutes-before', 'count-3', 'queue-minutes-after'], loop: false },
      { prompts: ['hold-music'], loop: true },
    ]);
    expect(leg.nowPlaying()).to.deep.equal(['music:hold-music']);
    expect(r.acd.waiting('general')).to.deep.equal(['call-1']);
    const row = await r.callRecords.get('call-1');
    expect(row?.queue).to.equal('general');
    expect(row?.queuedAt?.getTime()).to.equal(T0);
  });

  it('when the IVR hands over an announcement, the caller is in the queue before it plays, and it comes before queue-wait', async () => {
    const r = rig();
    const { leg } = await r.queue('call-1', 'general', CALLER, { announce: ['branch-agent'] });
    expect(r.acd.waiting('general')).to.deep.equal(['call-1']);
    expect(r.acdRecords.eventsOf('call-1')).to.deep.equal(['entered']);
    expect(r.acdRecords.queueEvents[0]?.at.getTime()).to.equal(T0);
    expect(leg.plays[0]?.prompts).to.deep.equal(['branch-agent', 'queue-wait', 'queue-minutes-before', 'count-3', 'queue-minutes-after']);
  });

  it('when an agent is free as the caller joins with an announcement, the agent is rung at once, during it, and it stops when they answer', async () => {
    const r = rig();
    r.login('7', '8001');
    const { leg } = await r.queue('call-1', 'general', CALLER, { announce: ['branch-agent'] });
    expect(r.pbx.dials.map((d) => d.request.target), 'rung before any fake time passed').to.deep.equal(['ext:8001']);
    expect(leg.plays[0]?.prompts[0]).to.equal('branch-agent');
    r.pbx.dials[0]?.answer();
    await until(() => r.pbx.bridges.length === 1, 'the bridge');
    expect(leg.nowPlaying()).to.deep.equal([]);
  });

  it("when the ACD offers the call, it dials ext:<extension> with the queue's ring timeout, the caller's number and the queue's name", async () => {
    const r = rig();
    const { leg } = await r.queue('call-1');
    r.login('7', '8001');
    await settle();

    expect(r.pbx.dials).to.have.length(1);
    expect(r.pbx.lastDial().request).to.deep.equal({
      target: 'ext:8001',
      fromUser: CALLER,
      fromDisplayName: '综合咨询',
      timeoutMs: 20_000,
      headers: { 'X-Hotline-Queue': 'general' },
    });
    expect(r.acd.agent('7')?.state).to.equal('offered');
    // The caller keeps hearing the music while the agent's phone rings.
    expect(leg.nowPlaying()).to.deep.equal(['music:hold-music']);
  });

  it('when the agent answers, it stops the music, bridges caller and agent with a recording under the recordings dir and writes the agent on the call record', async () => {
    const r = rig();
    const { leg } = await r.queue('call-1');
    r.timers.tick(12_000);
    r.pbx.next('answer');
    r.login('7', '8001');
    await until(() => r.pbx.bridges.length === 1, 'the bridge');
    await settle();

    const agentLeg = r.pbx.lastDial().leg;
    const bridge = r.pbx.bridges[0];
    expect(bridge?.a).to.equal(leg);
    expect(bridge?.b).to.equal(agentLeg);
    const expectedPath = bridge?.recordingPath ?? '';
    expect(path.dirname(expectedPath)).to.equal(path.join(r.recordingsDir, '2024-05-01'));
    expect(path.basename(expectedPath)).to.match(/^call-1-[0-9a-f]{8}\.wav$/);
    // Residents' voices: owner-only folder and file.
    expect(statSync(path.dirname(expectedPath)).mode & 0o777).to.equal(0o700);
    expect(statSync(expectedPath).mode & 0o777).to.equal(0o600);
    expect(leg.nowPlaying()).to.deep.equal([]);
    expect(r.acd.agent('7')?.state).to.equal('busy');
    expect(r.acdRecords.eventsOf('call-1')).to.deep.equal(['entered', 'offered:7', 'answered:7']);
    const row = await r.callRecords.get('call-1');
    expect(row).to.include({ agentId: 7, agentExtension: '8001', recordingPath: expectedPath });
    expect(row?.agentAnsweredAt?.getTime()).to.equal(T0 + 12_000);
  });

  it('when the caller hangs up while the recording folder is being created, it hangs up the agent, puts the agent in wrap-up and ends the call', async () => {
    const r = rig();
    const { leg, end } = await r.queue('call-1');
    // The caller's BYE lands just after the agent's 200 OK, while the folder is made (real I/O).
    r.afterAnswered = () => {
      queueMicrotask(() => {
        leg.remoteHangup();
      });
    };
    r.pbx.next('answer');
    r.login('7', '8001');

    await until(() => String(r.acd.agent('7')?.state) === 'wrap-up', 'the agent in wrap-up');

    expect(r.acd.agent('7')?.state).to.equal('wrap-up');
    expect(await end).to.deep.equal({ kind: 'talked', endedBy: 'caller' });
    expect(r.pbx.lastDial().leg?.end).to.deep.include({ by: 'local' });
    expect(r.pbx.bridges).to.deep.equal([]);
    await r.acd.flush();
    expect(r.acdRecords.eventsOf('call-1')).to.deep.equal(['entered', 'offered:7', 'answered:7', 'ended:7']);
    // No empty recording left behind for a conversation that never happened.
    const day = path.join(r.recordingsDir, '2024-05-01');
    expect(existsSync(day) ? readdirSync(day) : []).to.deep.equal([]);
  });

  it('when the recording folder cannot be created, it bridges caller and agent without recording and the call ends normally', async () => {
    const blocker = path.join(mkdtempSync(path.join(tmpdir(), 'queued-call-blocked-')), 'not-a-folder');
    writeFileSync(blocker, '');
    cleanups.push(() => {
      rmSync(path.dirname(blocker), { recursive: true, force: true });
    });
    const r = rig({ recordingsDir: blocker });
    const { leg, end } = await r.queue('call-1');
    r.pbx.next('answer');
    r.login('7', '8001');
    await until(() => r.pbx.bridges.length === 1, 'the bridge');
    await settle();

    expect(r.pbx.bridges[0]).to.deep.include({ a: leg, b: r.pbx.lastDial().leg, recordingPath: undefined });
    expect(r.acd.agent('7')?.state).to.equal('busy');
    expect(await r.callRecords.get('call-1')).to.include({ agentExtension: '8001', recordingPath: null });

    r.pbx.lastDial().leg?.remoteHangup();

    expect(await end).to.deep.equal({ kind: 'talked', endedBy: 'callee' });
    expect(leg.end).to.deep.include({ by: 'local' });
    expect(r.acd.agent('7')?.state).to.equal('wrap-up');
  });

  it("when a Call-ID comes back the same day, the second call is recorded to a new file and the first call's recording stays intact", async () => {
    const r = rig();
    r.login('7', '8001');
    const talk = async (): Promise<string> => {
      const { end } = await r.queue('dup/../id@host');
      r.pbx.lastDial().answer();
      await until(() => r.pbx.bridges.length > 0 && r.pbx.bridges.at(-1)?.closed === false, 'the bridge');
      const file = r.pbx.bridges.at(-1)?.recordingPath ?? '';
      r.pbx.lastDial().leg?.remoteHangup();
      await end;
      await r.timers.tickAsync(30_000); // wrap-up
      return file;
    };
    const first = await talk();
    writeFileSync(first, 'first caller');
    const second = await talk();

    expect(second).to.not.equal(first);
    expect(readFileSync(first, 'utf8')).to.equal('first caller');
    // A Call-ID's slashes and dots never lead the file out of the day's folder.
    for (const file of [first, second]) {
      expect(path.dirname(file)).to.equal(path.join(r.recordingsDir, '2024-05-01'));
      expect(path.basename(file)).to.match(/^dup_\.\._id_host-[0-9a-f]{8}\.wav$/);
    }
  });

  it('when the agent hangs up, it hangs up the caller, ends the call in the ACD (wrap-up) and reports talked, ended by the callee', async () => {
    const r = rig();
    const { leg, end } = await r.queue('call-1');
    r.pbx.next('answer');
    r.login('7', '8001');
    await until(() => r.pbx.bridges.length === 1, 'the bridge');
    r.timers.tick(60_000);

    r.pbx.lastDial().leg?.remoteHangup();

    expect(await end).to.deep.equal({ kind: 'talked', endedBy: 'callee' });
    expect(leg.state).to.equal('ended');
    expect(leg.end).to.deep.include({ reason: 'hangup', by: 'local' });
    expect(r.pbx.bridges[0]?.closed).to.equal(true);
    expect(r.acd.agent('7')?.state).to.equal('wrap-up');
    await r.acd.flush();
    expect(r.acdRecords.eventsOf('call-1')).to.deep.equal(['entered', 'offered:7', 'answered:7', 'ended:7']);
  });

  it('when the caller hangs up during the conversation, it hangs up the agent and reports talked, ended by the caller', async () => {
    const r = rig();
    const { leg, end } = await r.queue('call-1');
    r.pbx.next('answer');
    r.login('7', '8001');
    await until(() => r.pbx.bridges.length === 1, 'the bridge');

    leg.remoteHangup();

    expect(await end).to.deep.equal({ kind: 'talked', endedBy: 'caller' });
    expect(r.pbx.lastDial().leg?.end).to.deep.include({ by: 'local' });
    expect(r.acd.agent('7')?.state).to.equal('wrap-up');
  });

  it('when the agent does not answer, it puts that agent not-ready (RONA) and rings the next agent for the same caller', async () => {
    const r = rig();
    await r.queue('call-1');
    r.pbx.next('no-answer', 'ring');
    r.login('7', '8001');
    r.timers.tick(1000);
    r.login('8', '8002');
    await settle();
    // The first offer went to 7 before 8 logged in; 7's phone did not answer.
    await until(() => r.pbx.dials.length === 2, 'the second dial');

    expect(r.pbx.dials.map((d) => d.request.target)).to.deep.equal(['ext:8001', 'ext:8002']);
    expect(r.acd.agent('7')).to.deep.include({ state: 'not-ready', reason: RONA_REASON });
    expect(r.acd.agent('8')?.state).to.equal('offered');
    expect(r.acdRecords.eventsOf('call-1')).to.deep.equal(['entered', 'offered:7', 'rona:7', 'offered:8']);
  });

  it('when the agent is busy or unreachable, it reports the agent unreachable, not RONA', async () => {
    const r = rig();
    await r.queue('call-1');
    r.pbx.next('unavailable');
    r.login('7', '8001');
    await until(() => r.acd.agent('7')?.reason === 'unreachable', 'agent 7 not ready');

    expect(r.acd.agent('7')).to.deep.include({ state: 'not-ready', reason: 'unreachable' });
    expect(r.acdRecords.eventsOf('call-1')).to.deep.equal(['entered', 'offered:7', 'offer-failed:7']);
    expect(r.acd.waiting('general')).to.deep.equal(['call-1']);
  });

  it("when the caller hangs up while the agent's phone rings, it cancels the dial, frees the agent and records the caller as abandoned", async () => {
    const r = rig();
    const { leg, end } = await r.queue('call-1');
    r.login('7', '8001');
    await settle();
    const dial = r.pbx.lastDial();
    r.timers.tick(5000);

    leg.remoteHangup();

    expect(await end).to.deep.equal({ kind: 'abandoned' });
    expect(dial.signal?.aborted).to.equal(true);
    expect(dial.settled).to.equal(true);
    await settle();
    expect(r.acd.agent('7')?.state).to.equal('ready');
    expect(r.acdRecords.eventsOf('call-1')).to.deep.equal(['entered', 'offered:7', 'abandoned']);
    expect(r.acdRecords.queueEvents.at(-1)?.waitMs).to.equal(5000);
  });

  it('when the caller hangs up while waiting, it stops the music and records the caller as abandoned', async () => {
    const r = rig();
    const { leg, end } = await r.queue('call-1');
    r.timers.tick(40_000);

    leg.remoteHangup();

    expect(await end).to.deep.equal({ kind: 'abandoned' });
    expect(leg.nowPlaying()).to.deep.equal([]);
    expect(r.acd.waiting('general')).to.deep.equal([]);
    expect(r.acdRecords.eventsOf('call-1')).to.deep.equal(['entered', 'abandoned']);
  });

  it('when the maximum wait is reached and the caller presses 1 during the callback offer, it stores a callback request and hangs up after confirming', async () => {
    const r = rig();
    const { leg, end } = await r.queue('call-1');
    leg.blocking.add('callback-offer');
    await r.timers.tickAsync(90_000);
    await settle();
    expect(leg.nowPlaying()).to.deep.equal(['callback-offer']);

    leg.press('1');

    expect(await end).to.deep.equal({ kind: 'callback' });
    await until(() => leg.state === 'ended', 'the hang-up');
    expect(leg.plays.map((p) => p.prompts[0]).slice(-2)).to.deep.equal(['callback-offer', 'callback-confirmed']);
    expect(leg.end).to.deep.include({ by: 'local' });
    expect(r.acd.waiting('general')).to.deep.equal([]);
    await r.acd.flush();
    expect(r.acdRecords.eventsOf('call-1')).to.deep.equal(['entered', 'callback']);
    expect(r.acdRecords.callbacks).to.have.length(1);
    expect(r.acdRecords.callbacks[0]).to.deep.include({ callId: 'call-1', queue: 'general', status: 'open' });
  });

  it('when the callback offer gets no key, it keeps the caller waiting with the music and makes no second offer', async () => {
    const r = rig();
    const { leg } = await r.queue('call-1');
    await r.timers.tickAsync(90_000);
    await settle();
    const offers = (): number => leg.plays.filter((p) => p.prompts[0] === 'callback-offer').length;
    expect(offers()).to.equal(1);

    // The prompt has been heard in full; 6 s without a key means "keep waiting".
    await r.timers.tickAsync(6000);
    await settle();

    expect(leg.nowPlaying()).to.deep.equal(['music:hold-music']);
    expect(r.acd.waiting('general')).to.deep.equal(['call-1']);
    await r.timers.tickAsync(200_000);
    await settle();
    expect(offers()).to.equal(1);
    expect(r.acdRecords.callbacks).to.deep.equal([]);
  });

  it('when a key other than 1 answers the callback offer, it keeps the caller waiting', async () => {
    const r = rig();
    const { leg } = await r.queue('call-1');
    leg.blocking.add('callback-offer');
    await r.timers.tickAsync(90_000);
    await settle();

    leg.press('2');
    await settle();

    expect(leg.nowPlaying()).to.deep.equal(['music:hold-music']);
    expect(r.acd.waiting('general')).to.deep.equal(['call-1']);
    await r.acd.flush();
    expect(r.acdRecords.callbacks).to.deep.equal([]);
  });

  it('when announcements are due, it tells each caller how many are ahead (nobody ahead: only the wait) between stretches of music', async () => {
    const r = rig();
    const first = await r.queue('call-1');
    r.timers.tick(10_000);
    const second = await r.queue('call-2', 'general', '13900001111');
    const before = { first: first.leg.plays.length, second: second.leg.plays.length };

    await r.timers.tickAsync(20_000); // call-1's first announcement (30 s after it entered)
    await settle();
    await r.timers.tickAsync(10_000); // call-2's
    await settle();

    const heard = (leg: PlayRecordingLeg, from: number): string[][] => leg.plays.slice(from).map((p) => p.prompts);
    expect(heard(first.leg, before.first)).to.deep.equal([
      ['queue-minutes-before', 'count-3', 'queue-minutes-after'],
      ['hold-music'],
    ]);
    expect(heard(second.leg, before.second)).to.deep.equal([
      ['queue-position-before', 'count-1', 'queue-position-after', 'queue-minutes-before', 'count-6', 'queue-minutes-after'],
      ['hold-music'],
    ]);
    expect(first.leg.nowPlaying()).to.deep.equal(['music:hold-music']);
    expect(second.leg.nowPlaying()).to.deep.equal(['music:hold-music']);
  });

  it("when the queue has its own music, it loops that queue's music", async () => {
    const r = rig();
    const { leg } = await r.queue('call-1', 'patient');

    expect(leg.nowPlaying()).to.deep.equal(['music:calm-music']);
  });

  // BUG (reported, src/calls/queued-call.ts run()): a leg that ended before run() makes abandon() call
  // acd.leave() for a call never enqueued, which throws NotFoundError out of run(). Unskip once fixed.
  it('when the caller already hung up before being queued, it ends at once as abandoned without ringing anyone', async () => {
    const r = rig();
    r.login('7', '8001');
    const leg = PlayRecordingLeg.answered('call-9', CALLER, T0);
    leg.remoteHangup();
    const call = new QueuedCall(leg, 'general', {
      acd: r.acd,
      pbx: r.pbx,
      records: r.callRecords,
      clock: { now: () => r.timers.now, setTimeout: () => ({}) as Timer, clearTimeout: () => undefined },
      logger: silentLogger(),
      recordingsDir: r.recordingsDir,
      queueSettings: () => ({ displayName: '综合咨询', music: 'hold-music', ringTimeoutS: 20 }),
    });

    const end = await Promise.race([call.run(), new Promise<string>((resolve) => setImmediate(() => { resolve('still running'); }))]);

    expect(r.pbx.dials).to.deep.equal([]);
    expect(end).to.deep.equal({ kind: 'abandoned' });
  });
});

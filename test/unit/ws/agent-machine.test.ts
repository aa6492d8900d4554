import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { WebSocket } from 'ws';
import { Acd } from '../../../src/acd/acd.js';
import { AgentState } from '../../../src/acd/agent.js';
import { parseQueues } from '../../../src/acd/parse-queues.js';
import type { AuthUser } from '../../../src/api/auth-context.js';
import { QueueDispatcher } from '../../../src/calls/queue-dispatcher.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { Clock, Timer } from '../../../src/shared/clock.js';
import { AgentDesktopServer } from '../../../src/ws/agent-desktop-server.js';
import { FakePbx, PlayRecordingLeg, type PendingDial } from '../../support/fake-pbx.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';
import { MemoryAcdRecords } from '../acd/acd-test-kit.js';

/**
 * Every (agent state × agent or caller action) with the agent's phone answering, busy or silent,
 * through the real ACD, queue glue and desktop server, with fake legs and fake timers. Issue 9 #1:
 * no pair may end the process, a withdrawn offer puts the caller back at the head of its queue and
 * cancels the ringing phone, and a refused action is an `error` frame on the desktop.
 */

const QUEUES = parseQueues(
  `
queues:
  general:
    displayName: 综合咨询
    skills: [general]
    maxWaitS: 600
    onMaxWait: keep-waiting
    announceEveryS: 0
    ringTimeoutS: 20
    wrapUpS: 30
    music: hold-music
  other:
    displayName: 其他
    skills: [other]
    maxWaitS: 600
    onMaxWait: keep-waiting
    announceEveryS: 0
    music: hold-music
`,
  'agent-machine.yaml',
);
const RING_MS = 20_000;
const GRACE_MS = 5_000;
const AGENT: AuthUser = { id: 7, username: 'wang.li', role: 'agent', extension: '8001' };
const AGENT_ID = '7';

type StartState = 'logged-out' | 'ready' | 'not-ready' | 'offered' | 'busy' | 'wrap-up';
type Action = 'ready' | 'not-ready' | 'logout' | 'desktop drop' | 'end-wrap-up' | 'hangup' | 'caller hangs up';
type Phone = 'answers' | 'is busy' | 'stays silent';
type Frame = Record<string, unknown> & { type: string };

const STATES: StartState[] = ['logged-out', 'ready', 'not-ready', 'offered', 'busy', 'wrap-up'];
const ACTIONS: Action[] = ['ready', 'not-ready', 'logout', 'desktop drop', 'end-wrap-up', 'hangup', 'caller hangs up'];
const PHONES: Phone[] = ['answers', 'is busy', 'stays silent'];

/** The desktop's reply to a command in each state: `ack` when legal, `error` when refused. */
const REPLY: Record<Exclude<Action, 'desktop drop' | 'caller hangs up'>, Record<StartState, 'ack' | 'error'>> = {
  ready: { 'logged-out': 'ack', ready: 'error', 'not-ready': 'ack', offered: 'error', busy: 'error', 'wrap-up': 'ack' },
  'not-ready': { 'logged-out': 'error', ready: 'ack', 'not-ready': 'error', offered: 'ack', busy: 'error', 'wrap-up': 'ack' },
  logout: { 'logged-out': 'error', ready: 'ack', 'not-ready': 'ack', offered: 'ack', busy: 'error', 'wrap-up': 'ack' },
  'end-wrap-up': { 'logged-out': 'error', ready: 'error', 'not-ready': 'error', offered: 'error', busy: 'error', 'wrap-up': 'ack' },
  hangup: { 'logged-out': 'error', ready: 'error', 'not-ready': 'error', offered: 'error', busy: 'ack', 'wrap-up': 'error' },
};

/** Actions by which the agent takes back a call ringing on its phone. */
const WITHDRAWS: readonly Action[] = ['not-ready', 'logout', 'desktop drop'];

/**
 * Lets promise chains and real socket I/O run (setImmediate and hrtime are not faked), for up to 10 s
 * of real time: a count of turns ran out in a few ms on a busy machine, before the socket had spoken.
 */
async function until(check: () => boolean, what: string): Promise<void> {
  const end = process.hrtime.bigint() + 10_000_000_000n;
  while (process.hrtime.bigint() < end) {
    if (check()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface Rig {
  readonly acd: Acd;
  readonly pbx: FakePbx;
  readonly timers: sinon.SinonFakeTimers;
  readonly frames: Frame[];
  readonly ws: WebSocket;
  readonly legs: Map<string, PlayRecordingLeg>;
  readonly errors: string[];
  queue(callId: string, queue: string): Promise<void>;
  command(command: Record<string, unknown>): Promise<Frame>;
  close(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const timers = sinon.useFakeTimers({ now: Date.parse('2024-05-01T08:00:00.000Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  const clock: Clock = {
    now: () => timers.now,
    setTimeout: (fn, ms) => timers.setTimeout(fn, ms) as unknown as Timer,
    clearTimeout: (timer) => {
      timers.clearTimeout(timer as unknown as Parameters<typeof timers.clearTimeout>[0]);
    },
  };
  // Every error-level line of every component (child loggers inherit the stub): a contained crash
  // is still a bug, so the test fails on any.
  const logger = silentLogger();
  const errors: string[] = [];
  sinon.stub(logger, 'error').callsFake((message: unknown, meta?: unknown) => {
    errors.push(`${String(message)} ${JSON.stringify(meta)}`);
    return logger;
  });
  const acd = new Acd({ clock, logger, records: new MemoryAcdRecords(), queues: QUEUES });
  const pbx = new FakePbx(() => timers.now);
  const callRecords = new MemoryCallRecords();
  const recordingsDir = mkdtempSync(path.join(tmpdir(), 'agent-machine-'));
  const dispatcher = new QueueDispatcher({
    acd,
    pbx,
    records: callRecords,
    clock,
    logger,
    recordingsDir,
    queueSettings: (name) => {
      const q = QUEUES.get(name);
      if (q === undefined) throw new Error(`no queue ${name}`);
      return { displayName: q.displayName, music: q.music, ringTimeoutS: q.ringTimeoutS };
    },
  });
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const desktops = new AgentDesktopServer(server, {
    acd,
    verifyToken: (token) => Promise.resolve(token === 'agent-token' ? AGENT : undefined),
    agentProfile: () => Promise.resolve({ extension: '8001', skills: ['general'] }),
    callerHistory: () => Promise.resolve([]),
    openCallbacks: () => Promise.resolve([]),
    hangupAgentCall: (agentId) => dispatcher.hangupAgentCall(agentId),
    clock,
    logger,
    heartbeatMs: 3_600_000,
    graceMs: GRACE_MS,
  });
  const { port } = server.address() as AddressInfo;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/agent?token=agent-token`);
  const frames: Frame[] = [];
  ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Frame));
  await until(() => frames.some((f) => f.type === 'callbacks'), 'the desktop hello');
  const legs = new Map<string, PlayRecordingLeg>();
  return {
    acd,
    pbx,
    timers,
    frames,
    ws,
    legs,
    errors,
    queue: async (callId, queue) => {
      const leg = PlayRecordingLeg.answered(callId, '13812345678', timers.now);
      legs.set(callId, leg);
      await callRecords.create({ callId, direction: 'inbound', from: leg.from, to: '12345', startedAt: new Date(timers.now) });
      void dispatcher.enqueue(leg, queue);
      await settle();
    },
    command: async (command) => {
      const seen = frames.length;
      ws.send(JSON.stringify(command));
      await until(() => frames.slice(seen).some((f) => f.type === 'ack' || f.type === 'error'), `the reply to ${command.type as string}`);
      const reply = frames.slice(seen).find((f) => f.type === 'ack' || f.type === 'error');
      if (reply === undefined) throw new Error('no reply');
      return reply;
    },
    close: async () => {
      ws.terminate();
      desktops.close();
      dispatcher.close();
      acd.close();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      rmSync(recordingsDir, { recursive: true, force: true });
    },
  };
}

/** Puts the agent in `state`; C1 and C2 are in the general queue unless noted. */
async function reach(r: Rig, state: StartState): Promise<void> {
  const agentState = (): AgentState | undefined => r.acd.agent(AGENT_ID)?.state;
  switch (state) {
    case 'logged-out':
      await r.queue('C1', 'general');
      await r.queue('C2', 'general');
      return;
    case 'ready':
      // A caller the agent cannot take (skill): it waits while the agent is ready.
      expect((await r.command({ type: 'ready' })).type).to.equal('ack');
      await r.queue('C1', 'other');
      return;
    case 'not-ready':
      expect((await r.command({ type: 'ready' })).type).to.equal('ack');
      expect((await r.command({ type: 'not-ready', reason: '休息' })).type).to.equal('ack');
      await r.queue('C1', 'general');
      await r.queue('C2', 'general');
      return;
    case 'offered':
    case 'busy':
    case 'wrap-up':
      expect((await r.command({ type: 'ready' })).type).to.equal('ack');
      await r.queue('C1', 'general');
      await r.queue('C2', 'general');
      await until(() => r.pbx.dials.length === 1, 'the agent phone ringing');
      expect(agentState()).to.equal(AgentState.Offered);
      if (state === 'offered') return;
      r.pbx.lastDial().answer();
      await until(() => agentState() === AgentState.Busy, 'the agent busy');
      if (state === 'busy') return;
      r.legs.get('C1')?.remoteHangup();
      await until(() => agentState() === AgentState.WrapUp, 'the agent in wrap-up');
      return;
  }
}

/** What the agent's phone does with every dial still ringing. */
async function phoneActs(r: Rig, phone: Phone): Promise<void> {
  const ringing = (): PendingDial[] => r.pbx.dials.filter((d) => !d.settled);
  for (let round = 0; round < 3 && ringing().length > 0; round++) {
    for (const dial of ringing()) {
      if (phone === 'answers') dial.answer();
      else if (phone === 'is busy') dial.fail('busy');
    }
    // Silent: the engine gives up at the ring timeout (no-answer); the ACD's own guard 10 s later.
    if (phone === 'stays silent') {
      r.timers.tick(RING_MS);
      for (const dial of ringing()) dial.fail('no-answer');
    }
    await settle();
  }
}

async function act(r: Rig, action: Action): Promise<Frame | undefined> {
  switch (action) {
    case 'desktop drop':
      r.ws.terminate();
      await until(() => r.ws.readyState === WebSocket.CLOSED, 'the socket closed');
      await settle();
      r.timers.tick(GRACE_MS);
      await settle();
      return undefined;
    case 'caller hangs up':
      r.legs.get('C1')?.remoteHangup();
      await settle();
      return undefined;
    case 'ready':
    case 'logout':
    case 'end-wrap-up':
    case 'hangup':
      return r.command({ type: action });
    case 'not-ready':
      return r.command({ type: action, reason: '培训' });
  }
}

describe('agent state machine: every state × action, with the phone answering, busy or silent', () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    rejections.push(reason);
  };
  let current: Rig | undefined;

  beforeEach(() => {
    rejections.length = 0;
    process.on('unhandledRejection', onRejection);
  });

  afterEach(async () => {
    process.off('unhandledRejection', onRejection);
    await current?.close();
    current = undefined;
    sinon.restore();
  });

  for (const state of STATES) {
    for (const action of ACTIONS) {
      for (const phone of PHONES) {
        const withdrawn = state === 'offered' && WITHDRAWS.includes(action);
        const reply = action === 'desktop drop' || action === 'caller hangs up' ? undefined : REPLY[action][state];
        const outcome = [
          reply === undefined ? '' : `the desktop gets ${reply === 'ack' ? 'an ack' : 'an error frame'}`,
          withdrawn ? 'the phone gets CANCEL and the caller is back at the head of the queue' : '',
          'nothing throws',
        ]
          .filter((s) => s !== '')
          .join(', ');
        it(`when the agent is ${state} and ${action === 'caller hangs up' ? 'the caller hangs up' : `does "${action}"`} and its phone ${phone}, ${outcome}`, async () => {
          const r = (current = await rig());
          await reach(r, state);
          const offeredDial = state === 'offered' ? r.pbx.lastDial() : undefined;

          const frame = await act(r, action);
          if (reply !== undefined) {
            expect(frame?.type, JSON.stringify(frame)).to.equal(reply);
            if (reply === 'error') expect(frame).to.have.property('message').that.is.a('string').and.not.empty;
          }
          if (withdrawn) {
            expect(offeredDial?.signal?.aborted, 'CANCEL sent to the ringing phone').to.equal(true);
            expect(r.acd.waiting('general')[0], 'the caller at the head of the queue').to.equal('C1');
            expect(r.acd.agent(AGENT_ID)?.currentCallId).to.equal(null);
          }
          if (state === 'offered' && action === 'caller hangs up') {
            expect(offeredDial?.signal?.aborted, 'CANCEL sent to the ringing phone').to.equal(true);
          }

          await phoneActs(r, phone);
          // Every timer the ACD and the desktop server hold (offer guard, wrap-up, grace) runs out.
          r.timers.tick(120_000);
          await settle();
          await phoneActs(r, phone);
          r.timers.tick(120_000);
          await settle();

          expect(r.errors, 'error lines logged').to.deep.equal([]);
          expect(rejections.map(String), 'unhandled rejections').to.deep.equal([]);
          // The machine is still consistent: an offered agent has exactly one phone ringing.
          const snap = r.acd.agent(AGENT_ID);
          const ringing = r.pbx.dials.filter((d) => !d.settled).length;
          expect(ringing, `phones ringing with the agent ${snap?.state ?? 'unknown'}`).to.equal(snap?.state === AgentState.Offered ? 1 : 0);
        });
      }
    }
  }
});

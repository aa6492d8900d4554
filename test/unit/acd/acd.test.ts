import { expect } from 'chai';
import sinon from 'sinon';
import { AgentState } from '../../../src/acd/agent.js';
import { InvalidStateError, NotFoundError } from '../../../src/shared/app-error.js';
import { makeAcd, type Kit } from './acd-test-kit.js';

const T0 = Date.parse('2024-05-01T08:00:00.000Z');

function login(kit: Kit, agentId: string, skills: string[] = ['general']): void {
  kit.acd.login({ agentId, extension: `8${agentId.replace(/\D/g, '').padStart(3, '0')}`, skills });
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('Acd', () => {
  let kit: Kit;

  beforeEach(() => {
    kit = makeAcd();
  });

  afterEach(() => {
    kit.acd.close();
    sinon.restore();
  });

  describe('routing', () => {
    it('when several agents are ready, it offers the caller to the one idle longest', () => {
      login(kit, 'a1');
      kit.timers.tick(1000);
      login(kit, 'a2');
      kit.timers.tick(1000);
      login(kit, 'a3');
      kit.acd.setNotReady('a1', '休息');
      kit.acd.setReady('a1'); // a1 is now the most recently ready
      kit.timers.tick(1000);
      const result = kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '13812345678' });
      expect(result).to.deep.equal({ position: 0, expectedWaitS: 0 });
      expect(kit.ofType('offer')).to.deep.equal([
        { callId: 'c1', queue: 'general', agentId: 'a2', extension: '8002', callerNumber: '13812345678', waitedMs: 0, orderCode: null },
      ]);
      expect(kit.acd.agent('a2')).to.include({ state: AgentState.Offered, currentCallId: 'c1' });
    });

    it('when an agent finishes a call, its idle time starts at the end of wrap-up', () => {
      login(kit, 'a1');
      kit.timers.tick(1000);
      login(kit, 'a2');
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.acd.offerAnswered('c1', 'a1');
      kit.timers.tick(60_000);
      kit.acd.callEnded('c1');
      kit.timers.tick(30_000);
      expect(kit.acd.agent('a1')).to.include({ state: AgentState.Ready, idleSince: T0 + 91_000 });
      kit.acd.enqueue({ callId: 'c2', queue: 'general', callerNumber: '2' });
      expect(kit.ofType('offer').map((o) => o.agentId)).to.deep.equal(['a1', 'a2']);
    });

    it('when the queue needs skills, it offers only to an agent having all of them', () => {
      login(kit, 'a1', ['general']);
      login(kit, 'a2', ['complaint']);
      login(kit, 'a3', ['general', 'complaint']);
      kit.acd.enqueue({ callId: 'vip-call', queue: 'vip', callerNumber: '1' });
      kit.acd.enqueue({ callId: 'complaint-call', queue: 'complaint', callerNumber: '2' });
      kit.acd.enqueue({ callId: 'other-complaint', queue: 'complaint', callerNumber: '3' });
      expect(kit.ofType('offer').map((o) => `${o.callId}→${o.agentId}`)).to.deep.equal(['vip-call→a3', 'complaint-call→a2']);
      expect(kit.acd.waiting('complaint')).to.deep.equal(['other-complaint']);
      expect(kit.acd.agent('a1')?.state).to.equal(AgentState.Ready);
    });

    it('when queues share an agent, it takes the caller who entered first, whatever the queue', () => {
      kit.acd.enqueue({ callId: 'old-complaint', queue: 'complaint', callerNumber: '1' });
      kit.timers.tick(2000);
      kit.acd.enqueue({ callId: 'new-general', queue: 'general', callerNumber: '2' });
      login(kit, 'a1', ['general', 'complaint']);
      expect(kit.ofType('offer').map((o) => [o.callId, o.waitedMs])).to.deep.equal([['old-complaint', 2000]]);
    });

    it('when the agent does not answer, the agent goes not-ready RONA and the caller goes back to the head, then to a second agent', async () => {
      login(kit, 'a1');
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.timers.tick(1000);
      kit.acd.enqueue({ callId: 'c2', queue: 'general', callerNumber: '2' });
      kit.timers.tick(14_000);
      kit.acd.offerFailed('c1', 'a1', 'no-answer');
      expect(kit.acd.agent('a1')).to.include({ state: AgentState.NotReady, reason: 'RONA', currentCallId: null });
      expect(kit.acd.waiting('general')).to.deep.equal(['c1', 'c2']);
      expect(kit.acd.position('c1')).to.equal(1);
      login(kit, 'a2');
      expect(kit.ofType('offer').map((o) => `${o.callId}→${o.agentId}:${o.waitedMs}`)).to.deep.equal(['c1→a1:0', 'c1→a2:15000']);
      await kit.acd.flush();
      expect(kit.records.eventsOf('c1')).to.deep.equal(['entered', 'offered:a1', 'rona:a1', 'offered:a2']);
      expect(kit.records.queueEvents.find((e) => e.event === 'rona')).to.include({ waitMs: 15_000, extension: '8001' });
    });

    it('when the agent phone is busy or unreachable, the agent goes not-ready unreachable and offer-failed is stored', async () => {
      login(kit, 'a1');
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.acd.offerFailed('c1', 'a1', 'busy');
      expect(kit.acd.agent('a1')).to.include({ state: AgentState.NotReady, reason: 'unreachable' });
      await kit.acd.flush();
      expect(kit.records.eventsOf('c1')).to.deep.equal(['entered', 'offered:a1', 'offer-failed:a1']);
    });

    it('when an offer is not resolved within ringTimeoutS + 10 s, it withdraws it and fails it as RONA', () => {
      login(kit, 'a1');
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.timers.tick(24_999);
      expect(kit.ofType('offer-withdrawn')).to.deep.equal([]);
      kit.timers.tick(1);
      expect(kit.ofType('offer-withdrawn')).to.deep.equal([{ callId: 'c1', agentId: 'a1', extension: '8001', reason: 'offer-timeout' }]);
      expect(kit.acd.agent('a1')).to.include({ state: AgentState.NotReady, reason: 'RONA' });
      expect(kit.acd.position('c1')).to.equal(1);
    });

    it('when an offer listener reports a failure at once, the next agent is offered without recursion', () => {
      login(kit, 'a1');
      login(kit, 'a2');
      kit.acd.observer.on('offer', (o) => {
        if (o.agentId === 'a1') kit.acd.offerFailed(o.callId, o.agentId, 'unavailable');
      });
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      expect(kit.ofType('offer').map((o) => o.agentId)).to.deep.equal(['a1', 'a2']);
      expect(kit.acd.agent('a2')?.state).to.equal(AgentState.Offered);
    });
  });

  describe('callers leaving', () => {
    it('when a waiting caller hangs up, it stores abandoned with the wait', async () => {
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.timers.tick(7_250);
      kit.acd.leave('c1', 'abandoned');
      await kit.acd.flush();
      expect(kit.records.queueEvents.at(-1)).to.deep.include({ callId: 'c1', event: 'abandoned', waitMs: 7_250, queue: 'general' });
      expect(caught(() => kit.acd.position('c1'))).to.be.instanceOf(NotFoundError);
    });

    it('when the caller hangs up while an agent rings, it emits offer-withdrawn and the agent is ready again, keeping its place', async () => {
      login(kit, 'a1');
      kit.timers.tick(5000);
      login(kit, 'a2');
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.timers.tick(3000);
      kit.acd.callEnded('c1');
      expect(kit.ofType('offer-withdrawn')).to.deep.equal([{ callId: 'c1', agentId: 'a1', extension: '8001', reason: 'abandoned' }]);
      expect(kit.acd.agent('a1')).to.include({ state: AgentState.Ready, idleSince: T0 });
      kit.acd.enqueue({ callId: 'c2', queue: 'general', callerNumber: '2' });
      expect(kit.ofType('offer').at(-1)?.agentId).to.equal('a1');
      await kit.acd.flush();
      expect(kit.records.eventsOf('c1')).to.deep.equal(['entered', 'offered:a1', 'abandoned']);
    });

    it('when the agent goes not-ready while its phone rings, the offer is withdrawn and the caller, back at the head, goes to the next agent', async () => {
      login(kit, 'a1');
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.timers.tick(1000);
      kit.acd.enqueue({ callId: 'c2', queue: 'general', callerNumber: '2' });
      kit.acd.setNotReady('a1', '休息');
      expect(kit.ofType('offer-withdrawn')).to.deep.equal([{ callId: 'c1', agentId: 'a1', extension: '8001', reason: 'agent-not-ready' }]);
      expect(kit.acd.agent('a1')).to.include({ state: AgentState.NotReady, reason: '休息', currentCallId: null });
      expect(kit.acd.waiting('general')).to.deep.equal(['c1', 'c2']);
      // The queue history says why c1 was offered twice (stored in queue_events).
      await kit.acd.flush();
      expect(kit.records.eventsOf('c1')).to.deep.equal(['entered', 'offered:a1', 'offer-withdrawn:a1']);
      expect(kit.records.queueEvents.find((e) => e.event === 'offer-withdrawn')).to.include({ callId: 'c1', extension: '8001', waitMs: 1000 });
      // The phone's late answer or failure is refused, not a crash; the offer guard finds nothing to fail.
      expect(caught(() => { kit.acd.offerAnswered('c1', 'a1'); })).to.be.instanceOf(InvalidStateError);
      expect(caught(() => { kit.acd.offerFailed('c1', 'a1', 'busy'); })).to.be.instanceOf(InvalidStateError);
      kit.timers.tick(60_000);
      login(kit, 'a2');
      expect(kit.ofType('offer').map((o) => `${o.callId}→${o.agentId}`)).to.deep.equal(['c1→a1', 'c1→a2']);
    });

    it('when the agent logs out while its phone rings, the offer is withdrawn and the agent is logged out', () => {
      login(kit, 'a1');
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.acd.logout('a1');
      expect(kit.ofType('offer-withdrawn').map((e) => e.reason)).to.deep.equal(['agent-logged-out']);
      expect(kit.acd.agent('a1')?.state).to.equal(AgentState.LoggedOut);
      expect(kit.acd.waiting('general')).to.deep.equal(['c1']);
    });

    it('when someone ahead leaves, the positions of those behind move up', () => {
      for (const id of ['c1', 'c2', 'c3']) kit.acd.enqueue({ callId: id, queue: 'general', callerNumber: id });
      expect(['c1', 'c2', 'c3'].map((id) => kit.acd.position(id))).to.deep.equal([1, 2, 3]);
      kit.acd.leave('c1', 'abandoned');
      expect(kit.acd.waiting('general')).to.deep.equal(['c2', 'c3']);
      expect([kit.acd.position('c2'), kit.acd.position('c3')]).to.deep.equal([1, 2]);
    });
  });

  describe('max wait and announcements', () => {
    it('when a complaint caller waits 60 s, it is moved to general, keeping its entry time, and overflow is stored', async () => {
      kit.acd.enqueue({ callId: 'c1', queue: 'complaint', callerNumber: '1' });
      kit.timers.tick(10_000);
      kit.acd.enqueue({ callId: 'g1', queue: 'general', callerNumber: '2' });
      kit.timers.tick(50_000);
      expect(kit.ofType('max-wait')).to.deep.equal([{ callId: 'c1', queue: 'complaint', action: 'overflow' }]);
      expect(kit.ofType('overflow')).to.deep.equal([{ callId: 'c1', from: 'complaint', to: 'general', music: 'hold-music' }]);
      expect(kit.acd.waiting('general')).to.deep.equal(['c1', 'g1']);
      expect(kit.acd.waiting('complaint')).to.deep.equal([]);
      kit.timers.tick(5_000);
      login(kit, 'a1', ['general']);
      expect(kit.ofType('offer')[0]).to.include({ callId: 'c1', queue: 'general', waitedMs: 65_000 });
      await kit.acd.flush();
      expect(kit.records.queueEvents.filter((e) => e.callId === 'c1').map((e) => `${e.event}@${e.queue}`)).to.deep.equal([
        'entered@complaint',
        'overflow@complaint',
        'entered@general',
        'offered@general',
      ]);
    });

    it('when a general caller waits 90 s, it emits a callback offer, and leaving for a callback stores a request', async () => {
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '13812345678' });
      kit.timers.tick(89_999);
      expect(kit.ofType('max-wait')).to.deep.equal([]);
      kit.timers.tick(1);
      expect(kit.ofType('max-wait')).to.deep.equal([{ callId: 'c1', queue: 'general', action: 'callback-offer' }]);
      kit.acd.leave('c1', 'callback');
      await kit.acd.flush();
      expect(kit.records.eventsOf('c1')).to.deep.equal(['entered', 'callback']);
      expect(kit.records.callbacks).to.deep.equal([
        { id: 1, callId: 'c1', queue: 'general', callerNumber: '13812345678', requestedAt: new Date(T0 + 90_000), status: 'open', handledBy: null },
      ]);
    });

    it('when the caller chooses to keep waiting, it is not offered a callback again and stays routable', () => {
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.timers.tick(90_000);
      kit.acd.keepWaiting('c1');
      kit.timers.tick(200_000);
      expect(kit.ofType('max-wait')).to.have.length(1);
      login(kit, 'a1');
      expect(kit.ofType('offer')[0]).to.include({ callId: 'c1', waitedMs: 290_000 });
    });

    it('when max wait passes while an agent rings, it acts once the offer fails', () => {
      kit.acd.enqueue({ callId: 'c1', queue: 'complaint', callerNumber: '1' });
      kit.timers.tick(40_000);
      login(kit, 'a1', ['complaint']);
      kit.timers.tick(20_000);
      expect(kit.ofType('max-wait')).to.deep.equal([]);
      kit.acd.offerFailed('c1', 'a1', 'no-answer');
      expect(kit.ofType('overflow')).to.have.length(1);
      expect(kit.acd.waiting('general')).to.deep.equal(['c1']);
    });

    it('when callers wait, each hears its position and expected wait every announceEveryS', () => {
      login(kit, 'a1');
      kit.acd.enqueue({ callId: 'busy-call', queue: 'general', callerNumber: '0' });
      kit.acd.offerAnswered('busy-call', 'a1');
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.timers.tick(10_000);
      kit.acd.enqueue({ callId: 'c2', queue: 'general', callerNumber: '2' });
      kit.timers.tick(20_000);
      // One staffed agent, no history: AHT 180 s, so ⌈position × 180 ÷ 1⌉.
      expect(kit.ofType('announce')).to.deep.equal([{ callId: 'c1', queue: 'general', position: 1, expectedWaitS: 180 }]);
      kit.timers.tick(10_000);
      expect(kit.ofType('announce').at(-1)).to.deep.equal({ callId: 'c2', queue: 'general', position: 2, expectedWaitS: 360 });
      kit.acd.leave('c1', 'abandoned');
      kit.timers.tick(30_000);
      expect(kit.ofType('announce').at(-1)).to.deep.equal({ callId: 'c2', queue: 'general', position: 1, expectedWaitS: 180 });
      expect(kit.ofType('announce')).to.have.length(3);
      expect(kit.acd.expectedWaitS('general')).to.equal(360);
    });
  });

  describe('agent states', () => {
    it('when a call ends, the agent is in wrap-up for wrapUpS, then ready, and talk time and wrap-up end are stored', async () => {
      login(kit, 'a1');
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.timers.tick(4_000);
      kit.acd.offerAnswered('c1', 'a1');
      expect(kit.acd.agent('a1')).to.include({ state: AgentState.Busy, currentCallId: 'c1' });
      kit.timers.tick(120_000);
      kit.acd.callEnded('c1');
      expect(kit.acd.agent('a1')).to.include({ state: AgentState.WrapUp, currentCallId: 'c1' });
      kit.timers.tick(29_999);
      expect(kit.acd.agent('a1')?.state).to.equal(AgentState.WrapUp);
      kit.timers.tick(1);
      expect(kit.acd.agent('a1')).to.include({ state: AgentState.Ready, currentCallId: null });
      await kit.acd.flush();
      const rows = kit.records.queueEvents.filter((e) => e.callId === 'c1');
      expect(rows.map((e) => [e.event, e.waitMs, e.talkMs])).to.deep.equal([
        ['entered', 0, null],
        ['offered', 0, null],
        ['answered', 4_000, null],
        ['ended', null, 120_000],
        ['wrap-up-ended', null, null],
      ]);
      expect(kit.records.agentEvents.map((e) => `${e.fromState}→${e.toState}`)).to.deep.equal([
        'logged-out→ready',
        'ready→offered',
        'offered→busy',
        'busy→wrap-up',
        'wrap-up→ready',
      ]);
    });

    it('when the agent ends wrap-up early, or the queue has wrapUpS 0, the agent is ready at once', () => {
      login(kit, 'a1', ['general', 'complaint']);
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.acd.offerAnswered('c1', 'a1');
      kit.acd.callEnded('c1');
      kit.acd.endWrapUp('a1');
      expect(kit.acd.agent('a1')?.state).to.equal(AgentState.Ready);
      kit.acd.enqueue({ callId: 'c2', queue: 'vip', callerNumber: '2' });
      kit.acd.offerAnswered('c2', 'a1');
      kit.acd.callEnded('c2');
      expect(kit.acd.agent('a1')?.state).to.equal(AgentState.Ready);
    });

    it('when a move is illegal, it is refused with the current state in the message', () => {
      login(kit, 'a1');
      expect(caught(() => { kit.acd.endWrapUp('a1'); }))
        .to.be.instanceOf(InvalidStateError)
        .with.property('message', 'agent a1 is ready: not in wrap-up');
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      expect(caught(() => { kit.acd.setReady('a1'); })).to.have.property('message', 'agent a1 is offered: a call is ringing on its phone');
      kit.acd.offerAnswered('c1', 'a1');
      expect(caught(() => { kit.acd.logout('a1'); })).to.have.property('message', 'agent a1 is busy: cannot log out now');
      expect(caught(() => { kit.acd.setReady('a1'); })).to.have.property('message', 'agent a1 is busy: cannot go to ready');
      expect(caught(() => { kit.acd.setNotReady('a1', '休息'); })).to.have.property('message', 'agent a1 is busy: cannot go to not-ready');
      expect(caught(() => kit.acd.login({ agentId: 'a1', extension: '8001', skills: [] }))).to.have.property('message', 'agent a1 is busy: already logged in');
      kit.acd.enqueue({ callId: 'c2', queue: 'general', callerNumber: '2' });
      expect(caught(() => { kit.acd.offerAnswered('c2', 'a1'); })).to.have.property('message', 'call c2 is waiting: not offered to agent a1');
      expect(kit.acd.agent('a1')?.state).to.equal(AgentState.Busy);
    });

    it('when an agent logs out from wrap-up or not-ready, it is logged out and offered nothing', () => {
      login(kit, 'a1');
      kit.acd.setNotReady('a1', '培训');
      expect(kit.acd.agent('a1')).to.include({ state: AgentState.NotReady, reason: '培训' });
      kit.acd.logout('a1');
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      expect(kit.ofType('offer')).to.deep.equal([]);
      expect(kit.acd.agents().map((a) => [a.agentId, a.state])).to.deep.equal([['a1', AgentState.LoggedOut]]);
      expect(caught(() => { kit.acd.logout('a1'); })).to.have.property('message', 'agent a1 is logged-out: cannot log out now');
    });

    it('when a second agent logs in on an extension in use, it is refused', () => {
      kit.acd.login({ agentId: 'a1', extension: '8001', skills: ['general'] });
      expect(caught(() => kit.acd.login({ agentId: 'a2', extension: '8001', skills: ['general'] })))
        .to.be.instanceOf(InvalidStateError)
        .with.property('message', 'extension 8001 is in use by agent a1');
    });

    it('when a queue or agent is unknown, it throws NotFoundError naming it', () => {
      expect(caught(() => kit.acd.enqueue({ callId: 'c1', queue: 'nope', callerNumber: '1' }))).to.be.instanceOf(NotFoundError).with.property('message').that.contains('"nope"');
      expect(caught(() => { kit.acd.setReady('ghost'); })).to.be.instanceOf(NotFoundError);
    });

    it('when closed, no timer fires any more', () => {
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.acd.close();
      kit.acd.close();
      kit.timers.tick(600_000);
      expect(kit.ofType('announce')).to.deep.equal([]);
      expect(kit.ofType('max-wait')).to.deep.equal([]);
      expect(kit.timers.countTimers()).to.equal(0);
    });
  });

  describe('an admin changes an agent (updateSkills)', () => {
    it('when a ready agent gains a skill, it has it at once and a caller waiting for that skill is offered to it', () => {
      login(kit, 'a1', ['general']);
      kit.acd.enqueue({ callId: 'c1', queue: 'complaint', callerNumber: '1' });
      expect(kit.ofType('offer')).to.deep.equal([]);
      kit.acd.updateSkills('a1', ['general', 'complaint']);
      expect(kit.acd.agent('a1')?.skills).to.deep.equal(['general', 'complaint']);
      expect(kit.ofType('offer').map((o) => [o.callId, o.agentId])).to.deep.equal([['c1', 'a1']]);
    });

    it('when a ready or not-ready agent loses a skill, it is no longer offered calls needing it', () => {
      login(kit, 'a1', ['general', 'complaint']);
      kit.acd.setNotReady('a1', '休息');
      kit.acd.updateSkills('a1', ['general']);
      kit.acd.setReady('a1');
      kit.acd.enqueue({ callId: 'c1', queue: 'complaint', callerNumber: '1' });
      expect(kit.acd.agent('a1')).to.deep.include({ state: AgentState.Ready, skills: ['general'] });
      expect(kit.ofType('offer')).to.deep.equal([]);
    });

    it('when the agent is on a call, the new skills wait for its next ready', () => {
      login(kit, 'a1', ['general']);
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.acd.offerAnswered('c1', 'a1');
      kit.acd.updateSkills('a1', ['complaint']);
      expect(kit.acd.agent('a1')).to.deep.include({ state: AgentState.Busy, skills: ['general'] });
      kit.acd.enqueue({ callId: 'c2', queue: 'complaint', callerNumber: '2' });
      kit.acd.callEnded('c1');
      expect(kit.acd.agent('a1')).to.deep.include({ state: AgentState.WrapUp, skills: ['general'] });
      kit.acd.endWrapUp('a1');
      expect(kit.acd.agent('a1')?.skills).to.deep.equal(['complaint']);
      expect(kit.ofType('offer').map((o) => [o.callId, o.agentId])).to.deep.equal([['c1', 'a1'], ['c2', 'a1']]);
    });

    it('when the agent never logged in, nothing happens: it brings its skills when it does', () => {
      kit.acd.updateSkills('ghost', ['general']);
      expect(kit.acd.agent('ghost')).to.equal(undefined);
    });
  });

  describe('an admin disables an agent (logoutWhenFree)', () => {
    it('when the agent is ready or not-ready, it is logged out at once', () => {
      login(kit, 'a1');
      login(kit, 'a2');
      kit.acd.setNotReady('a2', '休息');
      kit.acd.logoutWhenFree('a1');
      kit.acd.logoutWhenFree('a2');
      kit.acd.logoutWhenFree('a2'); // already out: nothing
      kit.acd.logoutWhenFree('ghost');
      expect(kit.acd.agents().map((a) => [a.agentId, a.state])).to.deep.equal([['a1', AgentState.LoggedOut], ['a2', AgentState.LoggedOut]]);
    });

    it('when a call rings on its phone, the offer is withdrawn and the caller goes to the next agent', () => {
      login(kit, 'a1');
      kit.timers.tick(1000);
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      login(kit, 'a2');
      kit.acd.logoutWhenFree('a1');
      expect(kit.ofType('offer-withdrawn')).to.deep.include({ callId: 'c1', agentId: 'a1', extension: '8001', reason: 'agent-logged-out' });
      expect(kit.acd.agent('a1')?.state).to.equal(AgentState.LoggedOut);
      expect(kit.ofType('offer').map((o) => o.agentId)).to.deep.equal(['a1', 'a2']);
    });

    it('when the agent is on a call, it stays busy and is logged out when the call ends, its wrap-up recorded', async () => {
      login(kit, 'a1');
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.acd.offerAnswered('c1', 'a1');
      kit.acd.logoutWhenFree('a1');
      expect(kit.acd.agent('a1')?.state).to.equal(AgentState.Busy);
      kit.acd.callEnded('c1');
      expect(kit.acd.agent('a1')?.state).to.equal(AgentState.LoggedOut);
      kit.timers.tick(60_000);
      await kit.acd.flush();
      expect(kit.records.queueEvents.filter((e) => e.callId === 'c1').map((e) => e.event)).to.deep.equal(['entered', 'offered', 'answered', 'ended', 'wrap-up-ended']);
      expect(kit.records.agentEvents.map((e) => `${e.fromState}→${e.toState}`).slice(-2)).to.deep.equal(['busy→wrap-up', 'wrap-up→logged-out']);
    });

    it('when a listener of the wrap-up already put the agent not-ready (its desktop is gone), it is still logged out', () => {
      login(kit, 'a1');
      kit.acd.enqueue({ callId: 'c1', queue: 'general', callerNumber: '1' });
      kit.acd.offerAnswered('c1', 'a1');
      kit.acd.logoutWhenFree('a1');
      kit.acd.observer.on('agent-state', (e) => {
        if (e.to === AgentState.WrapUp) kit.acd.setNotReady('a1', 'desktop-disconnected');
      });
      kit.acd.callEnded('c1');
      expect(kit.acd.agent('a1')?.state).to.equal(AgentState.LoggedOut);
    });
  });
});

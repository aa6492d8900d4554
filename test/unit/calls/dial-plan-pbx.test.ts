import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { Acd } from '../../../src/acd/acd.js';
import { parseQueues } from '../../../src/acd/parse-queues.js';
import { DialPlanPbx } from '../../../src/calls/dial-plan-pbx.js';
import { OutboundIvrCall } from '../../../src/calls/outbound-ivr-call.js';
import type { PreviewCallEnd } from '../../../src/calls/preview-call.js';
import { PreviewTasks } from '../../../src/calls/preview-tasks.js';
import { TaskClaims } from '../../../src/calls/task-claims.js';
import { InProcessJobLock } from '../../../src/db/job-lock.js';
import { CallingHours, CallSlots, DialPlan } from '../../../src/dialer/index.js';
import { SupervisionJob } from '../../../src/jobs/supervision.job.js';
import { SurveyJob } from '../../../src/jobs/survey.job.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { Clock } from '../../../src/shared/clock.js';
import type { Flow } from '../../../src/ivr/flow.js';
import type { TicketWithEvents } from '../../../src/tickets/ticket.js';
import { FakePbx } from '../../support/fake-pbx.js';
import { MemoryAcdRecords, TEST_QUEUES_YAML } from '../acd/acd-test-kit.js';
import { fakeClock } from '../ivr/ivr-test-kit.js';
import { loadSupervisionFlow } from '../jobs/supervision-test-kit.js';
import { FakeSupervisionTickets } from '../jobs/fake-supervision-tickets.js';
import { FRIDAY_10H, GOOD_REPLY, supervisor, ticketFixture, type TicketFixture } from '../tickets/ticket-fixture.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const HOURS = '09:00-12:00,13:30-20:00';

async function reviewed(f: TicketFixture, over: Record<string, unknown> = {}): Promise<TicketWithEvents> {
  const t = await f.order(over);
  await f.act(t.code, 'sign', {}, f.unitUser);
  await f.act(t.code, 'reply', GOOD_REPLY, f.unitUser);
  return f.act(t.code, 'review-approve', {}, supervisor);
}

describe('the dial plan on outbound calls', () => {
  let flow: Flow;
  before(async () => {
    flow = await loadSupervisionFlow();
  });
  afterEach(() => {
    sinon.restore();
  });

  async function preview(options: { earlyCheck: boolean }) {
    const clock: Clock = { now: () => FRIDAY_10H, setTimeout: sinon.stub(), clearTimeout: sinon.stub() };
    const f = await ticketFixture();
    const acdRecords = new MemoryAcdRecords();
    const acd = new Acd({ clock, logger: silentLogger(), records: acdRecords, queues: parseQueues(TEST_QUEUES_YAML, 'q.yaml') });
    const engine = new FakePbx(() => clock.now());
    const plan = DialPlan.parse();
    const tasks = new PreviewTasks({
      tickets: f.service,
      callbacks: acdRecords,
      acd,
      claims: new TaskClaims(),
      pbx: new DialPlanPbx(engine, plan, silentLogger()),
      ...(options.earlyCheck ? { dialPlan: plan } : {}),
      clock,
      logger: silentLogger(),
      recordingsDir: mkdtempSync(join(tmpdir(), 'preview-')),
      ringTimeoutMs: 20_000,
    });
    acd.login({ agentId: '7', extension: '8001', skills: ['general', 'callback'] });
    return { f, acd, acdRecords, engine, tasks, clock, agent: { agentId: '7', extension: '8001', skills: ['general', 'callback'] } };
  }

  it('when the agent clicks dial on a callback request from +19005550199, the click is refused with the reason, the request ends failed and no INVITE leaves', async () => {
    const { acd, acdRecords, engine, tasks, agent, clock } = await preview({ earlyCheck: true });
    await acdRecords.createCallbackRequest({ callId: 'forged-1', queue: 'general', callerNumber: '+19005550199', requestedAt: new Date(clock.now()) });
    const task = await tasks.next(agent);
    expect(task?.callback?.callerNumber).to.equal('+19005550199');
    let error: unknown;
    await tasks.dial('7', task?.taskId ?? '').catch((err: unknown) => (error = err));
    expect(error).to.include({ code: 'REFUSED_BY_DIAL_PLAN' });
    expect((error as Error).message).to.match(/international number/);
    await settle();
    expect(engine.dials).to.deep.equal([]);
    expect(acdRecords.callbacks[0]).to.deep.include({ status: 'failed', handledBy: '7' });
    expect(tasks.holds('7')).to.equal(false);
    expect(acd.agent('7')?.state).to.equal('ready');
  });

  it('when preview dialing reaches a refused resident number anyway, the guarded PBX sends nothing to the trunk and the survey attempt is stored as refused', async () => {
    const { f, engine, tasks, agent } = await preview({ earlyCheck: false });
    const order = await reviewed(f, { residentPhone: '95588' });
    const task = await tasks.next(agent);
    engine.next('answer');
    const ended = new Promise<PreviewCallEnd>((resolve) => tasks.observer.on('ended', (_a, _t, end) => { resolve(end); }));
    await tasks.dial('7', task?.taskId ?? '');
    expect(await ended).to.deep.equal({ kind: 'resident-unreached', failure: 'refused-by-dial-plan' });
    expect(engine.dials.map((d) => d.request.target)).to.deep.equal(['ext:8001']);
    await settle();
    const stored = await f.tickets.findByCode(order.code);
    expect(stored?.events.find((e) => e.type === 'survey-call')?.data).to.deep.include({ result: 'refused-by-dial-plan', by: 'agent' });
  });

  it('when the agent clicks dial on a survey order whose number is a service number, the order gets a refused attempt with the reason', async () => {
    const { f, engine, tasks, agent } = await preview({ earlyCheck: true });
    const order = await reviewed(f, { residentPhone: '95588' });
    const task = await tasks.next(agent);
    const error = await tasks.dial('7', task?.taskId ?? '').then(() => undefined, (err: unknown) => err);
    expect(error).to.include({ code: 'REFUSED_BY_DIAL_PLAN' });
    expect(engine.dials).to.deep.equal([]);
    const event = (await f.tickets.findByCode(order.code))?.events.find((e) => e.type === 'survey-call');
    expect(event?.data).to.deep.include({ result: 'refused-by-dial-plan', target: 'tel:95588' });
    expect(event?.note).to.match(/service or premium number/);
  });

  it('when a supervision call goes to a liaison phone of 110, the attempt is stored as refused with the reason and never dialled', async () => {
    const { clock, timers } = fakeClock();
    timers.setSystemTime(Date.parse('2026-03-02T10:00:00+08:00'));
    const tickets = new FakeSupervisionTickets().add({ ticketId: 7, liaisonPhone: '110' });
    const engine = new FakePbx(() => clock.now());
    const job = new SupervisionJob({
      tickets,
      caller: new OutboundIvrCall({ pbx: new DialPlanPbx(engine, DialPlan.parse(), silentLogger()), flow: () => flow, clock, logger: silentLogger(), ringTimeoutMs: 30_000 }),
      slots: new CallSlots(1),
      clock,
      logger: silentLogger(),
      lock: new InProcessJobLock(),
      callingHours: CallingHours.parse(HOURS, { timeZone: 'Asia/Shanghai' }),
      includeYellow: false,
      maxAttempts: 3,
      retryAfterMs: 30 * 60_000,
      timeZone: 'Asia/Shanghai',
    });
    const summary = await job.runOnce();
    expect(summary.called).to.equal(1);
    expect(engine.dials).to.deep.equal([]);
    expect(tickets.attempts).to.have.length(1);
    expect(tickets.attempts[0]).to.deep.include({ result: 'refused-by-dial-plan', target: 'tel:110' });
    expect(tickets.attempts[0]?.reason).to.match(/emergency/);
  });

  for (const liaisonSipUri of ['sip:+19005550199@10.0.0.5', ' SIPS:+1-900-555-0199@10.0.0.5:5061;user=phone']) {
    it(`when a supervision call goes to the liaison SIP URI "${liaisonSipUri}", the attempt is stored as refused with the reason and never dialled`, async () => {
      const { clock, timers } = fakeClock();
      timers.setSystemTime(Date.parse('2026-03-02T10:00:00+08:00'));
      const tickets = new FakeSupervisionTickets().add({ ticketId: 7, liaisonSipUri });
      const engine = new FakePbx(() => clock.now());
      const job = new SupervisionJob({
        tickets,
        caller: new OutboundIvrCall({ pbx: new DialPlanPbx(engine, DialPlan.parse(), silentLogger()), flow: () => flow, clock, logger: silentLogger(), ringTimeoutMs: 30_000 }),
        slots: new CallSlots(1),
        clock,
        logger: silentLogger(),
        lock: new InProcessJobLock(),
        callingHours: CallingHours.parse(HOURS, { timeZone: 'Asia/Shanghai' }),
        includeYellow: false,
        maxAttempts: 3,
        retryAfterMs: 30 * 60_000,
        timeZone: 'Asia/Shanghai',
      });
      await job.runOnce();
      expect(engine.dials).to.deep.equal([]);
      expect(tickets.attempts).to.have.length(1);
      expect(tickets.attempts[0]).to.deep.include({ result: 'refused-by-dial-plan' });
      expect(tickets.attempts[0]?.reason).to.match(/international number/);
    });
  }

  it('when a survey call goes to +19005550199, the order gets a refused attempt with the reason and nothing is dialled', async () => {
    const { clock, timers } = fakeClock();
    timers.setSystemTime(FRIDAY_10H);
    const f = await ticketFixture();
    const order = await reviewed(f, { residentPhone: '+19005550199' });
    const engine = new FakePbx(() => clock.now());
    const job = new SurveyJob({
      tickets: f.service,
      caller: new OutboundIvrCall({ pbx: new DialPlanPbx(engine, DialPlan.parse(), silentLogger()), flow: () => flow, clock, logger: silentLogger(), ringTimeoutMs: 30_000 }),
      slots: new CallSlots(1),
      clock,
      logger: silentLogger(),
      lock: new InProcessJobLock(),
      callingHours: CallingHours.parse(HOURS, { timeZone: 'Asia/Shanghai' }),
      maxAttempts: 3,
      retryAfterMs: 60 * 60_000,
      timeZone: 'Asia/Shanghai',
    });
    await job.runOnce();
    expect(engine.dials).to.deep.equal([]);
    const event = (await f.tickets.findByCode(order.code))?.events.find((e) => e.type === 'survey-call');
    expect(event?.data).to.deep.include({ result: 'refused-by-dial-plan', target: 'tel:+19005550199', by: 'ivr' });
    expect(event?.note).to.match(/international number/);
  });

  it('when an allowed number is written with +86, the engine is asked to dial its national form', async () => {
    const engine = new FakePbx(() => 0);
    engine.next('answer');
    const pbx = new DialPlanPbx(engine, DialPlan.parse(), silentLogger());
    await pbx.dial({ target: 'tel:+86 138 1234 5678', fromUser: '12345', timeoutMs: 1000 });
    expect(engine.dials.map((d) => d.request.target)).to.deep.equal(['tel:13812345678']);
  });

  it('when a target hides a refused number behind a space, capitals or a SIP URI to the trunk, the engine is asked to dial nothing', async () => {
    const engine = new FakePbx(() => 0);
    const pbx = new DialPlanPbx(engine, DialPlan.parse(), silentLogger());
    for (const target of [' tel:+19005550199', 'TEL:+19005550199', 'sip:+19005550199@10.0.0.5', 'sip:%2B19005550199@10.0.0.5']) {
      const error = await pbx.dial({ target, fromUser: '12345', timeoutMs: 1000 }).then(() => undefined, (err: unknown) => err);
      expect(error, target).to.include({ code: 'REFUSED_BY_DIAL_PLAN' });
    }
    expect(engine.dials).to.deep.equal([]);
  });
});

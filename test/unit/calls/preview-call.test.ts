import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { Acd } from '../../../src/acd/acd.js';
import { parseQueues } from '../../../src/acd/parse-queues.js';
import { PreviewCall, type PreviewCallEnd } from '../../../src/calls/preview-call.js';
import { PREVIEW_REASON, PreviewTasks } from '../../../src/calls/preview-tasks.js';
import { TaskClaims } from '../../../src/calls/task-claims.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { Clock } from '../../../src/shared/clock.js';
import type { TicketWithEvents } from '../../../src/tickets/ticket.js';
import { FakePbx } from '../../support/fake-pbx.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';
import { MemoryAcdRecords, TEST_QUEUES_YAML } from '../acd/acd-test-kit.js';
import { GOOD_REPLY, supervisor, ticketFixture, type TicketFixture } from '../tickets/ticket-fixture.js';

const clock: Clock = { now: () => Date.parse('2026-11-20T02:00:00Z'), setTimeout: sinon.stub(), clearTimeout: sinon.stub() };
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Waits (bounded) for something that follows real file-system work, such as the recording folder. */
async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('PreviewCall', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'preview-'));
  });
  afterEach(() => {
    sinon.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  function call(pbx: FakePbx, records?: MemoryCallRecords): PreviewCall {
    return new PreviewCall(
      { taskId: 'survey:20261120-000001', agentId: '7', agentExtension: '8001', target: 'tel:13812345678', displayName: '回访 20261120-000001' },
      { pbx, clock, logger: silentLogger(), recordingsDir: dir, ringTimeoutMs: 20_000, ...(records === undefined ? {} : { records }) },
    );
  }

  it('when dialled, it rings the agent first, then the resident, then bridges them with a recording', async () => {
    const pbx = new FakePbx(() => clock.now());
    const records = new MemoryCallRecords();
    const c = call(pbx, records);
    const seen: string[] = [];
    c.observer.on('dialing', (who) => seen.push(`dialing:${who}`)).on('connected', (id) => seen.push(`connected:${id}`));
    const done = c.run();
    await settle();
    expect(pbx.dials.map((d) => d.request.target)).to.deep.equal(['ext:8001']);
    expect(pbx.dials[0]?.request).to.deep.include({ fromDisplayName: '回访 20261120-000001', headers: { 'X-Hotline-Task': 'survey:20261120-000001' } });
    const agentLeg = pbx.dials[0]?.answer();
    await settle();
    expect(pbx.dials.map((d) => d.request.target)).to.deep.equal(['ext:8001', 'tel:13812345678']);
    expect(pbx.dials[1]?.request.fromUser).to.equal('12345');
    const residentLeg = pbx.dials[1]?.answer();
    await eventually(() => pbx.bridges.length > 0);
    expect(pbx.bridges).to.have.length(1);
    expect(pbx.bridges[0]?.a).to.equal(residentLeg);
    expect(pbx.bridges[0]?.b).to.equal(agentLeg);
    expect(pbx.bridges[0]?.recordingPath).to.match(/2026-11-20\/agent-leg-2\.wav$/);
    expect(seen).to.deep.equal(['dialing:agent', 'dialing:resident', 'connected:agent-leg-2']);
    await residentLeg?.hangup();
    const end = await done;
    expect(end).to.deep.include({ kind: 'talked', callId: 'agent-leg-2', endedBy: 'resident' });
    expect(agentLeg?.state).to.equal('ended');
    expect(await records.get('agent-leg-2')).to.deep.include({ direction: 'outbound', to: 'tel:13812345678', agentId: 7, agentExtension: '8001', hungUpBy: 'callee' });
  });

  it('when the agent does not answer, the resident is never dialled', async () => {
    const pbx = new FakePbx(() => clock.now()).next('no-answer');
    const end = await call(pbx).run();
    expect(end).to.deep.equal({ kind: 'agent-unreached', failure: 'no-answer' });
    expect(pbx.dials).to.have.length(1);
    expect(pbx.bridges).to.have.length(0);
  });

  it('when the resident is busy, the agent leg is hung up and nothing is bridged', async () => {
    const pbx = new FakePbx(() => clock.now()).next('answer', 'busy');
    const end = await call(pbx).run();
    expect(end).to.deep.equal({ kind: 'resident-unreached', failure: 'busy' });
    expect(pbx.dials.map((d) => d.leg?.state ?? 'none')).to.deep.equal(['ended', 'none']);
    expect(pbx.bridges).to.have.length(0);
  });

  it('when the agent hangs up while the resident rings, the resident call is cancelled', async () => {
    const pbx = new FakePbx(() => clock.now()).next('answer', 'ring');
    const c = call(pbx);
    const done = c.run();
    await settle();
    await settle();
    await pbx.dials[0]?.leg?.hangup();
    const end: PreviewCallEnd = await done;
    expect(end).to.deep.equal({ kind: 'resident-unreached', failure: 'cancelled' });
    expect(pbx.dials[1]?.settled).to.equal(true);
  });
});

describe('PreviewTasks', () => {
  afterEach(() => {
    sinon.restore();
  });

  async function setup() {
    const f = await ticketFixture();
    const acdRecords = new MemoryAcdRecords();
    const acd = new Acd({ clock, logger: silentLogger(), records: acdRecords, queues: parseQueues(TEST_QUEUES_YAML, 'q.yaml') });
    const pbx = new FakePbx(() => clock.now());
    const claims = new TaskClaims();
    const tasks = new PreviewTasks({ tickets: f.service, callbacks: acdRecords, acd, claims, pbx, clock, logger: silentLogger(), recordingsDir: mkdtempSync(join(tmpdir(), 'preview-')), ringTimeoutMs: 20_000 });
    for (const [agentId, extension] of [['7', '8001'], ['8', '8002']] as const) acd.login({ agentId, extension, skills: ['general', 'callback'] });
    const agent = (agentId: '7' | '8') => ({ agentId, extension: agentId === '7' ? '8001' : '8002', skills: ['general', 'callback'] });
    return { f, acd, acdRecords, pbx, claims, tasks, agent };
  }

  async function reviewed(f: TicketFixture, over: Record<string, unknown> = {}): Promise<TicketWithEvents> {
    const t = await f.order(over);
    await f.act(t.code, 'sign', {}, f.unitUser);
    await f.act(t.code, 'reply', GOOD_REPLY, f.unitUser);
    return f.act(t.code, 'review-approve', {}, supervisor);
  }

  it('when two agents ask at once, each gets a different task, callbacks first, never a do-not-call order', async () => {
    const { f, acd, acdRecords, tasks, agent } = await setup();
    await reviewed(f, { doNotCall: true });
    const order = await reviewed(f);
    await acdRecords.createCallbackRequest({ callId: 'c-1', queue: 'general', callerNumber: '13900001111', requestedAt: new Date(clock.now()) });
    const [a, b] = await Promise.all([tasks.next(agent('7')), tasks.next(agent('8'))]);
    expect(a).to.deep.include({ kind: 'callback', taskId: 'callback:1', ticket: null });
    expect(b).to.deep.include({ kind: 'survey', taskId: `survey:${order.code}` });
    expect(b?.ticket).to.deep.include({ code: order.code, replyContent: GOOD_REPLY.content, residentPhone: order.residentPhone });
    expect(acd.agent('7')).to.deep.include({ state: 'not-ready', reason: PREVIEW_REASON });
    expect(await tasks.next(agent('7'))).to.deep.equal(a);
  });

  it('when the agent is not ready or lacks the callback skill, no task is handed out', async () => {
    const { f, acd, tasks, agent } = await setup();
    await reviewed(f);
    acd.setNotReady('7', '休息');
    let error: unknown;
    await tasks.next(agent('7')).catch((err: unknown) => (error = err));
    expect((error as { code?: string }).code).to.equal('INVALID_STATE');
    await tasks.next({ agentId: '8', extension: '8002', skills: ['general'] }).catch((err: unknown) => (error = err));
    expect((error as { code?: string }).code).to.equal('FORBIDDEN');
  });

  it('when the survey result is recorded, the task is finished and the agent is ready again', async () => {
    const { f, acd, tasks, agent, claims, pbx } = await setup();
    const order = await reviewed(f);
    const task = await tasks.next(agent('7'));
    pbx.next('answer', 'answer');
    const ended = new Promise<PreviewCallEnd>((resolve) => tasks.observer.on('ended', (_a, _t, end) => { resolve(end); }));
    await tasks.dial('7', task?.taskId ?? '');
    await settle();
    await settle();
    expect(acd.agent('7')?.state).to.equal('not-ready');
    await pbx.dials[1]?.leg?.hangup();
    expect((await ended).kind).to.equal('talked');
    await settle();
    const after = await f.service.act(order.code, 'survey', { version: order.version, satisfaction: 'satisfied', resolution: 'resolved' }, { id: 7, role: 'agent' }, 'phone');
    tasks.surveyRecorded(order.code);
    expect(after.state).to.equal('closed');
    expect(after.events.find((e) => e.type === 'survey-call')?.data).to.deep.include({ result: 'connected', by: 'agent' });
    expect(acd.agent('7')?.state).to.equal('ready');
    expect(claims.holder(`survey:${order.code}`)).to.equal(undefined);
  });

  it('when a callback is dialled and marked done, the request is dialling then done', async () => {
    const { acdRecords, tasks, agent, acd, pbx } = await setup();
    await acdRecords.createCallbackRequest({ callId: 'c-9', queue: 'general', callerNumber: '13900002222', requestedAt: new Date(clock.now()) });
    const task = await tasks.next(agent('8'));
    pbx.next('no-answer');
    await tasks.dial('8', task?.taskId ?? '');
    expect(acdRecords.callbacks[0]).to.deep.include({ status: 'dialing', handledBy: '8' });
    await tasks.callbackDone(1, { id: 8, role: 'agent' });
    expect(acdRecords.callbacks[0]).to.deep.include({ status: 'done', handledBy: '8' });
    expect(acd.agent('8')?.state).to.equal('ready');
    expect(tasks.holds('8')).to.equal(false);
  });
});

import { expect } from 'chai';
import sinon from 'sinon';
import { OutboundIvrCall } from '../../../src/calls/outbound-ivr-call.js';
import type { OutboundTask } from '../../../src/dialer/outbound-caller.js';
import type { Flow } from '../../../src/ivr/flow.js';
import { resultOf } from '../../../src/jobs/supervision.job.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { DialError, type CallLeg, type DialFailure, type DialRequest, type PlayOutcome } from '../../../src/telephony/call-leg.js';
import { FakeCallLeg } from '../../support/fake-call-leg.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';
import { fakeClock } from '../ivr/ivr-test-kit.js';
import { loadSupervisionFlow } from '../jobs/supervision-test-kit.js';

/** The liaison's phone: presses `key` as soon as it hears `whenPrompt` (never, without a key). */
class LiaisonLeg extends FakeCallLeg {
  constructor(
    id: string,
    private readonly key: string | undefined,
    private readonly whenPrompt = 'supervision-press-1',
  ) {
    super(id, '12345', '13800138000', 0);
    this.state = 'answered';
    this.answeredAt = 12;
  }

  override play(prompts: readonly string[]): Promise<PlayOutcome> {
    const outcome = super.play(prompts);
    if (this.key !== undefined && prompts.includes(this.whenPrompt)) this.press(this.key);
    return outcome;
  }
}

/** A PBX whose next dial answers with `leg` or fails with a DialError. */
class ScriptedPbx {
  readonly requests: DialRequest[] = [];
  constructor(private readonly next: CallLeg | DialFailure) {}

  dial(request: DialRequest): Promise<CallLeg> {
    this.requests.push(request);
    return typeof this.next === 'string' ? Promise.reject(new DialError(this.next, `dial: ${this.next}`)) : Promise.resolve(this.next);
  }
}

const TASK: OutboundTask = { id: 'ticket-7-reply', target: 'tel:13800138000', variables: { code: '20261122000123', days: '3' } };

describe('OutboundIvrCall', () => {
  let flow: Flow;
  before(async () => {
    flow = await loadSupervisionFlow();
  });
  afterEach(() => {
    sinon.restore();
  });

  async function call(
    pbx: ScriptedPbx,
    task: OutboundTask = TASK,
    signal = new AbortController().signal,
    currentFlow: () => Flow | undefined = () => flow,
    records?: MemoryCallRecords,
  ) {
    const { clock, timers } = fakeClock();
    const caller = new OutboundIvrCall({ pbx, flow: currentFlow, clock, logger: silentLogger(), ringTimeoutMs: 30_000, ...(records ? { records } : {}) });
    const done = caller.call(task, signal);
    await timers.tickAsync(60_000);
    const outcome = await done;
    sinon.restore();
    return outcome;
  }

  it('when the liaison presses 1, it reads the code and the days, reaches acknowledged and hangs up', async () => {
    const leg = new LiaisonLeg('call-1', '1');
    const pbx = new ScriptedPbx(leg);
    const outcome = await call(pbx);
    expect(pbx.requests).to.deep.equal([{ target: 'tel:13800138000', fromUser: '12345', fromDisplayName: '12345热线督办', timeoutMs: 30_000 }]);
    expect(outcome).to.deep.include({ kind: 'answered', callId: 'call-1', digits: '1', ivrOutcome: 'hangup' });
    expect(outcome.kind === 'answered' ? outcome.ivrPath : []).to.deep.equal(['intro', 'code', 'overdue', 'days', 'days-suffix', 'press-1', 'acknowledged']);
    expect(resultOf(outcome)).to.equal('acknowledged');
    expect(leg.played.flat()).to.deep.equal([
      'supervision-intro',
      ...'20261122000123'.split('').map((d) => `digit-${d}`),
      'supervision-overdue',
      'count-3',
      'supervision-days',
      'supervision-press-1',
      'supervision-thanks',
    ]);
    expect(leg.state).to.equal('ended');
    expect(leg.end).to.deep.include({ by: 'local' });
  });

  it('when the call is answered, it is recorded as an outbound call with the keys and the IVR path of the run', async () => {
    const records = new MemoryCallRecords();
    const leg = new LiaisonLeg('call-rec', '1');
    const outcome = await call(new ScriptedPbx(leg), TASK, new AbortController().signal, () => flow, records);
    expect(outcome.kind).to.equal('answered');
    const row = await records.get('call-rec');
    expect(row).to.deep.include({
      direction: 'outbound',
      from: '12345',
      to: '13800138000',
      startedAt: new Date(leg.startedAt),
      answeredAt: new Date(12),
      endReason: 'hangup',
      hungUpBy: 'system',
      digits: '1',
      ivrPath: 'intro,code,overdue,days,days-suffix,press-1,acknowledged',
    });
    expect(row?.endedAt).to.be.instanceOf(Date);
  });

  it('when the dial fails or the record store fails, the outcome is the same and no record is left half made', async () => {
    const records = new MemoryCallRecords();
    expect(await call(new ScriptedPbx('busy'), TASK, new AbortController().signal, () => flow, records)).to.deep.equal({ kind: 'failed', failure: 'busy' });
    expect(records.rows.size).to.equal(0);
    const broken = new MemoryCallRecords();
    sinon.stub(broken, 'create').rejects(new Error('database gone'));
    const outcome = await call(new ScriptedPbx(new LiaisonLeg('call-db', '1')), TASK, new AbortController().signal, () => flow, broken);
    expect(outcome).to.deep.include({ kind: 'answered', digits: '1' });
    expect(broken.rows.size).to.equal(0);
  });

  it('when the liaison presses nothing, it asks twice, says it will call again and reports not acknowledged', async () => {
    const leg = new LiaisonLeg('call-2', undefined);
    const outcome = await call(new ScriptedPbx(leg));
    expect(outcome.kind === 'answered' ? outcome.ivrPath.slice(-2) : []).to.deep.equal(['press-1', 'no-ack']);
    expect(leg.played.flat().filter((p) => p === 'supervision-press-1')).to.have.length(2);
    expect(leg.played.flat().at(-1)).to.equal('supervision-no-ack');
    expect(resultOf(outcome)).to.equal('not-acknowledged');
    expect(leg.state).to.equal('ended');
  });

  it('when the task starts at the due-soon entry, it says the order is about to fall due instead of overdue days', async () => {
    const leg = new LiaisonLeg('call-3', '1');
    const outcome = await call(new ScriptedPbx(leg), { ...TASK, entry: 'due-soon-intro' });
    const played = leg.played.flat();
    expect(played).to.include('supervision-due-soon');
    expect(played).not.to.include('supervision-overdue');
    expect(resultOf(outcome)).to.equal('acknowledged');
  });

  for (const failure of ['busy', 'no-answer', 'declined', 'unavailable'] as const) {
    it(`when the dial fails with ${failure}, it reports that failure without running the IVR`, async () => {
      expect(await call(new ScriptedPbx(failure))).to.deep.equal({ kind: 'failed', failure });
    });
  }

  it('when no flow is loaded or the entry node does not exist, it places no call', async () => {
    const pbx = new ScriptedPbx(new LiaisonLeg('call-4', '1'));
    expect(await call(pbx, TASK, new AbortController().signal, () => undefined)).to.deep.equal({ kind: 'failed', failure: 'failed' });
    expect(await call(pbx, { ...TASK, entry: 'nowhere' })).to.deep.equal({ kind: 'failed', failure: 'failed' });
    expect(pbx.requests).to.have.length(0);
  });

  it('when the dialer aborts during the IVR, it hangs up the leg and reports the partial run', async () => {
    const leg = new LiaisonLeg('call-5', undefined);
    const abort = new AbortController();
    const { clock, timers } = fakeClock();
    const caller = new OutboundIvrCall({ pbx: new ScriptedPbx(leg), flow: () => flow, clock, logger: silentLogger(), ringTimeoutMs: 30_000 });
    const done = caller.call(TASK, abort.signal);
    await timers.tickAsync(1000);
    abort.abort();
    await timers.tickAsync(1000);
    const outcome = await done;
    expect(leg.end).to.deep.equal({ reason: 'shutdown', by: 'local' });
    expect(outcome).to.deep.include({ kind: 'answered', ivrOutcome: 'caller-hangup' });
    expect(resultOf(outcome)).to.equal('not-acknowledged');
  });
});

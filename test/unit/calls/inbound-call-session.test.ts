import { expect } from 'chai';
import sinon from 'sinon';
import { InboundCallSession, type EnqueueCall, type RunIvr } from '../../../src/calls/inbound-call-session.js';
import type { CallTelemetrySink } from '../../../src/calls/call-telemetry-sink.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { FakeCallLeg } from '../../support/fake-call-leg.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';

function telemetrySpy(): CallTelemetrySink & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    callStarted: (d) => calls.push(`started:${d}`),
    callAnswered: (d, ms) => calls.push(`answered:${d}:${ms}`),
    callEnded: (d, r) => calls.push(`ended:${d}:${r}`),
  };
}

describe('InboundCallSession', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when the IVR run ends, it records its flow, its outcome, whether it self-served and what it spoke (issue 12 measures)', async () => {
    const leg = new FakeCallLeg('c9', '13812345678', '12345', Date.UTC(2026, 10, 22, 2, 0, 0));
    const records = new MemoryCallRecords();
    const runIvr: RunIvr = () =>
      Promise.resolve({ outcome: 'caller-hangup', digits: '31', path: ['welcome', 'progress', 'progress-read'], flow: 'default', selfServed: true, spoken: ['您有一张正在办理的工单。', '答复内容:已修复。'] });
    await new InboundCallSession(leg, { records, telemetry: telemetrySpy(), runIvr, logger: silentLogger() }).run();
    expect(await records.get('c9')).to.include({ ivrFlow: 'default', ivrOutcome: 'caller-hangup', ivrSelfServed: true, ivrSpoken: '您有一张正在办理的工单。\n答复内容:已修复。' });
  });

  it('when the caller picks a branch and the flow hangs up, it records the digits, the path and a system hang-up', async () => {
    const leg = new FakeCallLeg('c1', '13812345678', '12345', Date.UTC(2026, 10, 22, 2, 0, 0));
    const records = new MemoryCallRecords();
    const telemetry = telemetrySpy();
    const runIvr: RunIvr = async (channel, _log, onProgress) => {
      await channel.play(['welcome']);
      onProgress({ digits: '2', path: ['welcome', 'main-menu'] });
      return { outcome: 'hangup', digits: '2', path: ['welcome', 'main-menu', 'complaint'] };
    };
    await new InboundCallSession(leg, { records, telemetry, runIvr, logger: silentLogger() }).run();

    const row = await records.get('c1');
    expect(row).to.include({ direction: 'inbound', from: '13812345678', to: '12345', digits: '2', ivrPath: 'welcome,main-menu,complaint', endReason: 'hangup', hungUpBy: 'system' });
    expect(row?.answeredAt?.getTime()).to.equal(leg.startedAt + 12);
    expect(row?.endedAt).to.be.instanceOf(Date);
    expect(leg.played).to.deep.equal([['welcome']]);
    expect(telemetry.calls).to.deep.equal(['started:inbound', 'answered:inbound:12', 'ended:inbound:hangup']);
  });

  it('when the flow sends the caller to a queue from the progress self-service, the queue gets the announcement and the order, and the flow got the calling number', async () => {
    const leg = new FakeCallLeg('c9', '13812345678', '12345', 1_000);
    let started: Readonly<Record<string, string>> | undefined;
    const runIvr: RunIvr = (_channel, _log, _onProgress, variables) => {
      started = variables;
      return Promise.resolve({
        outcome: 'queue',
        queue: 'general',
        announce: ['progress-not-owner', 'branch-agent'],
        digits: '320261203000123',
        path: ['welcome', 'main-menu', 'progress', 'progress-code', 'progress-lookup', 'progress-not-owner'],
        variables: { callerNumber: '13812345678', orderCode: '20261203-000123' },
      });
    };
    const enqueue = sinon.stub<Parameters<EnqueueCall>, ReturnType<EnqueueCall>>().callsFake(() => {
      leg.remoteHangup();
      return Promise.resolve({ kind: 'abandoned' });
    });
    await new InboundCallSession(leg, { records: new MemoryCallRecords(), telemetry: telemetrySpy(), runIvr, logger: silentLogger(), enqueue }).run();
    expect(started).to.deep.equal({ callerNumber: '13812345678', callId: 'c9' });
    expect(enqueue.firstCall.args.slice(1)).to.deep.equal(['general', { announce: ['progress-not-owner', 'branch-agent'], orderCode: '20261203-000123' }]);
  });

  it('when the caller hangs up in the middle of the flow, it keeps the digits pressed so far and says the caller hung up', async () => {
    const leg = new FakeCallLeg('c2', '13812345678', '12345', 1_000);
    const records = new MemoryCallRecords();
    const runIvr: RunIvr = (_channel, _log, onProgress) => {
      onProgress({ digits: '3', path: ['welcome', 'main-menu', 'progress'] });
      leg.remoteHangup();
      return Promise.resolve({ outcome: 'caller-hangup', digits: '3', path: ['welcome', 'main-menu', 'progress'] });
    };
    await new InboundCallSession(leg, { records, telemetry: telemetrySpy(), runIvr, logger: silentLogger() }).run();
    expect(await records.get('c2')).to.include({ digits: '3', ivrPath: 'welcome,main-menu,progress', endReason: 'hangup', hungUpBy: 'caller' });
  });

  it('when the answer is never acknowledged, it records the call as not answered with the reason', async () => {
    const leg = new FakeCallLeg('c3', '02087654321', '12345', 1_000);
    leg.answerError = new Error('no ACK');
    const records = new MemoryCallRecords();
    const runIvr = sinon.stub<Parameters<RunIvr>, ReturnType<RunIvr>>();
    await new InboundCallSession(leg, { records, telemetry: telemetrySpy(), runIvr, logger: silentLogger() }).run();
    expect(runIvr.called).to.equal(false);
    const row = await records.get('c3');
    expect(row).to.include({ answeredAt: null, endReason: 'no-ack', hungUpBy: 'system' });
  });

  it('when the 200 went out but the caller hung up before its ACK arrived (ACK lost), it counts the answer and records answeredAt', async () => {
    // answer() settles on the ACK; the 200 was sent at startedAt + 7 and the BYE came first.
    class AckLostLeg extends FakeCallLeg {
      override answer(): Promise<void> {
        this.state = 'answered';
        this.answeredAt = this.startedAt + 7;
        this.remoteHangup();
        return Promise.reject(new Error('leg ended: hangup by remote'));
      }
    }
    const leg = new AckLostLeg('c5', '13812345678', '12345', 1_000);
    const records = new MemoryCallRecords();
    const telemetry = telemetrySpy();
    const runIvr = sinon.stub<Parameters<RunIvr>, ReturnType<RunIvr>>();
    await new InboundCallSession(leg, { records, telemetry, runIvr, logger: silentLogger() }).run();
    expect(telemetry.calls).to.deep.equal(['started:inbound', 'answered:inbound:7', 'ended:inbound:hangup']);
    const row = await records.get('c5');
    expect(row?.answeredAt?.getTime()).to.equal(1_007);
    expect(row).to.include({ endReason: 'hangup', hungUpBy: 'caller' });
    expect(runIvr.called).to.equal(false);
  });

  it('when the 200 went out and no ACK ever came, it counts the answer latency but the record stays unanswered (no-ack)', async () => {
    class NoAckLeg extends FakeCallLeg {
      override answer(): Promise<void> {
        this.answeredAt = this.startedAt + 9;
        return super.answer().then(() => undefined);
      }
    }
    const leg = new NoAckLeg('c6', '13812345678', '12345', 1_000);
    leg.answerError = new Error('no ACK');
    const records = new MemoryCallRecords();
    const telemetry = telemetrySpy();
    await new InboundCallSession(leg, { records, telemetry, runIvr: sinon.stub(), logger: silentLogger() }).run();
    expect(telemetry.calls).to.deep.equal(['started:inbound', 'answered:inbound:9', 'ended:inbound:no-ack']);
    expect(await records.get('c6')).to.include({ answeredAt: null, endReason: 'no-ack' });
  });

  it('when the database refuses a write, the call still runs to its end', async () => {
    const leg = new FakeCallLeg('c4', '13812345678', '12345', 1_000);
    const records = new MemoryCallRecords();
    sinon.stub(records, 'create').rejects(new Error('database down'));
    const runIvr: RunIvr = () => Promise.resolve({ outcome: 'hangup', digits: '', path: ['welcome'] });
    await new InboundCallSession(leg, { records, telemetry: telemetrySpy(), runIvr, logger: silentLogger() }).run();
    expect(leg.state).to.equal('ended');
  });
});

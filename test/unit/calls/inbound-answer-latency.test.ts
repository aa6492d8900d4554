import { expect } from 'chai';
import { Registry } from 'prom-client';
import sinon from 'sinon';
import { CallTelemetry } from '../../../src/api/call-telemetry.js';
import { InboundCallSession, type RunIvr } from '../../../src/calls/inbound-call-session.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { RtpSession } from '../../../src/media/media-types.js';
import type { SipTelephony } from '../../../src/sip/sip-telephony.js';
import type { CallLeg } from '../../../src/telephony/call-leg.js';
import { MemoryCallRecords } from '../../support/memory-call-records.js';
import { FakeMediaEngine } from '../sip/fake-media.js';
import { RawSipClient, status } from '../sip/raw-sip-client.js';
import { OFFER, TestCall, sleep, startEngine } from '../sip/test-call.js';

/** The IVR of these tests: holds the call until the caller hangs up. */
const holdUntilHangup = (leg: CallLeg): RunIvr => () =>
  new Promise((resolve) => {
    const done = (): void => { resolve({ outcome: 'caller-hangup', digits: '', path: [] }); };
    if (leg.state === 'ended') done();
    else leg.events.once('ended', done);
  });

/**
 * hotline_answer_latency_seconds end to end over the real SIP engine: every 200 sent is one
 * observation (issue 15 saw 1,017 recorded for 4,418 answers), measured from when the transport read
 * the INVITE.
 */
describe('answer latency and answer counting, engine to /metrics', () => {
  let tel: SipTelephony;
  let client: RawSipClient;
  let registry: Registry;
  let records: MemoryCallRecords;
  let legs: CallLeg[];
  let sessions: Promise<void>[];

  async function setup(media: FakeMediaEngine = new FakeMediaEngine(), transport: 'udp' | 'tcp' = 'udp'): Promise<number> {
    const started = await startEngine({ t1Ms: 50 }, media);
    tel = started.tel;
    client = transport === 'udp' ? await RawSipClient.udp(started.port) : await RawSipClient.tcp(started.port);
    registry = new Registry();
    const telemetry = new CallTelemetry(registry, { defaultMetrics: false });
    records = new MemoryCallRecords();
    legs = [];
    sessions = [];
    tel.events.on('incoming', (leg) => {
      legs.push(leg);
      sessions.push(new InboundCallSession(leg, { records, telemetry, runIvr: holdUntilHangup(leg), logger: silentLogger() }).run());
    });
    return started.port;
  }

  async function observations(): Promise<{ count: number; sum: number }> {
    const text = await registry.metrics();
    const count = Number(/^hotline_answer_latency_seconds_count (\S+)$/m.exec(text)?.[1]);
    const sum = Number(/^hotline_answer_latency_seconds_sum (\S+)$/m.exec(text)?.[1]);
    return { count, sum };
  }

  afterEach(async () => {
    sinon.restore();
    client.close();
    await tel.close();
  });

  it('when the caller ACKs the 200, the answer is one observation', async () => {
    const port = await setup();
    const call = new TestCall(client, port);
    call.invite();
    call.learn(await client.next(status(200, 'INVITE')));
    call.ack();
    await sleep(20);
    call.next('BYE');
    await client.next(status(200, 'BYE'));
    await Promise.all(sessions);
    expect((await observations()).count).to.equal(1);
  });

  it('when the ACK is lost and the caller hangs up (BYE) before any ACK, the answer still counts and the record says answered', async () => {
    const port = await setup();
    const calls = [new TestCall(client, port), new TestCall(client, port), new TestCall(client, port)];
    for (const call of calls) call.invite();
    for (const call of calls) call.learn(await client.next((m) => m.status === 200 && m.headers['call-id'] === call.callId));
    // The first caller's ACK arrives; the others' are lost (a full socket buffer under load), then all hang up.
    calls[0]?.ack();
    await sleep(20);
    for (const call of calls) call.next('BYE');
    for (const call of calls) await client.next((m) => m.status === 200 && m.headers.cseq?.method === 'BYE' && m.headers['call-id'] === call.callId);
    await Promise.all(sessions);
    expect((await observations()).count).to.equal(3);
    for (const call of calls) {
      const row = await records.get(call.callId);
      expect(row?.answeredAt, `answeredAt of ${call.callId}`).to.be.instanceOf(Date);
      expect(row).to.include({ endReason: 'hangup', hungUpBy: 'caller' });
    }
  });

  it('when two INVITEs come in one TCP segment and the first is slow to set up, the second one’s latency starts at the read', async () => {
    // The first INVITE's set-up blocks the event loop for 80 ms (as a slow synchronous step would);
    // the second INVITE was read at the same moment and waited that long before being handled.
    class SlowFirstMedia extends FakeMediaEngine {
      private first = true;
      override createSession(callId: string): Promise<RtpSession> {
        if (this.first) {
          this.first = false;
          const until = Date.now() + 80;
          while (Date.now() < until) {
            // busy
          }
        }
        return super.createSession(callId);
      }
    }
    const port = await setup(new SlowFirstMedia(), 'tcp');
    const a = new TestCall(client, port);
    const b = new TestCall(client, port);
    client.send(a.build('INVITE', { branch: a.inviteBranch, toTag: null, body: OFFER }) + b.build('INVITE', { branch: b.inviteBranch, toTag: null, body: OFFER }));
    for (const call of [a, b]) call.learn(await client.next((m) => m.status === 200 && m.headers['call-id'] === call.callId));
    const [legA, legB] = [legs.find((l) => l.id === a.callId), legs.find((l) => l.id === b.callId)];
    expect(legA && legB, 'both legs').to.not.equal(undefined);
    expect(Math.abs((legB?.startedAt ?? 0) - (legA?.startedAt ?? 0)), 'both INVITEs were read together').to.be.below(40);
    // So the second answer's latency includes the 80 ms it waited behind the first.
    expect((legB?.answeredAt ?? 0) - (legB?.startedAt ?? 0)).to.be.at.least(75);
    for (const call of [a, b]) call.ack();
    await sleep(20);
    for (const call of [a, b]) call.next('BYE');
    await Promise.all(sessions);
    const { count, sum } = await observations();
    expect(count).to.equal(2);
    expect(sum).to.be.at.least(0.075);
  });
});


import { expect } from 'chai';
import sinon from 'sinon';
import type { SipMessage } from 'sip';
import { silentLogger } from '../../../src/logging/logger.js';
import { AdmissionController, type AdmissionOptions } from '../../../src/sip/admission-controller.js';
import type { SipTelephony } from '../../../src/sip/sip-telephony.js';
import type { CallLeg } from '../../../src/telephony/call-leg.js';
import type { FakeMediaEngine } from './fake-media.js';
import { RawSipClient, request, status } from './raw-sip-client.js';
import { MemoryCredentials, REALM, Registration } from './sip-peer.js';
import { TestCall, sleep, startEngine } from './test-call.js';

const toTagOf = (m: SipMessage): unknown => m.headers.to?.params.tag;

describe('SipTelephony: overload control of new INVITEs', () => {
  let tel: SipTelephony;
  let media: FakeMediaEngine;
  let port: number;
  let client: RawSipClient;
  let clock: { t: number };
  let admission: AdmissionController;
  let legs: CallLeg[];

  /** An engine (T1 = 50 ms) whose admission runs on a fake clock; every incoming leg is answered. */
  async function setup(limits: Partial<Pick<AdmissionOptions, 'maxCallsPerS' | 'maxCalls' | 'lagThresholdMs'>>, extra: Parameters<typeof startEngine>[0] = {}): Promise<void> {
    clock = { t: 0 };
    admission = new AdmissionController({ maxCallsPerS: 0, maxCalls: 0, lagThresholdMs: 0, ...limits, now: () => clock.t, logger: silentLogger() });
    ({ tel, media, port } = await startEngine({ admission, ...extra }));
    client = await RawSipClient.udp(port);
    legs = [];
    tel.events.on('incoming', (leg) => {
      legs.push(leg);
      leg.answer().catch(() => undefined);
    });
  }

  afterEach(async () => {
    sinon.restore();
    client.close();
    await tel.close();
  });

  it('when INVITEs come faster than the rate, the excess gets 503 with Retry-After and no leg, media or retransmitted 503', async () => {
    await setup({ maxCallsPerS: 1 });
    const admitted = new TestCall(client, port);
    admitted.invite();
    admitted.learn(await client.next(status(200, 'INVITE')));
    const shed = new TestCall(client, port);
    shed.invite();
    const refusal = await client.next(status(503, 'INVITE'));
    expect(refusal.headers['retry-after']).to.equal('1');
    expect(refusal.headers['call-id']).to.equal(shed.callId);
    expect(toTagOf(refusal)).to.be.a('string');
    // No server transaction: with T1 = 50 ms a transaction would resend the 503 (Timer G) many times by now.
    await sleep(400);
    expect(client.count(status(503))).to.equal(1);
    expect(legs).to.have.length(1);
    expect(media.sessions).to.have.length(1);
    expect(admission.shedTotals).to.deep.equal({ rate: 1, concurrency: 0, lag: 0 });
    // The admitted call goes on normally.
    admitted.ack();
    await sleep(20);
    expect(legs[0]?.state).to.equal('answered');
  });

  it('when a shed INVITE is retransmitted, it gets the same 503 again (same To tag) and is never admitted later', async () => {
    await setup({ maxCallsPerS: 1 });
    new TestCall(client, port).invite();
    await client.next(status(200, 'INVITE'));
    const shed = new TestCall(client, port);
    shed.invite();
    const first = await client.next(status(503, 'INVITE'));
    shed.invite();
    const again = await client.next(status(503, 'INVITE'));
    expect(toTagOf(again)).to.equal(toTagOf(first));
    // Tokens are back, but this transaction was refused: its retransmission is not a new call.
    clock.t += 60_000;
    shed.invite();
    const third = await client.next(status(503, 'INVITE'));
    expect(toTagOf(third)).to.equal(toTagOf(first));
    expect(client.count(status(100))).to.equal(1, 'only the admitted INVITE got 100 Trying');
    expect(legs).to.have.length(1);
    expect(admission.shedTotals.rate).to.equal(1, 'a retransmission is not counted as another shed call');
    // The ACK to the 503 is absorbed: no answer, nothing created.
    shed.ackFailure();
    await sleep(100);
    expect(client.count((m) => m.headers['call-id'] === shed.callId && m.status !== 503)).to.equal(0);
    // A new transaction (new branch) from the same caller is a new attempt, and now it is admitted.
    shed.inviteBranch = 'z9hG4bK-retry-later';
    shed.invite();
    await client.next((m) => m.status === 200 && m.headers['call-id'] === shed.callId);
    expect(legs).to.have.length(2);
  });

  it('when the concurrent-call cap is reached, new INVITEs get 503 while BYE, OPTIONS, re-INVITE and REGISTER are still served', async () => {
    await setup({ maxCalls: 1 }, { credentials: new MemoryCredentials({ '8001': 'secret' }), realm: REALM });
    const up = new TestCall(client, port);
    up.invite();
    up.learn(await client.next(status(200, 'INVITE')));
    up.ack();
    const refused = new TestCall(client, port);
    refused.invite();
    const r = await client.next(status(503, 'INVITE'));
    expect(r.headers['retry-after']).to.equal('5');
    expect(admission.shedTotals.concurrency).to.equal(1);

    client.send(new TestCall(client, port).build('OPTIONS', { toTag: null }));
    await client.next(status(200, 'OPTIONS'));
    const phone = new Registration(client, port);
    expect((await phone.register({ user: '8001', password: 'secret' })).status).to.equal(200);
    up.next('INVITE', { body: '' });
    await client.next(status(200, 'INVITE'));
    up.next('BYE');
    await client.next(status(200, 'BYE'));
    await sleep(20);
    expect(legs[0]?.state).to.equal('ended');
    // The cap counts live legs only: with the call over, the next one is admitted.
    const next = new TestCall(client, port);
    next.invite();
    await client.next((m) => m.status === 200 && m.headers['call-id'] === next.callId);
    expect(admission.shedTotals.concurrency).to.equal(1);
  });

  it('when the event loop is late, it sheds new INVITEs for lag and admits them again once it has recovered', async () => {
    await setup({ lagThresholdMs: 100 });
    for (let i = 0; i < 5; i++) admission.onLagSample(500);
    const shed = new TestCall(client, port);
    shed.invite();
    const r = await client.next(status(503, 'INVITE'));
    expect(r.headers['retry-after']).to.equal('2');
    expect(admission.shedTotals.lag).to.equal(1);
    for (let i = 0; i < 20; i++) admission.onLagSample(5);
    const later = new TestCall(client, port);
    later.invite();
    await client.next((m) => m.status === 200 && m.headers['call-id'] === later.callId);
    expect(legs).to.have.length(1);
  });

  it('when every token is spent, a retransmission of an admitted INVITE and its CANCEL are still served, never refused', async () => {
    await setup({ maxCallsPerS: 1 }, { answerDelayMs: 10_000 });
    const ringing = new TestCall(client, port);
    ringing.invite();
    await client.next(status(180, 'INVITE'));
    // Every token is gone now; a CANCEL and a retransmitted INVITE of the admitted call are still handled.
    ringing.invite();
    await client.next(status(180, 'INVITE'));
    ringing.cancel();
    await client.next(status(200, 'CANCEL'));
    await client.next(status(487, 'INVITE'));
    expect(client.count(status(503))).to.equal(0);
    expect(client.count(request('BYE'))).to.equal(0);
  });
});

import { expect } from 'chai';
import sinon from 'sinon';
import { SipCallLeg } from '../../../src/sip/sip-call-leg.js';
import type { SipTelephony } from '../../../src/sip/sip-telephony.js';
import type { CallLeg, LegEnd } from '../../../src/telephony/call-leg.js';
import { RawSipClient, status } from './raw-sip-client.js';
import { TestCall, startEngine } from './test-call.js';

/**
 * Issue 15: ~2 % of the CPU at 200 calls/s went into Error stack traces. Every call used to build a
 * SipError when it ended (to reject an answer() that had resolved long before) and a DOMException
 * (aborting a signal nobody listened to); an ordinary end now builds neither.
 */
describe('SipCallLeg: an ordinary call end builds no Error', () => {
  let tel: SipTelephony;
  let client: RawSipClient;

  afterEach(async () => {
    sinon.restore();
    client.close();
    await tel.close();
  });

  it('when an answered, acknowledged call ends with the caller’s BYE, no leg-ended error is built and nothing is aborted', async () => {
    let port: number;
    ({ tel, port } = await startEngine());
    client = await RawSipClient.udp(port);
    const incoming = new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    const call = new TestCall(client, port);
    call.invite();
    const leg = await incoming;
    const answered = leg.answer();
    call.learn(await client.next(status(200, 'INVITE')));
    call.ack();
    await answered;

    // endedError() is where the leg builds its SIP_LEG_ENDED SipError (a stack trace each time).
    const endedError = sinon.spy(SipCallLeg.prototype as unknown as { endedError: () => Error }, 'endedError');
    const abort = sinon.spy(AbortController.prototype, 'abort');
    const ended = new Promise<LegEnd>((resolve) => leg.events.once('ended', resolve));
    call.next('BYE');
    await client.next(status(200, 'BYE'));
    expect(await ended).to.deep.equal({ reason: 'hangup', by: 'remote' });
    expect(endedError.callCount, 'SipErrors built').to.equal(0);
    expect(abort.callCount, 'AbortController.abort() calls').to.equal(0);
  });

  it('when the caller hangs up before the ACK, answer() still rejects with SIP_LEG_ENDED', async () => {
    let port: number;
    ({ tel, port } = await startEngine());
    client = await RawSipClient.udp(port);
    const incoming = new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    const call = new TestCall(client, port);
    call.invite();
    const leg = await incoming;
    const answered = leg.answer().then(
      () => 'resolved',
      (err: unknown) => (err as { code?: string }).code,
    );
    call.learn(await client.next(status(200, 'INVITE')));
    call.next('BYE');
    expect(await answered).to.equal('SIP_LEG_ENDED');
  });
});

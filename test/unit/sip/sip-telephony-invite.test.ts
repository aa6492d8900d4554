import { expect } from 'chai';
import sinon from 'sinon';
import type { CallLeg, LegEnd } from '../../../src/telephony/call-leg.js';
import type { SipTelephony } from '../../../src/sip/sip-telephony.js';
import { SipCallLeg } from '../../../src/sip/sip-call-leg.js';
import { FakeMediaEngine } from './fake-media.js';
import { RawSipClient, request, status } from './raw-sip-client.js';
import { G729_OFFER, OFFER, TestCall, sleep, startEngine } from './test-call.js';

const ended = (leg: CallLeg): Promise<LegEnd> => new Promise((resolve) => leg.events.once('ended', resolve));

describe('SipTelephony: inbound INVITE', () => {
  let tel: SipTelephony;
  let media: FakeMediaEngine;
  let port: number;
  let client: RawSipClient;

  async function setup(options: Parameters<typeof startEngine>[0] = {}): Promise<void> {
    ({ tel, media, port } = await startEngine(options));
    client = await RawSipClient.udp(port);
  }

  afterEach(async () => {
    sinon.restore();
    client.close();
    await tel.close();
  });

  it('when a caller INVITEs with SDP and ACKs, it sends 100 and 200 with SDP and answer() resolves', async () => {
    await setup();
    const incoming = new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    const call = new TestCall(client, port);
    call.invite();
    await client.next(status(100));
    const leg = await incoming;
    expect(leg.state).to.equal('ringing');
    expect(leg.from).to.equal('13812345678');
    expect(leg.to).to.equal('12345');
    expect(leg).to.be.instanceOf(SipCallLeg).and.have.property('fromDisplayName', '张三');
    const answered = leg.answer();
    const ok = await client.next(status(200, 'INVITE'));
    expect(ok.headers['content-type']).to.equal('application/sdp');
    expect(ok.content).to.match(/m=audio 30000 RTP\/AVP/);
    expect(ok.headers.contact).to.have.nested.property('[0].uri', `sip:12345@127.0.0.1:${port}`);
    call.learn(ok);
    expect(call.toTag).to.be.a('string');
    call.ack();
    await answered;
    expect(leg.state).to.equal('answered');
    expect(tel.activeCalls).to.equal(1);
  });

  it('when the ACK never comes, it retransmits the 200 and then sends BYE with reason no-ack', async () => {
    await setup({ t1Ms: 100, noAckTimeoutMs: 800 });
    tel.events.on('incoming', (leg) => {
      leg.answer().catch(() => undefined);
    });
    const call = new TestCall(client, port);
    call.invite();
    const leg = await new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    const end = ended(leg);
    const bye = await client.next(request('BYE'), 3000);
    expect(client.count(status(200, 'INVITE'))).to.be.at.least(3);
    expect(bye.headers.cseq?.method).to.equal('BYE');
    expect(await end).to.deep.equal({ reason: 'no-ack', by: 'local' });
  });

  it('when the INVITE is retransmitted while ringing, it resends the response and creates no second leg', async () => {
    await setup({ answerDelayMs: 10_000 });
    let legs = 0;
    tel.events.on('incoming', () => legs++);
    const call = new TestCall(client, port);
    call.invite();
    await client.next(status(180));
    call.invite();
    await client.next(status(180));
    await sleep(50);
    expect(legs).to.equal(1);
    expect(tel.activeCalls).to.equal(1);
  });

  it('when the caller CANCELs a ringing INVITE, it answers 200 to the CANCEL and 487 to the INVITE', async () => {
    await setup({ answerDelayMs: 10_000 });
    const incoming = new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    const call = new TestCall(client, port);
    call.invite();
    const leg = await incoming;
    const answering = leg.answer().then(
      () => expect.fail('answer() resolved'),
      (err: unknown) => expect(err).to.have.property('code', 'SIP_LEG_ENDED'),
    );
    const end = ended(leg);
    await client.next(status(180));
    call.cancel();
    await client.next(status(200, 'CANCEL'));
    await client.next(status(487, 'INVITE'));
    call.ackFailure();
    expect(await end).to.deep.equal({ reason: 'cancelled', by: 'remote', sipStatus: 487 });
    await answering;
    await sleep(150);
    expect(client.count(status(487))).to.equal(1, 'ACK stops the 487 retransmission');
    expect(media.sessions[0]?.closed).to.equal(true);
  });

  it('when the caller CANCELs before its media session is ready (a busy media worker), the leg is still offered, ended, so that the call is recorded', async () => {
    const media = new FakeMediaEngine();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const create = media.createSession.bind(media);
    sinon.stub(media, 'createSession').callsFake(async (callId: string) => {
      await gate;
      return create(callId);
    });
    ({ tel, port } = await startEngine({ answerDelayMs: 10_000 }, media));
    client = await RawSipClient.udp(port);
    const offered: CallLeg[] = [];
    tel.events.on('incoming', (leg) => offered.push(leg));
    const call = new TestCall(client, port);
    call.invite();
    await client.next(status(180));
    call.cancel();
    await client.next(status(200, 'CANCEL'));
    await client.next(status(487, 'INVITE'));
    call.ackFailure();
    expect(offered).to.have.length(0);
    release();
    await sleep(20);
    expect(offered).to.have.length(1);
    expect(offered[0]?.state).to.equal('ended');
    expect(offered[0]?.end).to.deep.equal({ reason: 'cancelled', by: 'remote', sipStatus: 487 });
    expect(media.sessions[0]?.closed).to.equal(true);
  });

  it('when no media session can be made, the caller gets 503 and the leg is offered ended, so that the call is recorded', async () => {
    const media = new FakeMediaEngine();
    sinon.stub(media, 'createSession').rejects(new Error('no RTP port'));
    ({ tel, port } = await startEngine({}, media));
    client = await RawSipClient.udp(port);
    const offered: CallLeg[] = [];
    tel.events.on('incoming', (leg) => offered.push(leg));
    new TestCall(client, port).invite();
    await client.next(status(503, 'INVITE'));
    await sleep(20);
    expect(offered).to.have.length(1);
    expect(offered[0]?.state).to.equal('ended');
  });

  it('when a CANCEL matches nothing, it answers 481', async () => {
    await setup();
    const call = new TestCall(client, port);
    call.cancel();
    await client.next(status(481, 'CANCEL'));
  });

  it('when the caller sends BYE, it answers 200 and the leg ends hangup by remote', async () => {
    await setup();
    const incoming = new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    const call = new TestCall(client, port);
    call.invite();
    const leg = await incoming;
    const answered = leg.answer();
    call.learn(await client.next(status(200, 'INVITE')));
    call.ack();
    await answered;
    const end = ended(leg);
    call.next('BYE');
    await client.next(status(200, 'BYE'));
    expect(await end).to.deep.equal({ reason: 'hangup', by: 'remote' });
    expect(tel.activeCalls).to.equal(0);
  });

  it('when leg.hangup() is called, it sends BYE in the dialog and the leg ends hangup by local', async () => {
    await setup();
    const incoming = new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    const call = new TestCall(client, port);
    call.invite();
    const leg = await incoming;
    const answered = leg.answer();
    const ok = await client.next(status(200, 'INVITE'));
    call.learn(ok);
    call.ack();
    await answered;
    const hangup = leg.hangup();
    const second = leg.hangup();
    const bye = await client.next(request('BYE'));
    expect(bye.uri).to.equal(`sip:13812345678@127.0.0.1:${client.port}`);
    expect(bye.headers.from?.params.tag).to.equal(call.toTag);
    expect(bye.headers.to?.params.tag).to.equal(call.fromTag);
    expect(bye.headers.cseq?.seq).to.be.a('number');
    const via = bye.headers.via?.[0];
    client.send(
      [
        'SIP/2.0 200 OK',
        `Via: SIP/2.0/UDP ${via?.host ?? ''}:${String(via?.port)};branch=${String(via?.params.branch)}`,
        `From: <sip:12345@127.0.0.1>;tag=${String(call.toTag)}`,
        `To: <sip:13812345678@127.0.0.1>;tag=${call.fromTag}`,
        `Call-ID: ${call.callId}`,
        `CSeq: ${String(bye.headers.cseq?.seq)} BYE`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await hangup;
    await second;
    expect(leg.end).to.deep.equal({ reason: 'hangup', by: 'local' });
  });

  it('when the INVITE has no SDP, it offers in the 200 and takes the answer from the ACK', async () => {
    await setup();
    const incoming = new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    const call = new TestCall(client, port);
    call.invite('');
    const leg = await incoming;
    const answered = leg.answer();
    const ok = await client.next(status(200, 'INVITE'));
    expect(ok.content).to.match(/m=audio/);
    call.learn(ok);
    call.ack(OFFER);
    await answered;
    expect(media.sessions[0]?.answers).to.have.length(1);
  });

  it('when an INVITE without SDP is ACKed without SDP, it ends the call with BYE', async () => {
    await setup();
    const incoming = new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    const call = new TestCall(client, port);
    call.invite('');
    const leg = await incoming;
    const answered = leg.answer().catch((err: unknown) => err);
    call.learn(await client.next(status(200, 'INVITE')));
    call.ack();
    await client.next(request('BYE'));
    expect(await answered).to.have.property('code');
    expect(leg.end?.reason).to.equal('media-failure');
  });

  it('when media finds no common codec, it answers 488 and the leg ends media-failure', async () => {
    await setup();
    const incoming = new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    const call = new TestCall(client, port);
    call.invite(G729_OFFER);
    const leg = await incoming;
    const err = await leg.answer().catch((e: unknown) => e);
    expect(err).to.have.property('code', 'SIP_MEDIA_FAILED');
    await client.next(status(488, 'INVITE'));
    expect(leg.end).to.deep.equal({ reason: 'media-failure', by: 'local', sipStatus: 488 });
  });

  it('when nobody listens for incoming calls, it rejects the INVITE with 480', async () => {
    await setup();
    const call = new TestCall(client, port);
    call.invite();
    await client.next(status(480, 'INVITE'));
    call.ackFailure();
  });

  it('when a ringing leg is hung up, it answers 480 and the leg ends by local', async () => {
    await setup();
    const incoming = new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    new TestCall(client, port).invite();
    const leg = await incoming;
    await leg.hangup();
    await client.next(status(480, 'INVITE'));
    expect(leg.end).to.deep.equal({ reason: 'rejected', by: 'local', sipStatus: 480 });
    expect(() => { leg.reject(486); }).to.throw(/state ended/);
  });

  it('when an answered call reaches the max duration, it sends BYE with reason max-duration', async () => {
    await setup({ maxCallDurationMs: 200 });
    const incoming = new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    const call = new TestCall(client, port);
    call.invite();
    const leg = await incoming;
    const answered = leg.answer();
    call.learn(await client.next(status(200, 'INVITE')));
    call.ack();
    await answered;
    await client.next(request('BYE'));
    expect(leg.end).to.deep.equal({ reason: 'max-duration', by: 'local' });
  });
});

import { expect } from 'chai';
import sinon from 'sinon';
import type { SipMessage } from 'sip';
import type { CallLeg, LegEnd } from '../../../src/telephony/call-leg.js';
import { DialError } from '../../../src/telephony/call-leg.js';
import type { SipTelephony } from '../../../src/sip/sip-telephony.js';
import { FakeBridgingMediaEngine, type FakeMediaEngine } from './fake-media.js';
import { RawSipClient, request, status } from './raw-sip-client.js';
import { MemoryCredentials, REALM, Registration, authParams, md5, respond } from './sip-peer.js';
import { OFFER, TestCall, sleep, startEngine } from './test-call.js';

const ended = (leg: CallLeg): Promise<LegEnd> => new Promise((resolve) => leg.events.once('ended', resolve));
const dialError = async (p: Promise<unknown>): Promise<DialError> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof DialError) return err;
    throw err;
  }
  throw new Error('dial resolved');
};
const branchOf = (m: SipMessage): unknown => m.headers.via?.[0]?.params.branch;

describe('SipTelephony: outbound calls', () => {
  let tel: SipTelephony;
  let media: FakeMediaEngine;
  let bridging: FakeBridgingMediaEngine;
  let port: number;
  let phone: RawSipClient;

  async function setup(options: Parameters<typeof startEngine>[0] = {}, contactParams?: string): Promise<void> {
    bridging = new FakeBridgingMediaEngine();
    ({ tel, media, port } = await startEngine({ credentials: new MemoryCredentials({ '8001': 'secret' }), realm: REALM, ...options }, bridging));
    phone = await RawSipClient.udp(port);
    const ok = await new Registration(phone, port).register({ user: '8001', password: 'secret', ...(contactParams === undefined ? {} : { contactParams }) });
    expect(ok.status).to.equal(200);
  }

  afterEach(async () => {
    sinon.restore();
    phone.close();
    await tel.close();
  });

  it('when an extension rings then answers, it ACKs the 200 and hangs up with BYE', async () => {
    await setup();
    const leg = tel.originate({ target: 'ext:8001', fromUser: '12345', fromDisplayName: '综合队列', timeoutMs: 5000, headers: { 'X-Queue': 'general' } });
    const progress: number[] = [];
    leg.events.on('progress', (s) => progress.push(s));
    const invite = await phone.next(request('INVITE'));
    expect(invite.uri).to.equal(`sip:8001@127.0.0.1:${phone.port}`);
    expect(invite.headers.from?.name).to.equal(`"${Buffer.from('综合队列', 'utf8').toString('latin1')}"`);
    expect(invite.headers['x-queue']).to.equal('general');
    expect(invite.headers['max-forwards']).to.equal('70');
    expect(invite.headers.cseq).to.deep.equal({ seq: 1, method: 'INVITE' });
    expect(invite.content).to.match(/m=audio \d+ RTP\/AVP/);
    respond(phone, invite, 180, 'Ringing', { toTag: 'callee1' });
    respond(phone, invite, 200, 'OK', { toTag: 'callee1', body: OFFER, headers: { contact: [{ uri: `sip:8001@127.0.0.1:${phone.port}`, params: {} }] } });
    const answered = await leg.connected;
    expect(answered.state).to.equal('answered');
    expect(progress).to.deep.equal([180]);
    const ack = await phone.next(request('ACK'));
    expect(ack.headers.cseq).to.deep.equal({ seq: 1, method: 'ACK' });
    expect(ack.uri).to.equal(`sip:8001@127.0.0.1:${phone.port}`);
    expect(branchOf(ack)).to.not.equal(branchOf(invite));
    expect(ack.headers.to?.params.tag).to.equal('callee1');
    expect(media.sessions[0]?.answers).to.have.length(1);
    expect(await answered.play(['hold-music'], undefined, { loop: true })).to.equal('completed');
    expect(media.sessions[0]?.playOptions).to.deep.equal([{ loop: true }]);
    // A retransmitted 200 is acknowledged again (§13.2.2.4).
    respond(phone, invite, 200, 'OK', { toTag: 'callee1', body: OFFER });
    await phone.next(request('ACK'));
    const end = ended(leg);
    const hangup = leg.hangup();
    const bye = await phone.next(request('BYE'));
    expect(bye.headers.to?.params.tag).to.equal('callee1');
    respond(phone, bye, 200, 'OK');
    await hangup;
    expect(await end).to.deep.equal({ reason: 'hangup', by: 'local' });
    expect(tel.activeCalls).to.equal(0);
  });

  it('when the extension registered as a browser phone (+sip.ice), the INVITE offers WebRTC media; a desk phone gets RTP/AVP', async () => {
    await setup({}, ';+sip.ice;reg-id=1');
    const leg = tel.originate({ target: 'ext:8001', fromUser: '12345', timeoutMs: 5000 });
    const invite = await phone.next(request('INVITE'));
    expect(invite.content).to.match(/m=audio \d+ UDP\/TLS\/RTP\/SAVPF/);
    expect(media.sessions[0]?.offerOptions).to.deep.equal([{ webrtc: true }]);
    respond(phone, invite, 486, 'Busy Here', { toTag: 'b1' });
    await dialError(leg.connected);
  });

  it('when the extension hangs up an answered call, the leg ends by remote', async () => {
    await setup();
    const dialled = tel.dial({ target: 'ext:8001', fromUser: '12345', timeoutMs: 5000 });
    const invite = await phone.next(request('INVITE'));
    respond(phone, invite, 200, 'OK', { toTag: 'callee2', body: OFFER });
    const leg = await dialled;
    await phone.next(request('ACK'));
    const end = ended(leg);
    const from = invite.headers.from;
    phone.send([
      `BYE sip:12345@127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${phone.port};branch=z9hG4bKbye${Date.now()};rport`,
      'Max-Forwards: 70',
      `From: <sip:8001@127.0.0.1>;tag=callee2`,
      `To: <${from?.uri ?? ''}>;tag=${String(from?.params.tag)}`,
      `Call-ID: ${String(invite.headers['call-id'])}`,
      'CSeq: 1 BYE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'));
    await phone.next(status(200, 'BYE'));
    expect(await end).to.deep.equal({ reason: 'hangup', by: 'remote' });
  });

  it('when the extension is busy, it ACKs the 486 on the INVITE branch and rejects with busy', async () => {
    await setup();
    const dialled = dialError(tel.dial({ target: 'ext:8001', fromUser: '12345', timeoutMs: 5000 }));
    const invite = await phone.next(request('INVITE'));
    respond(phone, invite, 486, 'Busy Here', { toTag: 'busy1' });
    const err = await dialled;
    expect(err).to.include({ code: 'DIAL_FAILED', failure: 'busy', sipStatus: 486 });
    const ack = await phone.next(request('ACK'));
    expect(branchOf(ack)).to.equal(branchOf(invite));
    expect(ack.headers.to?.params.tag).to.equal('busy1');
    expect(media.activeSessions).to.equal(0);
  });

  it('when nobody answers in time, it CANCELs after the 180 and rejects with no-answer on the 487', async () => {
    await setup();
    const dialled = dialError(tel.dial({ target: 'ext:8001', fromUser: '12345', timeoutMs: 300 }));
    const invite = await phone.next(request('INVITE'));
    respond(phone, invite, 180, 'Ringing', { toTag: 'slow1' });
    const cancel = await phone.next(request('CANCEL'), 2000);
    expect(branchOf(cancel)).to.equal(branchOf(invite));
    expect(cancel.headers.cseq).to.deep.equal({ seq: 1, method: 'CANCEL' });
    respond(phone, cancel, 200, 'OK', { toTag: 'slow1' });
    respond(phone, invite, 487, 'Request Terminated', { toTag: 'slow1' });
    const err = await dialled;
    expect(err).to.include({ failure: 'no-answer', sipStatus: 487 });
    await phone.next(request('ACK'));
  });

  it('when the dial is aborted while ringing, it CANCELs and rejects with cancelled', async () => {
    await setup();
    const abort = new AbortController();
    const dialled = dialError(tel.dial({ target: 'ext:8001', fromUser: '12345', timeoutMs: 5000 }, abort.signal));
    const invite = await phone.next(request('INVITE'));
    respond(phone, invite, 100, 'Trying');
    abort.abort();
    const cancel = await phone.next(request('CANCEL'));
    respond(phone, cancel, 200, 'OK', { toTag: 'x' });
    respond(phone, invite, 487, 'Request Terminated', { toTag: 'x' });
    expect(await dialled).to.include({ failure: 'cancelled' });
  });

  it('when a 200 crosses our CANCEL, it ACKs and then BYEs it', async () => {
    await setup();
    const abort = new AbortController();
    const dialled = dialError(tel.dial({ target: 'ext:8001', fromUser: '12345', timeoutMs: 5000 }, abort.signal));
    const invite = await phone.next(request('INVITE'));
    respond(phone, invite, 180, 'Ringing', { toTag: 'late' });
    abort.abort();
    await phone.next(request('CANCEL'));
    respond(phone, invite, 200, 'OK', { toTag: 'late', body: OFFER });
    expect(await dialled).to.include({ failure: 'cancelled' });
    await phone.next(request('ACK'));
    const bye = await phone.next(request('BYE'));
    respond(phone, bye, 200, 'OK');
  });

  it('when the extension is not registered, it rejects with unavailable and sends nothing', async () => {
    await setup();
    const before = phone.received.length;
    const err = await dialError(tel.dial({ target: 'ext:8009', fromUser: '12345', timeoutMs: 5000 }));
    expect(err).to.include({ failure: 'unavailable' });
    expect(err.sipStatus).to.equal(undefined);
    await sleep(50);
    expect(phone.received.length).to.equal(before);
  });

  it('when a tel: number is dialled without an outbound proxy, it fails with a clear message', async () => {
    await setup();
    const err = await dialError(tel.dial({ target: 'tel:13800138000', fromUser: '12345', timeoutMs: 5000 }));
    expect(err.failure).to.equal('failed');
    expect(err.message).to.match(/outboundProxy/);
  });

  it('when the trunk answers 407, it resends the INVITE once with Proxy-Authorization and CSeq 2', async () => {
    const trunk = await RawSipClient.udp(0);
    try {
      await setup({ outboundProxy: `sip:127.0.0.1:${trunk.port}`, trunkUser: 'hotline', trunkPassword: 'trunkpw' });
      const dialled = dialError(tel.dial({ target: 'tel:13800138000', fromUser: '12345', timeoutMs: 5000 }));
      trunk.sendTo(port);
      const first = await trunk.next(request('INVITE'));
      expect(first.uri).to.equal('sip:13800138000@127.0.0.1');
      respond(trunk, first, 407, 'Proxy Authentication Required', {
        toTag: 't1', headers: { 'proxy-authenticate': 'Digest realm="trunk", nonce="abc123", qop="auth", algorithm=MD5' },
      });
      await trunk.next(request('ACK'));
      const second = await trunk.next(request('INVITE'));
      expect(second.headers.cseq).to.deep.equal({ seq: 2, method: 'INVITE' });
      expect(second.headers['call-id']).to.equal(first.headers['call-id']);
      const auth = authParams(second.headers['proxy-authorization']);
      expect(auth).to.include({ username: 'hotline', realm: 'trunk', nonce: 'abc123', uri: 'sip:13800138000@127.0.0.1', qop: 'auth' });
      const ha1 = md5('hotline:trunk:trunkpw');
      const ha2 = md5('INVITE:sip:13800138000@127.0.0.1');
      expect(auth.response).to.equal(md5(`${ha1}:abc123:${auth.nc ?? ''}:${auth.cnonce ?? ''}:auth:${ha2}`));
      respond(trunk, second, 407, 'Proxy Authentication Required', {
        toTag: 't2', headers: { 'proxy-authenticate': 'Digest realm="trunk", nonce="abc124", algorithm=MD5' },
      });
      expect(await dialled).to.include({ failure: 'failed', sipStatus: 407 });
    } finally {
      trunk.close();
    }
  });

  it('when two answered legs are bridged, it hands both RTP sessions to the media engine and closes the bridge when a leg ends', async () => {
    await setup();
    const incoming = new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    const caller = new TestCall(phone, port);
    caller.invite();
    const inbound = await incoming;
    const answering = inbound.answer();
    const ok = await phone.next(status(200, 'INVITE'));
    caller.learn(ok);
    caller.ack();
    await answering;
    const dialled = tel.dial({ target: 'ext:8001', fromUser: '12345', timeoutMs: 5000 });
    const invite = await phone.next(request('INVITE'));
    respond(phone, invite, 200, 'OK', { toTag: 'agent', body: OFFER });
    const agent = await dialled;
    const handle = tel.bridge(inbound, agent, { recordingPath: '/tmp/x.wav' });
    expect(bridging.bridges).to.have.length(1);
    expect(bridging.bridges[0]?.a).to.equal(media.sessions[0]);
    expect(bridging.bridges[0]?.b).to.equal(media.sessions[1]);
    expect(handle.recordingPath).to.equal('/tmp/x.wav');
    const hangup = agent.hangup();
    respond(phone, await phone.next(request('BYE')), 200, 'OK');
    await hangup;
    expect(bridging.bridges[0]?.closed).to.equal(true);
    expect(inbound.state).to.equal('answered');
    expect(() => tel.bridge(inbound, agent)).to.throw(/not a live call|not answered/);
  });

  it('when the media engine cannot bridge, bridge() throws InvalidStateError', async () => {
    ({ tel, port } = await startEngine());
    phone = await RawSipClient.udp(port);
    const incoming = new Promise<CallLeg>((resolve) => tel.events.on('incoming', resolve));
    new TestCall(phone, port).invite();
    const leg = await incoming;
    expect(() => tel.bridge(leg, leg)).to.throw().with.property('code', 'INVALID_STATE');
  });
});

import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import sinon from 'sinon';
import type { CallLeg, LegEnd } from '../../../src/telephony/call-leg.js';
import { SipTelephony } from '../../../src/sip/sip-telephony.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { FakeMediaEngine } from './fake-media.js';
import { RawSipClient, request, status } from './raw-sip-client.js';
import { OFFER, TestCall, sleep, startEngine } from './test-call.js';

const ended = (leg: CallLeg): Promise<LegEnd> => new Promise((resolve) => leg.events.once('ended', resolve));

describe('SipTelephony: other requests and bad input', () => {
  let tel: SipTelephony;
  let port: number;
  let client: RawSipClient;

  beforeEach(async () => {
    ({ tel, port } = await startEngine());
    client = await RawSipClient.udp(port);
  });

  afterEach(async () => {
    sinon.restore();
    client.close();
    await tel.close();
  });

  /** INVITE → 200 → ACK; resolves with the answered leg. */
  async function connectedCall(call: TestCall): Promise<CallLeg> {
    const incoming = new Promise<CallLeg>((resolve) => tel.events.once('incoming', resolve));
    call.invite();
    const leg = await incoming;
    const answered = leg.answer();
    call.learn(await client.next(status(200, 'INVITE')));
    call.ack();
    await answered;
    return leg;
  }

  it('when OPTIONS arrives out of dialog, it answers 200 with Allow, Accept and Supported', async () => {
    new TestCall(client, port).next('OPTIONS', { toTag: null });
    const ok = await client.next(status(200, 'OPTIONS'));
    expect(ok.headers.allow).to.equal('INVITE, ACK, CANCEL, BYE, OPTIONS, INFO');
    expect(ok.headers.accept).to.equal('application/sdp');
    expect(ok.headers.supported).to.be.a('string');
  });

  it('when REGISTER arrives, it answers 405 with Allow', async () => {
    new TestCall(client, port).next('REGISTER', { toTag: null });
    const res = await client.next(status(405, 'REGISTER'));
    expect(res.headers.allow).to.include('INVITE');
  });

  it('when an unknown method arrives, it answers 501', async () => {
    new TestCall(client, port).next('FOO', { toTag: null });
    await client.next(status(501, 'FOO'));
  });

  it('when BYE names no dialog, it answers 481', async () => {
    new TestCall(client, port).next('BYE', { toTag: 'nope' });
    await client.next(status(481, 'BYE'));
  });

  it('when a garbage datagram and a request with a bad CSeq arrive, it drops the first, answers 400 Bad CSeq, and still takes calls', async () => {
    client.send('hello, this is not SIP');
    const call = new TestCall(client, port);
    client.send(call.build('INVITE', { cseq: 1 }).replace('CSeq: 1 INVITE', 'CSeq: abc INVITE'));
    const bad = await client.next((m) => m.status === 400);
    expect(bad.reason).to.equal('Bad CSeq');
    client.send(call.build('INVITE', { toTag: null }).replace(/^Via:.*\r\n/m, ''));
    await sleep(50);
    const leg = await connectedCall(new TestCall(client, port));
    expect(leg.state).to.equal('answered');
  });

  it('when 500 random and truncated datagrams arrive, the process survives and a call still works', async () => {
    const valid = new TestCall(client, port).build('INVITE', { body: OFFER, toTag: null });
    for (let i = 0; i < 500; i++) {
      if (i % 2 === 0) client.send(randomBytes(1 + Math.floor(Math.random() * 1400)));
      else client.send(Buffer.from(valid, 'utf8').subarray(0, Math.floor(Math.random() * valid.length)));
    }
    await sleep(300);
    tel.events.on('incoming', () => undefined);
    const leg = await connectedCall(new TestCall(client, port));
    expect(leg.state).to.equal('answered');
  });

  it('when INFO carries application/dtmf-relay, it answers 200 and the leg emits the digit with source info', async () => {
    const call = new TestCall(client, port);
    const leg = await connectedCall(call);
    const digit = new Promise<[string, string]>((resolve) => leg.events.once('dtmf', (d, s) => { resolve([d, s]); }));
    call.next('INFO', { body: 'Signal=5\r\nDuration=160\r\n', contentType: 'application/dtmf-relay' });
    await client.next(status(200, 'INFO'));
    expect(await digit).to.deep.equal(['5', 'info']);
    call.next('INFO', { body: 'hello', contentType: 'text/plain' });
    await client.next(status(415, 'INFO'));
  });

  it('when a re-INVITE offers sendonly, it answers 200 with SDP and emits hold, then resume', async () => {
    const call = new TestCall(client, port);
    const leg = await connectedCall(call);
    const holds: boolean[] = [];
    leg.events.on('hold', (held) => holds.push(held));
    call.next('INVITE', { body: OFFER.replace('a=sendrecv', 'a=sendonly') });
    const ok = await client.next(status(200, 'INVITE'));
    expect(ok.content).to.match(/m=audio/);
    call.ack();
    call.next('INVITE', { body: OFFER });
    await client.next(status(200, 'INVITE'));
    call.ack();
    await sleep(20);
    expect(holds).to.deep.equal([true, false]);
    expect(leg.state).to.equal('answered');
  });

  it('when draining, it answers 503 to a new INVITE and hangs up the active call after the timeout', async () => {
    const call = new TestCall(client, port);
    const leg = await connectedCall(call);
    const end = ended(leg);
    const drained = tel.drain(200);
    const late = new TestCall(client, port);
    late.invite();
    const busy = await client.next(status(503, 'INVITE'));
    expect(busy.headers['retry-after']).to.be.a('string');
    await client.next(request('BYE'));
    expect(await end).to.deep.equal({ reason: 'shutdown', by: 'local' });
    tel.close().catch(() => undefined);
    await drained;
  });

  it('when the port is taken, start() rejects with SIP_BIND_FAILED naming address and port', async () => {
    const clash = new SipTelephony({
      listenAddress: '127.0.0.1', port, publicAddress: '127.0.0.1', media: new FakeMediaEngine(), logger: silentLogger(), maxCallDurationMs: 1000,
    });
    const err = await clash.start().catch((e: unknown) => e);
    expect(err).to.have.property('code', 'SIP_BIND_FAILED');
    expect(err).to.have.property('message').that.includes(`127.0.0.1:${port}`);
    await clash.close();
  });
});

describe('SipTelephony over TCP', () => {
  it('when a caller INVITEs, ACKs and BYEs over TCP, it answers on the same connection with a transport=tcp Contact', async () => {
    const { tel, port } = await startEngine();
    const client = await RawSipClient.tcp(port);
    try {
      const incoming = new Promise<CallLeg>((resolve) => tel.events.once('incoming', resolve));
      const call = new TestCall(client, port);
      call.invite();
      await client.next(status(100));
      const leg = await incoming;
      const answered = leg.answer();
      const ok = await client.next(status(200, 'INVITE'));
      expect(ok.headers.contact).to.have.nested.property('[0].uri').that.matches(/;transport=tcp$/);
      call.learn(ok);
      call.ack();
      await answered;
      const end = ended(leg);
      call.next('BYE');
      await client.next(status(200, 'BYE'));
      expect(await end).to.deep.equal({ reason: 'hangup', by: 'remote' });
    } finally {
      client.close();
      await tel.close();
    }
  });
});

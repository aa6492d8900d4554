import { expect } from 'chai';
import sinon from 'sinon';
import type { SipMessage } from 'sip';
import { silentLogger } from '../../../src/logging/logger.js';
import type { SipTelephony } from '../../../src/sip/sip-telephony.js';
import type { CallLeg } from '../../../src/telephony/call-leg.js';
import { parseTrunks } from '../../../src/trunks/parse-trunks.js';
import { TrunkDirectory } from '../../../src/trunks/trunk-directory.js';
import type { FakeMediaEngine } from './fake-media.js';
import { RawSipClient, status } from './raw-sip-client.js';
import { MemoryCredentials, REALM, Registration } from './sip-peer.js';
import { OFFER, TestCall, sleep, startEngine } from './test-call.js';

const TRUNKS = `trunks:
  - name: carrier
    addresses: [127.0.0.2]
    inbound:
      dids:
        "12345": IVR_FLOW
        "0936-12345": flows/gansu.yaml
  - name: pcma-only
    addresses: [127.0.0.5]
    inbound:
      defaultFlow: IVR_FLOW
    codecs: [PCMA]
`;

const toTagOf = (m: SipMessage): unknown => m.headers.to?.params.tag;

describe('SipTelephony: source admission (trunks and registered agents)', () => {
  let tel: SipTelephony;
  let media: FakeMediaEngine;
  let port: number;
  let legs: CallLeg[];
  const clients: RawSipClient[] = [];

  beforeEach(async () => {
    const directory = new TrunkDirectory(parseTrunks(TRUNKS, 'trunks.yaml'), {
      resolveA: () => Promise.resolve([]),
      clock: { now: () => Date.now(), setTimeout: () => { throw new Error('no timers'); }, clearTimeout: () => undefined },
      logger: silentLogger(),
      admitAnySource: false,
    });
    ({ tel, media, port } = await startEngine({ inboundGate: directory, credentials: new MemoryCredentials({ '8001': 'pw-8001' }), realm: REALM }));
    legs = [];
    tel.events.on('incoming', (leg) => {
      legs.push(leg);
      leg.answer().catch(() => undefined);
    });
  });

  afterEach(async () => {
    sinon.restore();
    for (const c of clients.splice(0)) c.close();
    await tel.close();
  });

  async function clientAt(address: string): Promise<RawSipClient> {
    const c = await RawSipClient.udp(port, address);
    clients.push(c);
    return c;
  }

  it('when a stranger sends an INVITE (From naming anyone), it gets one stateless 403, the same on retransmission, and no leg or media', async () => {
    const stranger = await clientAt('127.0.0.3');
    const call = new TestCall(stranger, port, '12345', '12345');
    call.invite();
    const first = await stranger.next(status(403, 'INVITE'));
    call.invite();
    const again = await stranger.next(status(403, 'INVITE'));
    expect(toTagOf(again)).to.equal(toTagOf(first));
    call.learn(first);
    call.ackFailure();
    // No transaction: with T1 = 50 ms, Timer G would have resent the 403 several times by now.
    await sleep(400);
    expect(stranger.count(status(403))).to.equal(2);
    expect(legs).to.have.length(0);
    expect(media.sessions).to.have.length(0);
    expect(tel.sourceGate?.refused).to.deep.equal({ forbidden: 2, notFound: 0 });
  });

  it('when a stranger sends other out-of-dialog requests, they get 403, but OPTIONS is answered and REGISTER is challenged', async () => {
    const stranger = await clientAt('127.0.0.3');
    const call = new TestCall(stranger, port);
    call.next('MESSAGE', { toTag: null });
    await stranger.next(status(403, 'MESSAGE'));
    call.next('BYE', { toTag: null });
    await stranger.next(status(403, 'BYE'));
    call.next('OPTIONS', { toTag: null });
    await stranger.next(status(200, 'OPTIONS'));
    stranger.send(new Registration(stranger, port).build({ user: '8001', password: 'x' }));
    await stranger.next(status(401, 'REGISTER'));
  });

  it('when the trunk calls a DID, the call comes in with its trunk and flow; a number that is no DID gets 404', async () => {
    const trunk = await clientAt('127.0.0.2');
    const call = new TestCall(trunk, port, '0936-12345');
    call.invite();
    await trunk.next(status(200, 'INVITE'));
    expect(legs[0]?.route).to.deep.equal({ trunk: 'carrier', flow: 'flows/gansu.yaml' });
    const unknown = new TestCall(trunk, port, '99999');
    unknown.invite();
    await trunk.next(status(404, 'INVITE'));
    expect(legs).to.have.length(1);
  });

  it('when an agent registered from an address, calls from that address are admitted to the inbound flow; after it unregisters they are refused', async () => {
    const phone = await clientAt('127.0.0.4');
    const registration = new Registration(phone, port);
    expect((await registration.register({ user: '8001', password: 'pw-8001' })).status).to.equal(200);
    const call = new TestCall(phone, port, '12345', '8001');
    call.invite();
    await phone.next(status(200, 'INVITE'));
    expect(legs[0]?.route).to.deep.equal({ trunk: undefined, flow: undefined });
    expect((await registration.register({ user: '8001', password: 'pw-8001', expires: 0 })).status).to.equal(200);
    new TestCall(phone, port).invite();
    await phone.next(status(403, 'INVITE'));
  });

  it('when a trunk allows PCMA only, media sees an offer without PCMU; an offer with PCMU alone gets 488', async () => {
    const trunk = await clientAt('127.0.0.5');
    const call = new TestCall(trunk, port);
    call.invite();
    await trunk.next(status(200, 'INVITE'));
    expect(media.sessions[0]?.offers[0]).to.match(/^m=audio 40000 RTP\/AVP 8 101\r?$/m);
    expect(media.sessions[0]?.codec).to.equal('PCMA');
    const pcmuOnly = new TestCall(trunk, port);
    pcmuOnly.invite(OFFER.replace('RTP/AVP 0 8 101', 'RTP/AVP 0 101').replace('a=rtpmap:8 PCMA/8000\r\n', ''));
    await trunk.next(status(488, 'INVITE'));
  });
});

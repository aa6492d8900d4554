import { expect } from 'chai';
import sinon from 'sinon';
import type { SipTelephony } from '../../../src/sip/sip-telephony.js';
import { RawSipClient, status } from './raw-sip-client.js';
import { MemoryCredentials, REALM, Registration, authParams, authorization } from './sip-peer.js';
import { sleep, startEngine } from './test-call.js';

describe('SipTelephony: registrar', () => {
  let tel: SipTelephony;
  let port: number;
  let client: RawSipClient;

  beforeEach(async () => {
    ({ tel, port } = await startEngine({ credentials: new MemoryCredentials({ '8001': 'secret' }), realm: REALM, minRegisterExpiresS: 1 }));
    client = await RawSipClient.udp(port);
  });

  afterEach(async () => {
    sinon.restore();
    client.close();
    await tel.close();
  });

  it('when a phone REGISTERs, it challenges with 401 and accepts the right digest with 200 and the granted expires', async () => {
    const events: [string, boolean][] = [];
    tel.registrations.on('registration', (ext, registered) => events.push([ext, registered]));
    const reg = new Registration(client, port);
    client.send(reg.build({ user: '8001', password: 'secret', expires: 7200 }));
    const challenge = await client.next(status(401, 'REGISTER'));
    const c = authParams(challenge.headers['www-authenticate']);
    expect(c).to.include({ scheme: 'Digest', realm: REALM, algorithm: 'MD5', qop: 'auth' });
    expect(c.nonce).to.be.a('string').and.not.equal('');
    client.send(reg.build({ user: '8001', password: 'secret', expires: 7200 }, authorization(c, '8001', 'secret', 'REGISTER', `sip:127.0.0.1:${port}`)));
    const ok = await client.next(status(200, 'REGISTER'));
    expect(ok.headers.contact).to.have.nested.property('[0].uri', `sip:8001@127.0.0.1:${client.port}`);
    expect(ok.headers.contact).to.have.nested.property('[0].params.expires', '3600');
    expect(tel.isRegistered('8001')).to.equal(true);
    expect(tel.isRegistered('8002')).to.equal(false);
    expect(events).to.deep.equal([['8001', true]]);
  });

  it('when the digest has no qop (RFC 2069 form), it is accepted too', async () => {
    const reg = new Registration(client, port);
    client.send(reg.build({ user: '8001', password: 'secret' }));
    const c = authParams((await client.next(status(401))).headers['www-authenticate']);
    const { qop: _qop, ...noQop } = c;
    client.send(reg.build({ user: '8001', password: 'secret' }, authorization(noQop, '8001', 'secret', 'REGISTER', `sip:127.0.0.1:${port}`)));
    await client.next(status(200, 'REGISTER'));
    expect(tel.isRegistered('8001')).to.equal(true);
  });

  it('when the password is wrong or the user unknown, it answers 403 and registers nothing', async () => {
    const wrong = await new Registration(client, port).register({ user: '8001', password: 'guess' });
    expect(wrong.status).to.equal(403);
    const unknown = await new Registration(client, port).register({ user: '9999', password: 'secret' });
    expect(unknown.status).to.equal(403);
    expect(tel.isRegistered('8001')).to.equal(false);
  });

  it('when 6 attempts failed from one address, the next within a second is refused 403 even with the right password', async () => {
    for (let i = 0; i < 6; i++) {
      expect((await new Registration(client, port).register({ user: '8001', password: `bad${i}` })).status).to.equal(403);
    }
    const blocked = await new Registration(client, port).register({ user: '8001', password: 'secret' });
    expect(blocked.status).to.equal(403);
    expect(tel.isRegistered('8001')).to.equal(false);
  });

  it('when the registration expires, isRegistered turns false and an event says so', async () => {
    const reg = new Registration(client, port);
    const ok = await reg.register({ user: '8001', password: 'secret', expires: 1 });
    expect(ok.status).to.equal(200);
    expect(tel.isRegistered('8001')).to.equal(true);
    const gone = new Promise<boolean>((resolve) => tel.registrations.on('registration', (_ext, registered) => { resolve(registered); }));
    await sleep(1100);
    expect(await gone).to.equal(false);
    expect(tel.isRegistered('8001')).to.equal(false);
  });

  it('when the phone REGISTERs with Expires: 0 (or Contact: *), it unregisters', async () => {
    const reg = new Registration(client, port);
    expect((await reg.register({ user: '8001', password: 'secret' })).status).to.equal(200);
    expect((await reg.register({ user: '8001', password: 'secret', expires: 0 })).status).to.equal(200);
    expect(tel.isRegistered('8001')).to.equal(false);
    expect((await reg.register({ user: '8001', password: 'secret' })).status).to.equal(200);
    expect((await reg.register({ user: '8001', password: 'secret', expires: 0, contactStar: true })).status).to.equal(200);
    expect(tel.isRegistered('8001')).to.equal(false);
  });

  it('when a phone that lost the extension to a newer one unregisters (Expires: 0), only its own Contact goes: the newer binding stays (RFC 3261 §10.3)', async () => {
    const newer = await RawSipClient.udp(port);
    try {
      const old = new Registration(client, port);
      expect((await old.register({ user: '8001', password: 'secret' })).status).to.equal(200);
      expect((await new Registration(newer, port).register({ user: '8001', password: 'secret' })).status).to.equal(200);
      const bye = await old.register({ user: '8001', password: 'secret', expires: 0 });
      expect(bye.status).to.equal(200);
      expect(tel.isRegistered('8001')).to.equal(true);
      // §10.3 step 8: the 200 lists what is still bound, the newer phone.
      expect(bye.headers.contact).to.have.nested.property('[0].uri', `sip:8001@127.0.0.1:${newer.port}`);
    } finally {
      newer.close();
    }
  });

  it('when the interval is shorter than the minimum, it answers 423 with Min-Expires', async () => {
    await tel.close();
    ({ tel, port } = await startEngine({ credentials: new MemoryCredentials({ '8001': 'secret' }), realm: REALM }));
    client.close();
    client = await RawSipClient.udp(port);
    const res = await new Registration(client, port).register({ user: '8001', password: 'secret', expires: 30 });
    expect(res.status).to.equal(423);
    expect(res.headers['min-expires']).to.equal('60');
  });

  it('when the nonce is forged, it challenges again instead of accepting', async () => {
    const reg = new Registration(client, port);
    const c = { realm: REALM, nonce: '18f00000000.deadbeef', qop: 'auth' };
    client.send(reg.build({ user: '8001', password: 'secret' }, authorization(c, '8001', 'secret', 'REGISTER', `sip:127.0.0.1:${port}`)));
    await client.next(status(401, 'REGISTER'));
    expect(tel.isRegistered('8001')).to.equal(false);
  });

  describe('drop (SIP password reset, agent disabled)', () => {
    it('when the registration is dropped, the extension is unregistered at once with an event, the old password no longer registers and the new one does', async () => {
      const passwords: Record<string, string> = { '8001': 'secret' };
      await tel.close();
      ({ tel, port } = await startEngine({ credentials: new MemoryCredentials(passwords), realm: REALM, minRegisterExpiresS: 1 }));
      client.close();
      client = await RawSipClient.udp(port);
      const reg = new Registration(client, port);
      expect((await reg.register({ user: '8001', password: 'secret', expires: 3600 })).status).to.equal(200);
      const events: [string, boolean][] = [];
      tel.registrations.on('registration', (ext, registered) => events.push([ext, registered]));

      passwords['8001'] = 'new-secret';
      tel.dropRegistration('8001');
      tel.dropRegistration('8002'); // nothing bound: nothing happens

      expect(tel.isRegistered('8001')).to.equal(false);
      expect(events).to.deep.equal([['8001', false]]);
      expect((await new Registration(client, port).register({ user: '8001', password: 'secret' })).status).to.equal(403);
      expect(tel.isRegistered('8001')).to.equal(false);
      expect((await new Registration(client, port).register({ user: '8001', password: 'new-secret' })).status).to.equal(200);
      expect(tel.isRegistered('8001')).to.equal(true);
    });

    it('when a REGISTER’s credentials were read before the drop, it is challenged again instead of bound', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let reading!: () => void;
      const read = new Promise<void>((resolve) => (reading = resolve));
      const slow = new MemoryCredentials({ '8001': 'secret' });
      const findHa1 = slow.findHa1.bind(slow);
      slow.findHa1 = async (user, realm) => {
        const ha1 = await findHa1(user, realm); // the old HA1, read before the reset
        reading();
        await gate;
        return ha1;
      };
      await tel.close();
      ({ tel, port } = await startEngine({ credentials: slow, realm: REALM, minRegisterExpiresS: 1 }));
      client.close();
      client = await RawSipClient.udp(port);
      const answer = new Registration(client, port).register({ user: '8001', password: 'secret' });
      await read;
      tel.dropRegistration('8001');
      release();
      expect((await answer).status).to.equal(401);
      expect(tel.isRegistered('8001')).to.equal(false);
    });
  });
});

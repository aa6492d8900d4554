import { expect } from 'chai';
import sinon from 'sinon';
import { MemoryThrottleStore } from '../../../src/shared/auth-throttle.js';
import { offsetClock, systemClock } from '../../../src/shared/clock.js';
import type { SipTelephony } from '../../../src/sip/sip-telephony.js';
import { RawSipClient, request, status } from './raw-sip-client.js';
import { MemoryCredentials, REALM, Registration, authParams, authorization, respond } from './sip-peer.js';
import { startEngine } from './test-call.js';

/** Issue 9, item 6: captured REGISTER credentials must not move an agent's phone. */
describe('SipTelephony: registrar against replay and guessing', () => {
  let tel: SipTelephony;
  let port: number;
  let phone: RawSipClient;
  const others: RawSipClient[] = [];
  let skewMs = 0;
  let credentials: MemoryCredentials;

  beforeEach(async () => {
    skewMs = 0;
    const clock = { ...offsetClock(systemClock, 0), now: () => Date.now() + skewMs };
    credentials = new MemoryCredentials({ '8001': 'secret', '8002': 'other' });
    ({ tel, port } = await startEngine({ credentials, realm: REALM, clock, authThrottles: new MemoryThrottleStore() }));
    phone = await RawSipClient.udp(port);
  });

  afterEach(async () => {
    sinon.restore();
    phone.close();
    for (const c of others.splice(0)) c.close();
    await tel.close();
  });

  const client = async (address: string): Promise<RawSipClient> => {
    const c = await RawSipClient.udp(port, address);
    others.push(c);
    return c;
  };

  /** Where a call to the extension rings: the client that gets the INVITE (answered 486 at once). */
  async function ringsAt(candidates: RawSipClient[]): Promise<RawSipClient> {
    tel.originate({ target: 'ext:8001', fromUser: '12345', timeoutMs: 2000 });
    const got = await Promise.any(candidates.map(async (c) => ({ c, invite: await c.next(request('INVITE'), 2000) })));
    respond(got.c, got.invite, 486, 'Busy Here', { toTag: 'busy' });
    return got.c;
  }

  /** The phone registers; resolves with the Authorization it sent (what an eavesdropper captures). */
  async function registerPhone(): Promise<{ reg: Registration; captured: string }> {
    const reg = new Registration(phone, port);
    phone.send(reg.build({ user: '8001', password: 'secret' }));
    const c = authParams((await phone.next(status(401, 'REGISTER'))).headers['www-authenticate']);
    const captured = authorization(c, '8001', 'secret', 'REGISTER', `sip:127.0.0.1:${port}`);
    phone.send(reg.build({ user: '8001', password: 'secret' }, captured));
    await phone.next(status(200, 'REGISTER'));
    return { reg, captured };
  }

  it('when a captured Authorization is replayed from another address with its own Contact, it gets a fresh 401 and the phone stays where it was', async () => {
    const { captured } = await registerPhone();
    const attacker = await client('127.0.0.2');
    const reg = new Registration(attacker, port);
    attacker.send(reg.build({ user: '8001', password: '' }, captured));
    const answer = await attacker.next((m) => (m.status ?? 0) >= 200);
    expect(answer.status).to.equal(401);
    expect(authParams(answer.headers['www-authenticate']).nonce, 'a new nonce, issued to the attacker').to.be.a('string');
    expect(await ringsAt([phone, attacker]), 'calls for 8001 still ring the agent').to.equal(phone);
  });

  it('when the same nonce and nc are sent again (even from the same address), it is refused with 401 stale=true', async () => {
    const { reg, captured } = await registerPhone();
    phone.send(reg.build({ user: '8001', password: 'secret' }, captured));
    const answer = await phone.next((m) => (m.status ?? 0) >= 200 && m.headers.cseq?.seq === reg.cseq);
    expect(answer.status).to.equal(401);
    expect(authParams(answer.headers['www-authenticate'])).to.include({ stale: 'true' });
  });

  it('when the phone answers the fresh challenge from its new address, it registers there', async () => {
    await registerPhone();
    const moved = await client('127.0.0.3');
    const answer = await new Registration(moved, port).register({ user: '8001', password: 'secret' });
    expect(answer.status).to.equal(200);
    expect(await ringsAt([phone, moved])).to.equal(moved);
  });

  it('when the nonce is older than 5 minutes, it answers 401 stale=true with a new nonce', async () => {
    const reg = new Registration(phone, port);
    phone.send(reg.build({ user: '8001', password: 'secret' }));
    const c = authParams((await phone.next(status(401, 'REGISTER'))).headers['www-authenticate']);
    skewMs = 5 * 60_000 + 1000;
    phone.send(reg.build({ user: '8001', password: 'secret' }, authorization(c, '8001', 'secret', 'REGISTER', `sip:127.0.0.1:${port}`)));
    const stale = authParams((await phone.next((m) => m.status === 401 && m.headers.cseq?.seq === reg.cseq)).headers['www-authenticate']);
    expect(stale).to.include({ stale: 'true' });
    expect(stale.nonce).to.not.equal(c.nonce);
    expect(tel.isRegistered('8001')).to.equal(false);
  });

  it('when passwords are guessed from 40 addresses, only about the account free failures are checked, and the phone still registers from its own address', async () => {
    await registerPhone();
    const checked = sinon.spy(credentials, 'findHa1');
    const attackers = await Promise.all(Array.from({ length: 40 }, (_, i) => client(`127.0.1.${i + 1}`)));
    // Each address tries 3 passwords in a burst: 120 guesses.
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(attackers.map((a, i) => new Registration(a, port).register({ user: '8001', password: `guess-${round}-${i}` })));
      for (const a of answers) expect(a.status).to.equal(403);
    }
    // 10 free failures per account, then one slot per delay (1 s, 2 s, …): 11 of 120 measured.
    expect(checked.callCount).to.be.at.most(15);
    checked.resetHistory();
    const again = await new Registration(phone, port).register({ user: '8001', password: 'secret' });
    expect(again.status).to.equal(200);
    expect(await ringsAt([phone, ...attackers])).to.equal(phone);
  });
});

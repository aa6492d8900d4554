import { expect } from 'chai';
import { parse, type SipMessage, type SipOutgoingMessage } from 'sip';
import { serializeSipMessage } from '../../../src/sip/sip-serializer.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { DialogRequest } from '../../../src/sip/sip-dialog.js';
import type { SipResponse } from '../../../src/sip/sip-message.js';
import { RETRY_FIRST_MS, TrunkRegistration } from '../../../src/sip/trunk-registration.js';
import { FakeClock } from './transaction-test-kit.js';

/** A carrier registrar played by the test: each REGISTER sent is answered by the next reply given. */
class FakeRegistrar {
  readonly sent: SipOutgoingMessage[] = [];
  readonly replies: ((req: SipOutgoingMessage) => SipResponse | Error)[] = [];

  sendRequest = (request: DialogRequest): Promise<SipResponse> => {
    this.sent.push(request.message);
    const reply = this.replies.shift();
    if (!reply) return Promise.reject(new Error('no reply scripted'));
    const res = reply(request.message);
    return res instanceof Error ? Promise.reject(res) : Promise.resolve(res);
  };
}

function response(status: number, headers: string[] = []): SipResponse {
  const text = [`SIP/2.0 ${status} Reason`, 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx', 'From: <sip:hotline@203.0.113.5>;tag=a', 'To: <sip:hotline@203.0.113.5>;tag=b', 'Call-ID: c', 'CSeq: 1 REGISTER', ...headers, 'Content-Length: 0', '', ''].join('\r\n');
  const message = parse(text) as SipMessage;
  return { message, status, reason: 'Reason', branch: 'z9hG4bKx', cseq: { seq: 1, method: 'REGISTER' }, body: '' };
}

const wire = (m: SipOutgoingMessage | undefined): string => (m === undefined ? '' : serializeSipMessage(m));
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TrunkRegistration (REGISTER to a carrier)', () => {
  let clock: FakeClock;
  let carrier: FakeRegistrar;
  let registration: TrunkRegistration;

  beforeEach(() => {
    clock = new FakeClock();
    carrier = new FakeRegistrar();
    registration = new TrunkRegistration(
      { trunk: 'telecom', registrar: 'sip:203.0.113.5:5070', username: 'hotline', password: 'secret', aorUser: '0936012345', expiresS: 3600 },
      { clock, logger: silentLogger(), publicAddress: '198.51.100.10', port: 5060, sendRequest: carrier.sendRequest },
    );
  });

  it('when the carrier challenges, it answers with digest for the registrar URI, and refreshes at half of what was granted', async () => {
    carrier.replies.push(() => response(401, ['WWW-Authenticate: Digest realm="carrier", nonce="n1", qop="auth"']));
    carrier.replies.push(() => response(200, ['Contact: <sip:0936012345@198.51.100.10:5060>;expires=600']));
    registration.start();
    await settle();
    expect(registration.registered).to.equal(true);
    const [first, second] = carrier.sent;
    const text = wire(second);
    expect(first?.uri).to.equal('sip:203.0.113.5:5070');
    expect(text).to.match(/^Authorization: Digest username="hotline", realm="carrier", nonce="n1", uri="sip:203.0.113.5:5070"/m);
    expect(text).to.match(/^Contact: +<sip:0936012345@198\.51\.100\.10:5060>/m);
    expect(text).to.match(/^Expires: 3600/m);
    expect(second?.headers.cseq).to.deep.include({ seq: 2 });
    expect(second?.headers['call-id']).to.equal(first?.headers['call-id']);
    expect(clock.running()).to.deep.equal([300_000]);
  });

  it('when registering fails, it is retried after a back-off that doubles up to 5 minutes, and a success resets it', async () => {
    carrier.replies.push(() => response(403));
    registration.start();
    await settle();
    expect(registration.state).to.equal('failed');
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const [wait = 0] = clock.running();
      waits.push(Math.round(wait / 1000));
      carrier.replies.push(() => new Error('timeout'));
      clock.fireNext();
      await settle();
    }
    expect(waits[0]).to.be.within(RETRY_FIRST_MS / 1000, (RETRY_FIRST_MS / 1000) * 1.1);
    expect(waits.slice(0, 4).map((w, i) => Math.round(w / 2 ** i / 5))).to.deep.equal([1, 1, 1, 1]);
    expect(Math.max(...waits)).to.be.at.most(330);
    carrier.replies.push(() => response(200, ['Expires: 120']));
    clock.fireNext();
    await settle();
    expect(registration.registered).to.equal(true);
    expect(clock.running()).to.deep.equal([60_000]);
  });

  it('when closed while registered, it unregisters with Expires: 0 and stops its timer', async () => {
    carrier.replies.push(() => response(200));
    registration.start();
    await settle();
    carrier.replies.push(() => response(200));
    registration.close();
    await settle();
    expect(wire(carrier.sent[1])).to.match(/^Expires: 0/m);
    expect(clock.running()).to.deep.equal([]);
    expect(registration.state).to.equal('closed');
  });
});

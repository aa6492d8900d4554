import { expect } from 'chai';
import { NonceSigner } from '../../../src/sip/digest-auth.js';

describe('NonceSigner', () => {
  const signer = new NonceSigner('hotline12345', 300_000);

  it('issues a different nonce for each challenge, even in the same millisecond to the same address', () => {
    // Two phones behind one NAT registering at once: a shared nonce would make the second one's nc=1 a "replay".
    const a = signer.issue(1_700_000_000_000, '192.0.2.10');
    const b = signer.issue(1_700_000_000_000, '192.0.2.10');
    expect(a).to.not.equal(b);
    expect(signer.check(a, 1_700_000_000_500, '192.0.2.10')).to.equal('valid');
    expect(signer.check(b, 1_700_000_000_500, '192.0.2.10')).to.equal('valid');
  });

  it('refuses a nonce whose salt, time or address was changed, and one of another form', () => {
    const nonce = signer.issue(1_700_000_000_000, '192.0.2.10');
    const [issued, salt, mac] = nonce.split('.') as [string, string, string];
    expect(signer.check(nonce, 1_700_000_000_000, '192.0.2.11')).to.equal('invalid');
    expect(signer.check(`${issued}.${salt.replace(/^./, (c) => (c === '0' ? '1' : '0'))}.${mac}`, 1_700_000_000_000, '192.0.2.10')).to.equal('invalid');
    expect(signer.check(`${(Number.parseInt(issued, 16) + 1).toString(16)}.${salt}.${mac}`, 1_700_000_000_000, '192.0.2.10')).to.equal('invalid');
    expect(signer.check(`${issued}.${mac}`, 1_700_000_000_000, '192.0.2.10')).to.equal('invalid');
    expect(signer.check(`${nonce}.x`, 1_700_000_000_000, '192.0.2.10')).to.equal('invalid');
  });

  it('calls a genuine nonce older than its lifetime stale', () => {
    const nonce = signer.issue(1_700_000_000_000, '192.0.2.10');
    expect(signer.check(nonce, 1_700_000_300_001, '192.0.2.10')).to.equal('stale');
  });
});

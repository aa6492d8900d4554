import { expect } from 'chai';
import { hashPassword, verifyPassword } from '../../../src/identity/password-hash.js';
import { computeSipHa1 } from '../../../src/identity/sip-ha1.js';

describe('password hashing', () => {
  it('when a password is hashed, it is stored as scrypt$16384$8$1$salt$hash with a 16-byte salt', async () => {
    const stored = await hashPassword('正确的密码 horse');
    const parts = stored.split('$');
    expect(parts.slice(0, 4)).to.deep.equal(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(parts[4] ?? '', 'base64')).to.have.length(16);
    expect(Buffer.from(parts[5] ?? '', 'base64')).to.have.length(32);
    expect(stored).not.to.contain('horse');
  });

  it('when the same password is hashed twice, the salts differ and both verify', async () => {
    const a = await hashPassword('secret-123');
    const b = await hashPassword('secret-123');
    expect(a).not.to.equal(b);
    expect(await verifyPassword('secret-123', a)).to.equal(true);
    expect(await verifyPassword('secret-123', b)).to.equal(true);
  });

  it('when the password is wrong, it does not verify', async () => {
    const stored = await hashPassword('secret-123');
    expect(await verifyPassword('secret-124', stored)).to.equal(false);
    expect(await verifyPassword('', stored)).to.equal(false);
  });

  it('when the stored value is malformed or asks for huge memory, it is a mismatch, not an exception', async () => {
    expect(await verifyPassword('x', 'plain-text')).to.equal(false);
    expect(await verifyPassword('x', 'scrypt$16384$8$1$$')).to.equal(false);
    expect(await verifyPassword('x', 'scrypt$1048576$64$64$AAAA$AAAA')).to.equal(false);
  });
});

describe('computeSipHa1', () => {
  it('when given the RFC 2617 §3.5 example credentials, it gives their HA1', () => {
    // MD5("Mufasa:testrealm@host.com:Circle Of Life")
    expect(computeSipHa1('Mufasa', 'testrealm@host.com', 'Circle Of Life')).to.equal('939e7578ed9e3c518a452acee763bce9');
  });
});

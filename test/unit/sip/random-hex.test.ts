import { expect } from 'chai';
import { randomHex } from '../../../src/sip/random-hex.js';
import { newBranch, newTag, MAGIC_COOKIE } from '../../../src/sip/sip-message.js';

describe('randomHex: tags and branches from a pooled CSPRNG buffer', () => {
  it('when thousands of tags are drawn (several pool refills), each is 12 lower-case hex digits and none repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const tag = newTag();
      expect(tag).to.match(/^[0-9a-f]{12}$/);
      seen.add(tag);
    }
    expect(seen.size).to.equal(5000);
  });

  it('when branches are drawn, each starts with the RFC 3261 magic cookie and carries 80 random bits', () => {
    const branch = newBranch();
    expect(branch.startsWith(MAGIC_COOKIE)).to.equal(true);
    expect(branch.slice(MAGIC_COOKIE.length)).to.match(/^[0-9a-f]{20}$/);
  });

  it('when many bytes are drawn, every hex digit shows up about as often as the others', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const c of randomHex(8)) counts.set(c, (counts.get(c) ?? 0) + 1);
    // 32 000 digits, 2 000 expected each: a stuck or reused pool would be far off.
    expect(counts.size).to.equal(16);
    for (const n of counts.values()) expect(n).to.be.within(1700, 2300);
  });

  it('when asked for a size beyond the pool or a bad size, it serves the large one and refuses the bad one', () => {
    expect(randomHex(1000)).to.match(/^[0-9a-f]{2000}$/);
    expect(() => randomHex(0)).to.throw(RangeError);
    expect(() => randomHex(1.5)).to.throw(RangeError);
  });
});

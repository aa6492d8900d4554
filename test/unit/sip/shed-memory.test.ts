import { expect } from 'chai';
import { ShedMemory } from '../../../src/sip/shed-memory.js';

describe('ShedMemory', () => {
  it('when a shed transaction is looked up within its lifetime, it gives back the To tag and Retry-After it was refused with', () => {
    const memory = new ShedMemory(32_000);
    memory.remember('z9hG4bK1|10.0.0.1:5060|INVITE', 'tag1', 1, 1000);
    expect(memory.get('z9hG4bK1|10.0.0.1:5060|INVITE', 32_999)).to.deep.include({ toTag: 'tag1', retryAfterS: 1 });
    expect(memory.get('z9hG4bK2|10.0.0.1:5060|INVITE', 2000)).to.equal(undefined);
  });

  it('when 64*T1 has passed, the entry is gone (the client has stopped retransmitting by then)', () => {
    const memory = new ShedMemory(32_000);
    memory.remember('a', 't', 1, 0);
    expect(memory.get('a', 32_000)).to.equal(undefined);
    expect(memory.size).to.equal(0);
  });

  it('when entries age out, remembering a new one drops them, so memory stays bounded by the shed rate × 32 s', () => {
    const memory = new ShedMemory(1000);
    for (let t = 0; t < 10_000; t++) memory.remember(`k${t}`, 't', 1, t);
    expect(memory.size).to.equal(1000);
  });

  it('when more than maxEntries are shed within the lifetime, the oldest are dropped first', () => {
    const memory = new ShedMemory(32_000, 3);
    for (const k of ['a', 'b', 'c', 'd']) memory.remember(k, `tag-${k}`, 1, 0);
    expect(memory.size).to.equal(3);
    expect(memory.get('a', 1)).to.equal(undefined);
    expect(memory.get('d', 1)?.toTag).to.equal('tag-d');
  });
});

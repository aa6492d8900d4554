import { expect } from 'chai';
import { TimestampMapper, tsDiff } from '../../../src/media/timestamp-mapper.js';

describe('TimestampMapper', () => {
  it('when the first packet arrives, it anchors to the due timestamp and keeps the source spacing after', () => {
    const m = new TimestampMapper();
    expect(m.map(7, 1000, 50_000, true)).to.deep.equal({ timestamp: 50_000, anchored: true });
    expect(m.map(7, 1160, 50_160, true)).to.deep.equal({ timestamp: 50_160, anchored: false });
    // A lost packet stays a gap; the due timestamp does not pull it.
    expect(m.map(7, 1480, 50_200, true)).to.deep.equal({ timestamp: 50_480, anchored: false });
  });

  it('when timestamps wrap past 2^32, the mapping continues', () => {
    const m = new TimestampMapper();
    m.map(1, 0xffffff00, 10, true);
    expect(m.map(1, 0x60, 170, true)).to.deep.equal({ timestamp: 10 + 0x160, anchored: false });
    expect(tsDiff(5, 0xfffffffb)).to.equal(10);
  });

  it('when the source SSRC changes or audio strays over 1 s, it anchors again; events never stray-anchor', () => {
    const m = new TimestampMapper();
    m.map(1, 0, 1000, true);
    expect(m.map(2, 99_999, 1160, true)).to.deep.equal({ timestamp: 1160, anchored: true });
    expect(m.map(2, 99_999, 30_000, false)).to.deep.equal({ timestamp: 1160, anchored: false });
    expect(m.map(2, 99_999, 30_000, true)).to.deep.equal({ timestamp: 30_000, anchored: true });
    m.reset();
    expect(m.map(2, 5, 40_000, true).anchored).to.equal(true);
  });
});

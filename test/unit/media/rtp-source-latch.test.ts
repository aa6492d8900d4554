import { expect } from 'chai';
import { RtpSourceLatch } from '../../../src/media/rtp-source-latch.js';

const SDP = { address: '198.51.100.7', port: 40000 };
const NAT = { address: '203.0.113.9', port: 61000 };
const FORGER = { address: '192.0.2.66', port: 5004 };

describe('RtpSourceLatch', () => {
  function latchedOn(from: { address: string; port: number }, ssrc = 1111): RtpSourceLatch {
    const latch = new RtpSourceLatch(2000);
    latch.reset(SDP);
    expect(latch.judge(from, ssrc, 0)).to.equal('accept');
    return latch;
  }

  it('when the first packet comes from the SDP address, it latches there and drops another source with another SSRC', () => {
    const latch = latchedOn(SDP);
    expect(latch.judge(FORGER, 9999, 20)).to.equal('foreign');
    expect(latch.judge(SDP, 1111, 40)).to.equal('accept');
    expect(latch.latched).to.deep.equal(SDP);
  });

  it('when the caller is behind NAT, its first packet from the public address latches (symmetric RTP)', () => {
    const latch = latchedOn(NAT);
    expect(latch.latched).to.deep.equal(NAT);
    expect(latch.judge(NAT, 1111, 20)).to.equal('accept');
    expect(latch.judge(FORGER, 1111, 40), 'even with the right SSRC while the caller talks').to.equal('foreign');
  });

  it('when a forger latched first but the caller then sends from its SDP address, the caller takes the stream', () => {
    const latch = latchedOn(FORGER, 9999);
    expect(latch.judge(SDP, 1111, 30)).to.equal('accept');
    expect(latch.latched).to.deep.equal(SDP);
    expect(latch.judge(FORGER, 9999, 40)).to.equal('foreign');
  });

  it('when the SDP address appears only after the silence window, it does not take over a NATed latch', () => {
    const latch = latchedOn(NAT);
    expect(latch.judge(NAT, 1111, 1500)).to.equal('accept');
    expect(latch.judge(SDP, 4242, 2500)).to.equal('foreign');
    expect(latch.latched).to.deep.equal(NAT);
  });

  it('when the latched source went silent and the same SSRC comes from a new port, it re-latches (NAT rebinding)', () => {
    const latch = latchedOn(NAT);
    const rebound = { address: NAT.address, port: 61002 };
    expect(latch.judge(rebound, 1111, 1999), 'not silent long enough yet').to.equal('foreign');
    expect(latch.judge(rebound, 1111, 2000)).to.equal('accept');
    expect(latch.latched).to.deep.equal(rebound);
    expect(latch.judge(NAT, 1111, 2020), 'the old binding is now foreign').to.equal('foreign');
  });

  it('when a new source brings a new SSRC, it is refused even after a long silence', () => {
    const latch = latchedOn(NAT);
    expect(latch.judge(FORGER, 9999, 60_000)).to.equal('foreign');
    expect(latch.latched).to.deep.equal(NAT);
  });

  it('when the latched source changes its SSRC, it is taken only after the old one was silent', () => {
    const latch = latchedOn(NAT);
    expect(latch.judge(NAT, 2222, 100)).to.equal('foreign');
    expect(latch.judge(NAT, 2222, 2100)).to.equal('accept');
    expect(latch.judge(NAT, 1111, 2120)).to.equal('foreign');
  });

  it('when dropped packets keep coming, they do not count as the latched source talking', () => {
    const latch = latchedOn(NAT);
    for (let t = 20; t < 2000; t += 20) expect(latch.judge(FORGER, 1111, t)).to.equal('foreign');
    expect(latch.judge(FORGER, 1111, 2000), 'the caller was silent 2 s: same SSRC may move').to.equal('accept');
  });

  it('when a re-INVITE resets the latch, a new source with a new SSRC is taken', () => {
    const latch = latchedOn(NAT);
    const moved = { address: '198.51.100.20', port: 41000 };
    latch.reset(moved);
    expect(latch.latched).to.equal(undefined);
    expect(latch.judge(moved, 7777, 100)).to.equal('accept');
    expect(latch.judge(NAT, 1111, 120)).to.equal('foreign');
  });

  it('when only the SDP and signalling IPs are allowed, a first packet from a third host is foreign and the caller\'s NAT address still latches', () => {
    const latch = new RtpSourceLatch(2000);
    latch.reset(SDP, [SDP.address, NAT.address]);
    expect(latch.judge(FORGER, 1111, 0)).to.equal('foreign');
    expect(latch.latched).to.equal(undefined);
    expect(latch.judge({ address: `::ffff:${NAT.address}`, port: 61000 }, 1111, 10), 'as a dual-stack socket reports it').to.equal('accept');
    expect(latch.judge(FORGER, 1111, 5000), 'even after a silence, with the latched SSRC').to.equal('foreign');
  });
});

import { expect } from 'chai';
import sinon from 'sinon';
import { encodeRtp, parseRtp } from '../../../src/media/rtp-packet.js';

describe('RTP packet', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when encoding, it writes the RFC 3550 fixed header byte for byte', () => {
    const buf = encodeRtp({ payloadType: 8, marker: true, sequenceNumber: 0x1234, timestamp: 0xdeadbeef, ssrc: 0x01020304, payload: Buffer.from([0xaa, 0xbb]) });
    expect([...buf]).to.deep.equal([0x80, 0x88, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0xaa, 0xbb]);
  });

  it('when parsing what it encoded, it gets the same fields back', () => {
    const packet = { payloadType: 0, marker: false, sequenceNumber: 65535, timestamp: 4294967295, ssrc: 7, payload: Buffer.alloc(160, 0xff) };
    const parsed = parseRtp(encodeRtp(packet));
    expect(parsed).to.deep.equal(packet);
  });

  it('when the packet has CSRCs, a header extension and padding, it returns only the payload', () => {
    const header = Buffer.from([0xb2, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]); // V=2 P=1 X=1 CC=2
    const csrcs = Buffer.alloc(8, 0x11);
    const extension = Buffer.from([0xbe, 0xde, 0x00, 0x01, 0x22, 0x22, 0x22, 0x22]); // 1 word
    const payload = Buffer.from([1, 2, 3]);
    const padding = Buffer.from([0, 0, 3]);
    const parsed = parseRtp(Buffer.concat([header, csrcs, extension, payload, padding]));
    expect(parsed?.payload).to.deep.equal(payload);
    expect(parsed?.sequenceNumber).to.equal(1);
    expect(parsed?.timestamp).to.equal(2);
  });

  it('when the bytes are not RTP version 2, too short, or RTCP, it returns undefined', () => {
    expect(parseRtp(Buffer.alloc(8))).to.equal(undefined);
    expect(parseRtp(Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).to.equal(undefined);
    expect(parseRtp(Buffer.from([0x80, 200, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0]))).to.equal(undefined); // RTCP SR
    expect(parseRtp(Buffer.from([0x8f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).to.equal(undefined); // 15 CSRCs missing
  });
});

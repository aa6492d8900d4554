import { expect } from 'chai';
import sinon from 'sinon';
import {
  ALAW_TO_ULAW,
  ULAW_TO_ALAW,
  alawToLinear,
  decodeAlaw,
  decodeUlaw,
  encodeAlaw,
  encodeUlaw,
  linearToAlaw,
  linearToUlaw,
  mapBytes,
  ulawToLinear,
} from '../../../src/media/g711.js';

describe('G.711', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when encoding zero, it yields the codecs’ silence bytes (μ-law 0xFF, A-law 0xD5)', () => {
    expect(linearToUlaw(0)).to.equal(0xff);
    expect(linearToAlaw(0)).to.equal(0xd5);
    expect(ulawToLinear(0xff)).to.equal(0);
    expect(alawToLinear(0xd5)).to.equal(8);
  });

  it('when encoding full scale, it yields the G.711 extreme codes', () => {
    expect(linearToUlaw(32767)).to.equal(0x80);
    expect(linearToUlaw(-32768)).to.equal(0x00);
    expect(ulawToLinear(0x80)).to.equal(32124);
    expect(ulawToLinear(0x00)).to.equal(-32124);
    expect(linearToAlaw(32767)).to.equal(0xaa);
    expect(linearToAlaw(-32768)).to.equal(0x2a);
    expect(alawToLinear(0xaa)).to.equal(32256);
    expect(alawToLinear(0x2a)).to.equal(-32256);
  });

  it('when decoding every code and encoding it again, it gets the same code back (μ-law and A-law)', () => {
    for (let code = 0; code < 256; code++) {
      // 0x7F is μ-law "negative zero": it decodes to 0, which encodes as 0xFF.
      if (code !== 0x7f) expect(linearToUlaw(ulawToLinear(code)), `μ-law ${code}`).to.equal(code);
      expect(linearToAlaw(alawToLinear(code)), `A-law ${code}`).to.equal(code);
    }
  });

  it('when a sine goes through encode and decode, it stays within G.711 quantisation error', () => {
    const samples = new Int16Array(160);
    for (let i = 0; i < samples.length; i++) samples[i] = Math.round(10000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
    const u = decodeUlaw(encodeUlaw(samples));
    const a = decodeAlaw(encodeAlaw(samples));
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i] ?? 0;
      const tolerance = Math.max(16, Math.abs(s) / 16); // < 1/16 of the value: 4-bit mantissa
      expect(Math.abs((u[i] ?? 0) - s), `μ-law sample ${i}`).to.be.at.most(tolerance);
      expect(Math.abs((a[i] ?? 0) - s), `A-law sample ${i}`).to.be.at.most(tolerance);
    }
  });

  it('when converting μ-law to A-law by table, it matches decode-then-encode and keeps μ-law silence silent', () => {
    expect(ULAW_TO_ALAW[0xff]).to.equal(0xd5);
    // A-law has no zero level: its smallest (+8) is μ-law level 1, as in G.711 Table 3.
    expect(ALAW_TO_ULAW[0xd5]).to.equal(0xfe);
    for (let code = 0; code < 256; code++) {
      expect(ULAW_TO_ALAW[code]).to.equal(linearToAlaw(ulawToLinear(code)));
    }
    expect([...mapBytes(Buffer.from([0xff, 0x80, 0x00]), ULAW_TO_ALAW)]).to.deep.equal([0xd5, 0xaa, 0x2a]);
  });
});

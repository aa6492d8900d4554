import { expect } from 'chai';
import sinon from 'sinon';
import { chooseCrypto, cryptoValuesByMedia, KEY_SALT_BYTES, newSdesKey, readCryptoAttribute } from '../../../../src/media/srtp/sdes-crypto.js';

/** A well-formed key||salt (30 bytes, 40 base64 characters). */
const KEY = Buffer.alloc(KEY_SALT_BYTES, 7).toString('base64');

describe('SDES a=crypto attributes (RFC 4568)', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when the attribute is tag, AES_CM_128_HMAC_SHA1_80 and an inline 30-byte key, it is taken with its tag and key', () => {
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`)).to.deep.equal({ tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', key: KEY });
    expect(readCryptoAttribute(`123456789 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^31`)).to.deep.include({ tag: 123456789 });
  });

  it('when the key is shorter or longer than 30 bytes, the reason names both lengths', () => {
    const short = Buffer.alloc(16, 1).toString('base64');
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${short}`)).to.equal(
      'a=crypto tag 1: the key||salt is 16 bytes, AES_CM_128_HMAC_SHA1_80 needs 30 (40 base64 characters)',
    );
    const long = Buffer.alloc(46, 1).toString('base64');
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${long}`)).to.match(/the key\|\|salt is 46 bytes/);
  });

  it('when the key is not base64, it says so and never quotes the key', () => {
    const garbage = `${KEY.slice(0, 30)}!!**%%$$##`;
    const reason = readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${garbage}`);
    expect(reason).to.equal('a=crypto tag 1: the key is not base64');
    expect(typeof reason === 'string' ? reason : '').not.to.include(KEY.slice(0, 30));
  });

  it('when the suite is the 32-bit-tag variant or another known suite, it names the suite and the one we run', () => {
    expect(readCryptoAttribute(`2 AES_CM_128_HMAC_SHA1_32 inline:${KEY}`)).to.match(/^a=crypto tag 2: AES_CM_128_HMAC_SHA1_32 is not supported \(only AES_CM_128_HMAC_SHA1_80/);
    expect(readCryptoAttribute(`3 AES_256_CM_HMAC_SHA1_80 inline:${KEY}`)).to.equal('a=crypto tag 3: crypto-suite AES_256_CM_HMAC_SHA1_80 is not supported (only AES_CM_128_HMAC_SHA1_80)');
  });

  it('when the suite is unknown, it quotes it (printable, bounded)', () => {
    expect(readCryptoAttribute(`1 ROT13_HMAC inline:${KEY}`)).to.equal('a=crypto tag 1: unknown crypto-suite "ROT13_HMAC" (only AES_CM_128_HMAC_SHA1_80)');
    const reason = readCryptoAttribute(`1 ${'X'.repeat(300)}\u0007 inline:${KEY}`);
    expect(typeof reason === 'string' ? reason.length : 999).to.be.below(140);
  });

  it('when the tag is missing or not digits, it says the tag is wrong', () => {
    expect(readCryptoAttribute(`AES_CM_128_HMAC_SHA1_80 inline:${KEY}`)).to.equal('a=crypto tag "AES_CM_128_HMAC_SHA1_80" is not 1-9 digits');
    expect(readCryptoAttribute(`1234567890 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`)).to.match(/is not 1-9 digits/);
    expect(readCryptoAttribute('')).to.match(/is not 1-9 digits/);
  });

  it('when the key method is not inline: or key-params are missing, it says which', () => {
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 uri:${KEY}`)).to.equal('a=crypto tag 1: key method "uri" is not inline:');
    expect(readCryptoAttribute('1 AES_CM_128_HMAC_SHA1_80')).to.equal('a=crypto tag 1: no key-params (inline:<key||salt>)');
  });

  it('when an MKI is given (alone, after a lifetime, or as several keys), it is refused: werift cannot strip MKIs', () => {
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|1:4`)).to.equal('a=crypto tag 1: an MKI (master key identifier) is not supported');
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20|1:32`)).to.match(/MKI/);
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20|1:4;inline:${KEY}|2^20|2:4`)).to.equal(
      'a=crypto tag 1: several keys in one attribute (MKI) are not supported',
    );
  });

  it('when the key lifetime is short, malformed or beyond 2^48, it is refused with the value; 2^20 and up is taken', () => {
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^10`)).to.equal(
      'a=crypto tag 1: key lifetime 2^10 is below 2^20 packets and we do not re-key during a call',
    );
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|1000`)).to.match(/key lifetime 1000 is below/);
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|forever`)).to.equal('a=crypto tag 1: key lifetime (not shown) is neither 2^N nor a number');
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^64`)).to.match(/beyond SRTP's 2\^48/);
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20`)).to.deep.include({ key: KEY });
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|1048576`)).to.deep.include({ key: KEY });
  });

  it('when a session parameter would weaken SRTP, it is refused; the window-size hint and KDR=0 are taken', () => {
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} UNENCRYPTED_SRTP`)).to.equal('a=crypto tag 1: session parameter "UNENCRYPTED_SRTP" is not supported');
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} WSH=64 UNAUTHENTICATED_SRTP`)).to.match(/UNAUTHENTICATED_SRTP/);
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} KDR=24`)).to.match(/"KDR=24" is not supported/);
    expect(readCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} WSH=128 KDR=0`)).to.deep.include({ tag: 1 });
  });

  it('when a malformed line puts its key in another field, no refusal quotes the key', () => {
    const key = Buffer.from('secret-master-key-and-salt-30b').toString('base64');
    const lines = [
      `1 inline:${key}`,
      `${key} AES_CM_128_HMAC_SHA1_80 inline:${KEY}`,
      `1 AES_CM_128_HMAC_SHA1_80 ${key}`,
      `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|${key}`,
      `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} ${key}`,
      `1 AES_CM_128_HMAC_SHA1_80 inline:${key.slice(0, 30)}`,
    ];
    for (const line of lines) {
      const reason = readCryptoAttribute(line);
      expect(typeof reason, line).to.equal('string');
      expect(typeof reason === 'string' ? reason : '', line).not.to.include(key.slice(0, 12));
    }
    expect(readCryptoAttribute(`1 inline:${key}`)).to.equal('a=crypto tag 1: unknown crypto-suite (not a suite name) (only AES_CM_128_HMAC_SHA1_80)');
  });

  it('when several attributes are offered, the first usable in the offer order is chosen; none usable lists every reason', () => {
    const chosen = chooseCrypto([`1 AES_256_CM_HMAC_SHA1_80 inline:${KEY}`, `2 AES_CM_128_HMAC_SHA1_32 inline:${KEY}`, `3 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`]);
    expect(chosen).to.deep.include({ tag: 3 });
    const none = chooseCrypto([`1 AES_256_CM_HMAC_SHA1_80 inline:${KEY}`, `2 AES_CM_128_HMAC_SHA1_32 inline:${KEY}`]);
    expect(none).to.match(/^a=crypto tag 1: crypto-suite AES_256_CM_HMAC_SHA1_80 .*; a=crypto tag 2: AES_CM_128_HMAC_SHA1_32 is not supported/);
    expect(chooseCrypto([])).to.equal('no a=crypto attribute');
  });

  it('when reading a=crypto lines from SDP, they are grouped by m-line (lines before the first m= are not media\'s)', () => {
    const sdp = ['v=0', 'a=crypto:9 X inline:Y', 'm=audio 1 RTP/SAVP 0', 'a=crypto:1 A inline:B', 'a=crypto:2 C inline:D WSH=1', 'm=video 0 RTP/AVP 96', 'm=audio 2 RTP/AVP 0', 'a=crypto:3 E inline:F', ''].join('\r\n');
    expect(cryptoValuesByMedia(sdp)).to.deep.equal([['1 A inline:B', '2 C inline:D WSH=1'], [], ['3 E inline:F']]);
  });

  it('when making our own key, it is 30 fresh random bytes in base64', () => {
    const a = newSdesKey();
    const b = newSdesKey();
    expect(Buffer.from(a, 'base64')).to.have.length(30);
    expect(a).to.have.length(40);
    expect(a).not.to.equal(b);
  });
});

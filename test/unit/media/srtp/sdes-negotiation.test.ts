import { expect } from 'chai';
import { parse } from 'sdp-transform';
import sinon from 'sinon';
import { MediaError } from '../../../../src/media/media-error.js';
import { SdpNegotiator } from '../../../../src/media/sdp-negotiator.js';
import type { SdesPolicy } from '../../../../src/media/srtp/sdes-crypto.js';

const KEY = Buffer.alloc(30, 0x5a).toString('base64');
const KEY2 = Buffer.alloc(30, 0x33).toString('base64');

function offer(profile: string, crypto: readonly string[], extra: readonly string[] = []): string {
  return [
    'v=0',
    'o=desk 1 1 IN IP4 192.0.2.10',
    's=-',
    'c=IN IP4 192.0.2.10',
    't=0 0',
    `m=audio 49170 ${profile} 0 8 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    ...crypto.map((c) => `a=crypto:${c}`),
    ...extra,
    '',
  ].join('\r\n');
}

function negotiator(transport: string | undefined, policy: SdesPolicy = 'offer'): SdpNegotiator {
  const n = new SdpNegotiator('203.0.113.5', 30000, undefined, policy);
  if (transport !== undefined) n.setSignallingTransport(transport);
  return n;
}

function refusal(fn: () => unknown): MediaError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MediaError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

function answerOf(protocol: string, crypto: readonly string[]): string {
  return [
    'v=0',
    'o=desk 2 2 IN IP4 192.0.2.10',
    's=-',
    'c=IN IP4 192.0.2.10',
    't=0 0',
    `m=audio 49172 ${protocol} 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    ...crypto.map((c) => `a=crypto:${c}`),
    '',
  ].join('\r\n');
}

describe('SdpNegotiator with SDES keys (RFC 4568)', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when a TLS leg offers RTP/SAVP with an 80-bit suite, it answers RTP/SAVP, the same tag, and a fresh key of its own', () => {
    const n = negotiator('tls');
    const { sdp, media } = n.answer(offer('RTP/SAVP', [`7 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`]));
    const m = parse(sdp).media[0];
    expect(m?.protocol).to.equal('RTP/SAVP');
    expect(m?.crypto).to.have.length(1);
    const ours = m?.crypto?.[0];
    expect(ours?.id).to.equal(7);
    expect(ours?.suite).to.equal('AES_CM_128_HMAC_SHA1_80');
    const ourKey = ours?.config.replace(/^inline:/, '') ?? '';
    expect(Buffer.from(ourKey, 'base64')).to.have.length(30);
    expect(ourKey).not.to.equal(KEY);
    expect(media.sdes).to.deep.equal({ suite: 'AES_CM_128_HMAC_SHA1_80', tag: 7, localKey: ourKey, remoteKey: KEY });
    expect(media.codec).to.equal('PCMU');
  });

  it('when two sessions answer the same offer, their keys differ (random per session, never a constant)', () => {
    const a = negotiator('tls').answer(offer('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`])).media.sdes;
    const b = negotiator('tls').answer(offer('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`])).media.sdes;
    expect(a?.localKey).not.to.equal(b?.localKey);
  });

  it('when the offer lists the 32-bit suite first and the 80-bit one second, it answers the 80-bit one with its tag', () => {
    const { media } = negotiator('tls').answer(offer('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_32 inline:${KEY2}`, `2 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`]));
    expect(media.sdes).to.deep.include({ tag: 2, remoteKey: KEY });
  });

  it('when RTP/SAVP keys arrive over UDP or TCP, it refuses (488) and says keys in clear protect nothing', () => {
    for (const transport of ['udp', 'tcp', 'ws']) {
      const err = refusal(() => negotiator(transport).answer(offer('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`])));
      expect(err.code).to.equal('SDP_SRTP_REFUSED');
      expect(err.message).to.include(`came over ${transport}`);
      expect(err.message).to.include('keys sent in clear protect nothing');
      expect(err.message).not.to.include(KEY);
    }
  });

  it('when the signalling transport was never told, RTP/SAVP keys are refused too', () => {
    const err = refusal(() => negotiator(undefined).answer(offer('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`])));
    expect(err.code).to.equal('SDP_SRTP_REFUSED');
  });

  it('when RTP/AVP with a=crypto (best effort) arrives over UDP, it answers plain RTP/AVP without a=crypto and notes why', () => {
    const { sdp, media, sdesIgnored } = negotiator('udp').answer(offer('RTP/AVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`]));
    const m = parse(sdp).media[0];
    expect(m?.protocol).to.equal('RTP/AVP');
    expect(m?.crypto).to.equal(undefined);
    expect(media.sdes).to.equal(undefined);
    expect(sdesIgnored).to.match(/a=crypto over udp ignored/);
  });

  it('when RTP/AVP with a=crypto arrives over TLS, it answers RTP/AVP with a=crypto: SRTP', () => {
    const { sdp, media } = negotiator('tls').answer(offer('RTP/AVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`]));
    expect(parse(sdp).media[0]?.protocol).to.equal('RTP/AVP');
    expect(parse(sdp).media[0]?.crypto?.[0]?.id).to.equal(1);
    expect(media.sdes?.remoteKey).to.equal(KEY);
  });

  it('when RTP/SAVPF without a fingerprint offers a=crypto over TLS, it answers RTP/SAVPF with SDES', () => {
    const { sdp, media } = negotiator('tls').answer(offer('RTP/SAVPF', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`]));
    expect(parse(sdp).media[0]?.protocol).to.equal('RTP/SAVPF');
    expect(media.sdes).not.to.equal(undefined);
  });

  it('when RTP/SAVP offers a fingerprint and no a=crypto, it is refused as DTLS-SRTP without ICE', () => {
    const err = refusal(() => negotiator('tls').answer(offer('RTP/SAVP', [], ['a=fingerprint:sha-256 AB:CD', 'a=setup:actpass'])));
    expect(err.code).to.equal('SDP_SRTP_REFUSED');
    expect(err.message).to.include('DTLS-SRTP (a=fingerprint) without ICE is not supported');
  });

  it('when every a=crypto of an RTP/SAVP offer is unusable, the 488 reason names each tag and what is wrong', () => {
    const bad = [
      `1 AES_CM_128_HMAC_SHA1_32 inline:${KEY}`,
      '2 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=',
      `3 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|1:4`,
      `4 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^8`,
      '5 NOPE_SUITE inline:x',
      '6 AES_CM_128_HMAC_SHA1_80 inline:%%%%',
    ];
    const err = refusal(() => negotiator('tls').answer(offer('RTP/SAVP', bad)));
    expect(err.code).to.equal('SDP_SRTP_REFUSED');
    expect(err.message).to.match(/^SDP offer: RTP\/SAVP: a=crypto tag 1: AES_CM_128_HMAC_SHA1_32 is not supported/);
    expect(err.message).to.include('tag 2: the key||salt is 5 bytes');
    expect(err.message).to.include('tag 3: an MKI');
    expect(err.message).to.include('tag 4: key lifetime 2^8 is below');
    expect(err.message).to.include('tag 5: unknown crypto-suite "NOPE_SUITE"');
    expect(err.message).to.include('tag 6: the key is not base64');
  });

  it('when RTP/SAVP has no a=crypto at all, it is refused naming the missing keys', () => {
    const err = refusal(() => negotiator('tls').answer(offer('RTP/SAVP', [])));
    expect(err.message).to.equal('SDP offer: RTP/SAVP: no a=crypto attribute (SDES keys)');
  });

  it('when SRTP_SDES is off, RTP/SAVP is refused naming the setting and a=crypto on RTP/AVP is ignored', () => {
    const err = refusal(() => negotiator('tls', 'off').answer(offer('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`])));
    expect(err.message).to.include('SRTP_SDES=off');
    const { media, sdesIgnored } = negotiator('tls', 'off').answer(offer('RTP/AVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`]));
    expect(media.sdes).to.equal(undefined);
    expect(sdesIgnored).to.include('SRTP_SDES=off');
  });

  it('when SRTP_SDES is require, a TLS offer of plain RTP is refused, and one over UDP is still answered plain', () => {
    const err = refusal(() => negotiator('tls', 'require').answer(offer('RTP/AVP', [])));
    expect(err.code).to.equal('SDP_SRTP_REFUSED');
    expect(err.message).to.include('SRTP_SDES=require');
    expect(negotiator('udp', 'require').answer(offer('RTP/AVP', [])).media.codec).to.equal('PCMU');
  });

  it('when an offer has a refused RTP/SAVP line and a plain RTP/AVP one, the plain line is answered and the other rejected', () => {
    const sdp = [
      'v=0', 'o=desk 1 1 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0',
      'm=audio 49170 RTP/SAVP 0', 'a=rtpmap:0 PCMU/8000', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`,
      'm=audio 49172 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', '',
    ].join('\r\n');
    const { sdp: answer, media } = negotiator('udp').answer(sdp);
    const lines = parse(answer).media;
    expect(lines.map((l) => l.port)).to.deep.equal([0, 30000]);
    expect(media.remote?.port).to.equal(49172);
    expect(media.sdes).to.equal(undefined);
  });

  it('when a re-INVITE keeps the remote key, our key stays; a new remote key gets a new key of ours', () => {
    const n = negotiator('tls');
    const first = n.answer(offer('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`])).media.sdes;
    const same = n.answer(offer('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`])).media.sdes;
    expect(same?.localKey).to.equal(first?.localKey);
    const rekeyed = n.answer(offer('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY2}`])).media.sdes;
    expect(rekeyed?.localKey).not.to.equal(first?.localKey);
    expect(rekeyed?.remoteKey).to.equal(KEY2);
  });

  describe('our offers', () => {
    it('when SRTP_SDES is offer and the leg is TLS, we offer RTP/AVP with one 80-bit a=crypto of a fresh key', () => {
      const sdp = negotiator('tls', 'offer').offer();
      const m = parse(sdp).media[0];
      expect(m?.protocol).to.equal('RTP/AVP');
      expect(m?.crypto?.[0]?.id).to.equal(1);
      expect(m?.crypto?.[0]?.suite).to.equal('AES_CM_128_HMAC_SHA1_80');
      expect(Buffer.from(m?.crypto?.[0]?.config.replace('inline:', '') ?? '', 'base64')).to.have.length(30);
    });

    it('when SRTP_SDES is require, we offer RTP/SAVP; when off, or the leg is not TLS, plain RTP/AVP without keys', () => {
      expect(parse(negotiator('tls', 'require').offer()).media[0]?.protocol).to.equal('RTP/SAVP');
      for (const [transport, policy] of [['tls', 'off'], ['udp', 'require'], ['tcp', 'offer'], ['wss', 'offer']] as const) {
        const m = parse(negotiator(transport, policy).offer()).media[0];
        expect(m?.protocol, `${transport} ${policy}`).to.equal('RTP/AVP');
        expect(m?.crypto, `${transport} ${policy}`).to.equal(undefined);
      }
    });

    it('when the answer echoes our tag with its own key, SRTP runs with our offered key and theirs', () => {
      const n = negotiator('tls', 'offer');
      const ours = parse(n.offer()).media[0]?.crypto?.[0]?.config.replace('inline:', '');
      const media = n.acceptAnswer(answerOf('RTP/AVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`]));
      expect(media.sdes).to.deep.equal({ suite: 'AES_CM_128_HMAC_SHA1_80', tag: 1, localKey: ours, remoteKey: KEY });
    });

    it('when a best-effort offer is answered without a=crypto, media is plain; under require it is refused', () => {
      const n = negotiator('tls', 'offer');
      n.offer();
      expect(n.acceptAnswer(answerOf('RTP/AVP', [])).sdes).to.equal(undefined);
      const r = negotiator('tls', 'require');
      r.offer();
      const err = refusal(() => r.acceptAnswer(answerOf('RTP/SAVP', [])));
      expect(err.code).to.equal('SDP_SRTP_REFUSED');
      expect(err.message).to.include('SRTP_SDES=require');
    });

    it('when the answer has another tag, a bad key or two a=crypto lines, it is refused naming the problem', () => {
      const cases: [string[], RegExp][] = [
        [[`9 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`], /tag 9 is not the tag we offered \(1\)/],
        [['1 AES_CM_128_HMAC_SHA1_80 inline:short'], /the key\|\|salt is 3 bytes/],
        [[`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`, `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY2}`], /more than one a=crypto/],
      ];
      for (const [crypto, reason] of cases) {
        const n = negotiator('tls', 'offer');
        n.offer();
        const err = refusal(() => n.acceptAnswer(answerOf('RTP/AVP', crypto)));
        expect(err.code).to.equal('SDP_SRTP_REFUSED');
        expect(err.message).to.match(reason);
      }
    });

    it('when a re-offer is made during SRTP, it keeps our key so the stream goes on', () => {
      const n = negotiator('tls', 'offer');
      const first = parse(n.offer()).media[0]?.crypto?.[0]?.config;
      n.acceptAnswer(answerOf('RTP/AVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`]));
      expect(parse(n.offer()).media[0]?.crypto?.[0]?.config).to.equal(first);
    });
  });
});

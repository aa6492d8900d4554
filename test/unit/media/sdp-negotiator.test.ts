import { expect } from 'chai';
import { parse } from 'sdp-transform';
import sinon from 'sinon';
import { MediaError } from '../../../src/media/media-error.js';
import { SdpNegotiator } from '../../../src/media/sdp-negotiator.js';

interface OfferOptions {
  ip?: string;
  port?: number;
  payloads?: string;
  attrs?: string[];
  extraMedia?: string[];
}

function offer(o: OfferOptions = {}): string {
  const ip = o.ip ?? '192.0.2.10';
  return [
    'v=0',
    `o=alice 2890844526 2890844526 IN IP4 ${ip}`,
    's=-',
    `c=IN IP4 ${ip}`,
    't=0 0',
    ...(o.extraMedia ?? []),
    `m=audio ${o.port ?? 49170} RTP/AVP ${o.payloads ?? '0 8 101'}`,
    ...(o.attrs ?? ['a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15']),
    '',
  ].join('\r\n');
}

function errorOf(fn: () => unknown): MediaError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MediaError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('SdpNegotiator', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when the offer lists PCMA first, it answers PCMA with our public address, port and ptime 20', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000);
    const { sdp, media } = n.answer(offer({ payloads: '8 0 101' }));
    expect(media).to.deep.include({ codec: 'PCMA', payloadType: 8, dtmfPayloadType: 101, direction: 'sendrecv', held: false });
    expect(media.remote).to.deep.equal({ address: '192.0.2.10', port: 49170 });
    const answer = parse(sdp);
    expect(answer.origin.address).to.equal('203.0.113.5');
    expect(answer.connection?.ip).to.equal('203.0.113.5');
    const m = answer.media[0];
    expect(m?.port).to.equal(30000);
    expect(m?.payloads).to.equal('8 101');
    expect(m?.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate ?? ''}`)).to.deep.equal(['8 PCMA/8000', '101 telephone-event/8000']);
    expect(m?.fmtp).to.deep.equal([{ payload: 101, config: '0-15' }]);
    expect(m?.ptime).to.equal(20);
    expect(m?.direction).to.equal('sendrecv');
  });

  it('when asked for a WebRTC offer without a DTLS certificate (WEBRTC_MEDIA=false), it offers plain RTP for a WebSocket phone that speaks it', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000);
    const sdp = n.offer({ webrtc: true });
    expect(sdp).to.match(/m=audio 30000 RTP\/AVP 0 8 101/);
    expect(sdp).not.to.match(/SAVPF|fingerprint|ice-/);
  });

  it('when the offer has only G.729, it throws SDP_NO_COMMON_CODEC', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000);
    const err = errorOf(() => n.answer(offer({ payloads: '18', attrs: ['a=rtpmap:18 G729/8000'] })));
    expect(err.code).to.equal('SDP_NO_COMMON_CODEC');
  });

  it('when telephone-event is offered as payload type 96, it answers with 96', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000);
    const { sdp, media } = n.answer(offer({ payloads: '0 96', attrs: ['a=rtpmap:96 telephone-event/8000'] }));
    expect(media.dtmfPayloadType).to.equal(96);
    expect(parse(sdp).media[0]?.payloads).to.equal('0 96');
  });

  it('when PCMU is offered under a dynamic payload type, it finds it by rtpmap name', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000);
    const { media } = n.answer(offer({ payloads: '18 110', attrs: ['a=rtpmap:18 G729/8000', 'a=rtpmap:110 pcmu/8000'] }));
    expect(media).to.deep.include({ codec: 'PCMU', payloadType: 110, dtmfPayloadType: undefined });
  });

  it('when the offer is sendonly (hold), it answers recvonly and marks the stream held', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000);
    const { sdp, media } = n.answer(offer({ attrs: ['a=sendonly'] }));
    expect(parse(sdp).media[0]?.direction).to.equal('recvonly');
    expect(media).to.deep.include({ direction: 'recvonly', held: true });
  });

  it('when the offer is recvonly or inactive, it answers sendonly or inactive', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000);
    expect(parse(n.answer(offer({ attrs: ['a=recvonly'] })).sdp).media[0]?.direction).to.equal('sendonly');
    expect(parse(n.answer(offer({ attrs: ['a=inactive'] })).sdp).media[0]?.direction).to.equal('inactive');
  });

  it('when the offer has c=0.0.0.0 (RFC 2543 hold), it marks the stream held', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000);
    expect(n.answer(offer({ ip: '0.0.0.0' })).media.held).to.equal(true);
  });

  it('when the offer is garbage or has no audio, it throws SDP_INVALID', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000);
    expect(errorOf(() => n.answer('this is not sdp')).code).to.equal('SDP_INVALID');
    const video = offer().replace('m=audio', 'm=video');
    expect(errorOf(() => n.answer(video)).code).to.equal('SDP_INVALID');
  });

  it('when the offer has a video stream before audio, it rejects video with port 0 and answers audio', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000);
    const { sdp } = n.answer(offer({ extraMedia: ['m=video 49172 RTP/AVP 31'] }));
    const media = parse(sdp).media;
    expect(media.map((m) => `${m.type} ${m.port}`)).to.deep.equal(['video 0', 'audio 30000']);
  });

  it('when the audio port is 0, it answers port 0 and negotiates no codec', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000);
    const { sdp, media } = n.answer(offer({ port: 0 }));
    expect(parse(sdp).media[0]?.port).to.equal(0);
    expect(media).to.deep.include({ codec: undefined, direction: 'inactive', remote: undefined });
  });

  it('when creating an offer, it lists 0 8 101 with rtpmaps and fmtp 0-16', () => {
    const n = new SdpNegotiator('203.0.113.5', 30002);
    const m = parse(n.offer()).media[0];
    expect(m?.payloads).to.equal('0 8 101');
    expect(m?.port).to.equal(30002);
    expect(m?.rtp.map((r) => r.codec)).to.deep.equal(['PCMU', 'PCMA', 'telephone-event']);
    expect(m?.fmtp).to.deep.equal([{ payload: 101, config: '0-16' }]);
    expect(m?.direction).to.equal('sendrecv');
  });

  it('when the answer picks PCMA, it applies the remote choice', () => {
    const n = new SdpNegotiator('203.0.113.5', 30002);
    n.offer();
    const media = n.acceptAnswer(offer({ payloads: '8 101' }));
    expect(media).to.deep.include({ codec: 'PCMA', payloadType: 8, dtmfPayloadType: 101 });
  });

  it('when producing SDP repeatedly, it keeps the o= session id and increments the version', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000);
    const a = parse(n.offer()).origin;
    const b = parse(n.answer(offer()).sdp).origin;
    expect(b.sessionId).to.equal(a.sessionId);
    expect(b.sessionVersion).to.equal(a.sessionVersion + 1);
  });
});

const FINGERPRINT = { algorithm: 'sha-256', value: Array.from({ length: 32 }, (_, i) => (i + 16).toString(16).toUpperCase()).join(':') };
const BROWSER_FP = Array.from({ length: 32 }, () => '9A').join(':');

/** An offer as Chrome writes it for an audio-only call (trimmed of what we ignore). */
function chromeOffer(o: { setup?: string; fingerprint?: boolean; ufrag?: string } = {}): string {
  return [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=msid-semantic: WMS',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=candidate:1 1 udp 2122260223 192.0.2.33 53530 typ host generation 0',
    `a=ice-ufrag:${o.ufrag ?? 'Hd3t'}`,
    'a=ice-pwd:Ur0sSxcnLzrh6y0XkcYq9rlc',
    'a=ice-options:trickle',
    ...(o.fingerprint === false ? [] : [`a=fingerprint:sha-256 ${BROWSER_FP}`]),
    `a=setup:${o.setup ?? 'actpass'}`,
    'a=mid:0',
    'a=sendrecv',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=rtpmap:63 red/48000/2',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    '',
  ].join('\r\n');
}

describe('SdpNegotiator with WebRTC (UDP/TLS/RTP/SAVPF)', () => {
  it('when a browser offers, it answers PCMU and telephone-event/8000 as an ICE-lite DTLS server with rtcp-mux and the offer’s mid', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000, FINGERPRINT);
    const { sdp, media } = n.answer(chromeOffer());
    const answer = parse(sdp);
    const m = answer.media[0];
    expect(answer.icelite).to.equal('ice-lite');
    expect(answer.groups?.map((g) => `${g.type} ${g.mids}`)).to.deep.equal(['BUNDLE 0']);
    expect(m?.protocol).to.equal('UDP/TLS/RTP/SAVPF');
    expect(m?.payloads).to.equal('0 126');
    expect(m?.setup).to.equal('passive');
    expect(m?.rtcpMux).to.equal('rtcp-mux');
    expect(String(m?.mid)).to.equal('0');
    expect(m?.fingerprint).to.deep.equal({ type: 'sha-256', hash: FINGERPRINT.value });
    expect(m?.candidates?.[0]).to.include({ ip: '203.0.113.5', port: 30000, type: 'host', transport: 'udp' });
    expect(m?.iceUfrag).to.have.length.of.at.least(4);
    expect(m?.icePwd).to.have.length.of.at.least(22);
    expect(media.codec).to.equal('PCMU');
    expect(media.dtmfPayloadType).to.equal(126);
    // c=0.0.0.0 of a browser is not a hold, and its address is not where media goes (ICE decides).
    expect(media.held).to.equal(false);
    expect(media.remote).to.equal(undefined);
    expect(media.webrtc).to.deep.include({ remoteUfrag: 'Hd3t', remotePwd: 'Ur0sSxcnLzrh6y0XkcYq9rlc', dtlsRole: 'server' });
    expect(media.webrtc?.remoteFingerprints).to.deep.equal([{ algorithm: 'sha-256', value: BROWSER_FP }]);
    expect(media.webrtc?.localUfrag).to.equal(m?.iceUfrag);
  });

  it('when a browser offers setup:passive, we are the DTLS client and answer active', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000, FINGERPRINT);
    const { sdp, media } = n.answer(chromeOffer({ setup: 'passive' }));
    expect(parse(sdp).media[0]?.setup).to.equal('active');
    expect(media.webrtc?.dtlsRole).to.equal('client');
  });

  it('when a browser’s ufrag is all digits, it is still read as text', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000, FINGERPRINT);
    expect(n.answer(chromeOffer({ ufrag: '8675' })).media.webrtc?.remoteUfrag).to.equal('8675');
  });

  it('when a WebRTC offer has no DTLS fingerprint, it throws SDP_INVALID naming the field', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000, FINGERPRINT);
    const err = errorOf(() => n.answer(chromeOffer({ fingerprint: false })));
    expect(err.code).to.equal('SDP_INVALID');
    expect(err.message).to.contain('fingerprint');
  });

  it('when the engine has no DTLS certificate, a WebRTC offer has no common codec (488)', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000);
    expect(errorOf(() => n.answer(chromeOffer())).code).to.equal('SDP_NO_COMMON_CODEC');
  });

  it('when we offer WebRTC, a plain RTP/AVP answer is refused, and a WebRTC one sets our role from its setup', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000, FINGERPRINT);
    const offer = parse(n.offer({ webrtc: true }));
    expect(offer.icelite).to.equal('ice-lite');
    expect(offer.media[0]?.setup).to.equal('actpass');
    expect(offer.media[0]?.protocol).to.equal('UDP/TLS/RTP/SAVPF');
    const plain = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
    expect(errorOf(() => n.acceptAnswer(plain)).code).to.equal('SDP_NO_COMMON_CODEC');
    const answer = chromeOffer({ setup: 'active' }).replace('111 63 9 0 8 13 110 126', '0 126');
    expect(n.acceptAnswer(answer).webrtc?.dtlsRole).to.equal('server');
  });

  it('when the stream is WebRTC, an offer asked for without options (offerless re-INVITE) stays WebRTC', () => {
    const n = new SdpNegotiator('203.0.113.5', 30000, FINGERPRINT);
    n.answer(chromeOffer());
    expect(n.offer()).to.contain('UDP/TLS/RTP/SAVPF');
    const plainOnly = new SdpNegotiator('203.0.113.5', 30002, FINGERPRINT);
    expect(plainOnly.offer()).to.contain('RTP/AVP').and.not.contain('SAVPF');
  });
});

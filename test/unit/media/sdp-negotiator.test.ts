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

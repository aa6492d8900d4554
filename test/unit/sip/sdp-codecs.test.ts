import { expect } from 'chai';
import { restrictCodecs } from '../../../src/sip/sdp-codecs.js';

const OFFER = ['v=0', 'o=- 1 1 IN IP4 203.0.113.9', 's=-', 'c=IN IP4 203.0.113.9', 't=0 0', 'm=audio 30000 RTP/AVP 0 8 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=sendrecv', ''].join('\r\n');

describe('restrictCodecs (a trunk\'s codecs applied to an offer)', () => {
  it('when the trunk allows PCMA only, PCMU leaves the m= line and its rtpmap; telephone-event stays', () => {
    const { sdp, usable } = restrictCodecs(OFFER, ['PCMA']);
    expect(usable).to.equal(true);
    expect(sdp).to.include('m=audio 30000 RTP/AVP 8 101\r\n');
    expect(sdp).not.to.include('PCMU');
    expect(sdp).to.include('a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15');
  });

  it('when the offer has none of the allowed codecs (static types without rtpmap too), it is not usable', () => {
    const pcmuOnly = OFFER.replace('RTP/AVP 0 8 101', 'RTP/AVP 0 101').replace('a=rtpmap:8 PCMA/8000\r\n', '').replace('a=rtpmap:0 PCMU/8000\r\n', '');
    const { sdp, usable } = restrictCodecs(pcmuOnly, ['PCMA']);
    expect(usable).to.equal(false);
    expect(sdp).to.include('m=audio 30000 RTP/AVP 101\r\n');
  });

  it('when both codecs are allowed, the offer is unchanged', () => {
    expect(restrictCodecs(OFFER, ['PCMU', 'PCMA'])).to.deep.equal({ sdp: OFFER, usable: true });
  });
});

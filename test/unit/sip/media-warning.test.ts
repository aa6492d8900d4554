import { expect } from 'chai';
import { MediaError } from '../../../src/media/media-error.js';
import { srtpWarningHeader } from '../../../src/sip/media-warning.js';

describe('srtpWarningHeader', () => {
  it('when media refused an SRTP offer, the 488 gets Warning 399 with the reason in printable ASCII', () => {
    const err = new MediaError('SDP_SRTP_REFUSED', 'SDP offer: RTP/SAVP with SDES keys (a=crypto) came over udp: keys sent in clear protect nothing (RFC 4568 §8.3), use "TLS"');
    expect(srtpWarningHeader(err)).to.deep.equal({
      warning: '399 hotline "SDP offer: RTP/SAVP with SDES keys (a=crypto) came over udp: keys sent in clear protect nothing (RFC 4568 section 8.3), use TLS"',
    });
  });

  it('when the refusal is of another kind, there is no Warning (its wording is for our log)', () => {
    expect(srtpWarningHeader(new MediaError('SDP_ADDRESS_REFUSED', 'connection address 10.0.0.1 is multicast'))).to.equal(undefined);
  });

  it('when the reason is long, the warn-text is cut to 200 characters', () => {
    const header = srtpWarningHeader(new MediaError('SDP_SRTP_REFUSED', 'x'.repeat(500)));
    expect(header?.warning).to.have.length('399 hotline ""'.length + 200);
  });
});

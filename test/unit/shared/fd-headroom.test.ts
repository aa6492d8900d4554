import { expect } from 'chai';
import { fdHeadroomWarning } from '../../../src/shared/fd-headroom.js';

const limits = (soft: string): (() => string) => () =>
  `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 1048576              files\n`;

describe('descriptor headroom', () => {
  it('when connection limits and RTP ports exceed the open-file limit, it warns naming the keys', () => {
    const warning = fdHeadroomWarning({ sipTcp: 2000, http: 1000, rtpPorts: 1000 }, limits('1024'));
    expect(warning).to.contain('open-file limit 1024').and.to.contain('SIP_TCP_MAX_CONNECTIONS 2000');
  });

  it('when they fit, or the limit cannot be read, it says nothing', () => {
    expect(fdHeadroomWarning({ sipTcp: 2000, http: 1000, rtpPorts: 1000 }, limits('65536'))).to.equal(undefined);
    expect(fdHeadroomWarning({ sipTcp: 2000, http: 1000, rtpPorts: 1000 }, limits('unlimited'))).to.equal(undefined);
    expect(fdHeadroomWarning({ sipTcp: 1, http: 1, rtpPorts: 1 }, () => { throw new Error('no /proc'); })).to.equal(undefined);
  });
});

import { expect } from 'chai';
import { parseInfoDtmf } from '../../../src/sip/info-dtmf.js';
import { validateMessage } from '../../../src/sip/request-validator.js';
import { isHoldSdp } from '../../../src/sip/sdp-hold.js';
import { StreamFramer } from '../../../src/sip/stream-framer.js';
import type { Endpoint } from '../../../src/sip/sip-types.js';
import { OFFER } from './test-call.js';

const source: Endpoint = { transport: 'udp', address: '10.0.0.9', port: 5070 };
const invite = (extra = ''): string =>
  [
    'INVITE sip:12345@10.0.0.1 SIP/2.0',
    'Via: SIP/2.0/UDP 192.168.1.2:5060;branch=z9hG4bKabc;rport',
    'From: "李四" <sip:13900001111@example.org>;tag=f1',
    'To: <sip:12345@10.0.0.1>',
    'Call-ID: c1@x',
    'CSeq: 7 INVITE',
    extra,
    'Content-Length: 0',
    '',
    '',
  ].filter((l, i, a) => l !== '' || i >= a.length - 2).join('\r\n');

describe('SIP message parsing', () => {
  it('when a request arrives from a NATed source, it stamps received and rport on the top Via', () => {
    const r = validateMessage(Buffer.from(invite(), 'utf8'), source);
    expect(r.kind).to.equal('request');
    if (r.kind !== 'request') return;
    expect(r.request.topVia.params).to.include({ received: '10.0.0.9', rport: '5070' });
    expect(r.request.cseq).to.deep.equal({ seq: 7, method: 'INVITE' });
  });

  it('when the CSeq method differs from the request method, it refuses 400 CSeq Method Mismatch', () => {
    const r = validateMessage(Buffer.from(invite().replace('7 INVITE', '7 BYE'), 'utf8'), source);
    expect(r.kind === 'refuse' && r.reply.status === 400 && r.reply.reason).to.equal('CSeq Method Mismatch');
  });

  it('when the From tag is missing, it refuses 400 Missing From Tag', () => {
    const r = validateMessage(Buffer.from(invite().replace(';tag=f1', ''), 'utf8'), source);
    expect(r.kind === 'refuse' && r.reply.reason).to.equal('Missing From Tag');
  });

  it('when Call-ID is missing, it drops the message (nothing to answer with)', () => {
    const r = validateMessage(Buffer.from(invite().replace('Call-ID: c1@x\r\n', ''), 'utf8'), source);
    expect(r.kind).to.equal('drop');
  });

  it('when a TCP stream carries two messages and a split body, it frames them by Content-Length', () => {
    const framer = new StreamFramer();
    const body = 'v=0 中文';
    const msg = `OPTIONS sip:a@b SIP/2.0\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const all = Buffer.from(`\r\n\r\n${msg}${msg}`, 'utf8');
    const first = framer.push(all.subarray(0, all.length - 3));
    const second = framer.push(all.subarray(all.length - 3));
    expect(first).to.have.length(1);
    expect(second).to.have.length(1);
    expect(second?.[0]?.toString('utf8').endsWith(body)).to.equal(true);
    expect(new StreamFramer(100).push(Buffer.alloc(200, 0x41))).to.equal(undefined);
  });

  it('when INFO bodies carry digits, it reads dtmf-relay and dtmf, maps 10/11 to * and #', () => {
    expect(parseInfoDtmf('application/dtmf-relay', 'Signal=5\r\nDuration=160')).to.equal('5');
    expect(parseInfoDtmf('application/dtmf-relay', 'Signal=11\r\n')).to.equal('#');
    expect(parseInfoDtmf('application/dtmf', '*')).to.equal('*');
    expect(parseInfoDtmf('application/dtmf', 'x')).to.equal(undefined);
    expect(parseInfoDtmf('text/plain', '5')).to.equal(null);
  });

  it('when an offer is sendonly, inactive or 0.0.0.0, it counts as hold', () => {
    expect(isHoldSdp(OFFER)).to.equal(false);
    expect(isHoldSdp(OFFER.replace('sendrecv', 'sendonly'))).to.equal(true);
    expect(isHoldSdp(OFFER.replace('sendrecv', 'inactive'))).to.equal(true);
    expect(isHoldSdp(OFFER.replace('c=IN IP4 127.0.0.1', 'c=IN IP4 0.0.0.0'))).to.equal(true);
  });
});

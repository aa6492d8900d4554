import { expect } from 'chai';
import { parse as packageParse } from 'sip';
import { parseSipMessage } from '../../../src/sip/sip-parser.js';

/**
 * The parser promises the `sip` package's shapes (sip-parser.ts): on well-formed messages of every
 * kind the engine meets (sipp, baresip, desk phones, trunks, our own responses) both must read the same
 * thing, so a speed-up of ours cannot change what the layers above see. Folded lines are left out:
 * the package keeps the fold inside the value, ours unfolds it as RFC 3261 §7.3.1 says.
 */
const SDP = ['v=0', 'o=bench 53655765 2353687637 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 6000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=ptime:20', 'a=sendrecv', ''].join('\r\n');

const msg = (lines: readonly string[], body = ''): string => `${lines.join('\r\n')}\r\n\r\n${body}`;

const CORPUS: readonly [string, string][] = [
  [
    'sipp INVITE with SDP',
    msg([
      'INVITE sip:12345@127.0.0.1:5060 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-1-0',
      'From: "bench" <sip:bench@127.0.0.1:5061>;tag=4242SIPpTag001',
      'To: <sip:12345@127.0.0.1:5060>',
      'Call-ID: 1-4242@127.0.0.1',
      'CSeq: 1 INVITE',
      'Contact: <sip:bench@127.0.0.1:5061;transport=UDP>',
      'Max-Forwards: 70',
      'User-Agent: sipp-bench',
      'Content-Type: application/sdp',
      `Content-Length: ${SDP.length}`,
    ], SDP),
  ],
  [
    'ACK and BYE with To tags',
    msg([
      'BYE sip:12345@127.0.0.1:5060 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-1-5;rport',
      'From: "bench" <sip:bench@127.0.0.1:5061>;tag=4242SIPpTag001',
      'To: <sip:12345@127.0.0.1:5060>;tag=a1b2c3d4e5f6',
      'Call-ID: 1-4242@127.0.0.1',
      'CSeq: 2 BYE',
      'Max-Forwards: 70',
      'Content-Length: 0',
    ]),
  ],
  [
    'baresip INVITE: compact forms, several Vias, Supported and Allow lists, quoted UTF-8 name',
    msg([
      'INVITE sip:12345@10.0.0.1;transport=udp SIP/2.0',
      'v: SIP/2.0/UDP 192.168.1.2:5062;branch=z9hG4bKaa;rport=5062;received=10.9.9.9',
      'Via: SIP/2.0/TCP proxy.example.org:5060;branch=z9hG4bKbb, SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKcc',
      'Max-Forwards: 70',
      'f: "\xe5\xbc\xa0 \\"\xe4\xb8\x89\\"" <sip:8001@10.0.0.1>;tag=abc;x-flag',
      't: <sip:12345@10.0.0.1>',
      'i: 7d6c@192.168.1.2',
      'CSeq: 42 INVITE',
      'm: <sip:8001@192.168.1.2:5062;transport=udp>;expires=3600;+sip.instance="<urn:uuid:1234>"',
      'Allow: INVITE,ACK,BYE,CANCEL,OPTIONS,NOTIFY,SUBSCRIBE,INFO,MESSAGE,REFER,UPDATE',
      'Allow: PRACK',
      'k: replaces, norefersub',
      'c: application/sdp',
      `l: ${SDP.length}`,
    ], SDP),
  ],
  [
    'REGISTER with digest Authorization and several Contacts',
    msg([
      'REGISTER sip:10.0.0.1 SIP/2.0',
      'Via: SIP/2.0/UDP 192.168.1.2:5062;branch=z9hG4bKreg;rport',
      'From: <sip:8001@10.0.0.1>;tag=r1',
      'To: <sip:8001@10.0.0.1>',
      'Call-ID: reg-1@x',
      'CSeq: 3 REGISTER',
      'Contact: <sip:8001@192.168.1.2:5062>;expires=60, "Desk" <sip:8001@192.168.1.3>;q=0.5, sip:8001@192.168.1.4',
      'Authorization: Digest username="8001", realm="hotline12345", nonce="18f2.ab", uri="sip:10.0.0.1", response="0123456789abcdef0123456789abcdef", algorithm=MD5, qop=auth, nc=00000001, cnonce="xyz"',
      'Expires: 60',
      'Content-Length: 0',
    ]),
  ],
  [
    '401 with WWW-Authenticate and Proxy-Authenticate, a status reason with spaces',
    msg([
      'SIP/2.0 401 Unauthorized Here',
      'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKout;rport=5060;received=10.0.0.1',
      'From: <sip:12345@10.0.0.1>;tag=o1',
      'To: <sip:trunk@10.0.0.5>;tag=t9',
      'Call-ID: out-1@10.0.0.1',
      'CSeq: 1 INVITE',
      'WWW-Authenticate: Digest realm="trunk", nonce="abc", qop="auth", stale=FALSE',
      'Proxy-Authenticate: Digest realm="p", nonce="n2"',
      'Authentication-Info: nextnonce="n3", qop=auth',
      'Content-Length: 0',
    ]),
  ],
  [
    '200 OK with Record-Route, Route, Path and Refer-To',
    msg([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKout',
      'Record-Route: <sip:10.0.0.50;lr>, <sip:edge.example.org;lr;ftag=x>',
      'Record-Route: <sip:10.0.0.51:5070;lr;transport=tcp>',
      'Route: <sip:user:pw@10.0.0.60:5080;lr?h=v&i=w>',
      'Path: <sip:10.0.0.70;lr>',
      'Refer-To: <sip:8002@10.0.0.1?Replaces=abc>',
      'From: <sip:12345@10.0.0.1>;tag=o1',
      'To: "Agent" <sip:8001@10.0.0.1>;tag=t2',
      'Call-ID: out-2@10.0.0.1',
      'CSeq: 1 INVITE',
      'Contact: <sip:8001@192.168.1.2:5062>',
      'Content-Type: application/sdp',
      `Content-Length: ${SDP.length}`,
    ], SDP),
  ],
  [
    'INFO with dtmf-relay, header names in odd case, a percent-escaped header name, spaces around colons',
    msg([
      'INFO sip:12345@10.0.0.1 SIP/2.0',
      'VIA  :  SIP / 2.0 / UDP 10.0.0.9 : 5070 ; branch = z9hG4bKinfo ; rport',
      'from:<sip:a@b>;tag=1',
      'TO:sip:12345@10.0.0.1;tag=2',
      'call-ID: info-1',
      'cseq: 9 INFO',
      'X-Custom: one',
      'x-custom: two',
      'X-%41b: escaped',
      'Content-Type: application/dtmf-relay',
      'Content-Length: 26',
    ], 'Signal=5\r\nDuration=160\r\n'),
  ],
  [
    'a body longer than Content-Length and a Content-Length of 0 with a body',
    msg(['OPTIONS sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bKo', 'Call-ID: o', 'CSeq: 1 OPTIONS', 'Content-Length: 3'], 'abcdef'),
  ],
  ['Content-Length 0 and a body', msg(['OPTIONS sip:a@b SIP/2.0', 'Call-ID: o', 'Content-Length: 0'], 'xyz')],
  ['Contact: * and an Expires: 0', msg(['REGISTER sip:a SIP/2.0', 'Contact: *', 'Expires: 0', 'Content-Length: 0'])],
];

describe('SIP parser: the same shapes as the sip package on well-formed messages', () => {
  for (const [name, raw] of CORPUS) {
    it(`when it reads ${name}, it yields what the package yields`, () => {
      const ours = parseSipMessage(raw);
      expect(ours.ok, ours.ok ? '' : ours.why).to.equal(true);
      if (!ours.ok) return;
      expect(ours.message).to.deep.equal(packageParse(raw));
    });
  }

  it('when header names and values are padded with any latin1 whitespace (tab, VT, FF, NBSP, space) or a header is named like an Object method, it reads them as the package does', () => {
    for (const ws of ['\t', '\v', '\f', '\xa0', ' ', ' \t\xa0']) {
      const raw = msg([
        'OPTIONS sip:a@b SIP/2.0',
        `Call-ID${ws}:${ws}c-1${ws}`,
        `X-Pad${ws}:${ws}v`,
        `Max-Forwards:${ws}70`,
        `Via: SIP/2.0/UDP${ws}h${ws};${ws}branch${ws}=${ws}z9hG4bKws`,
        'Content-Length: 0',
      ]);
      const ours = parseSipMessage(raw);
      expect(ours.ok).to.equal(true);
      if (ours.ok) expect(ours.message, JSON.stringify(ws)).to.deep.equal(packageParse(raw));
    }
    const odd = parseSipMessage(msg(['OPTIONS sip:a@b SIP/2.0', 'Constructor: x', '__proto__: y', 'toString: z', 'Content-Length: 0']));
    expect(odd.ok && odd.message.headers).to.deep.include({ constructor: 'x', tostring: 'z' });
    expect(odd.ok && Object.getPrototypeOf(odd.message.headers)).to.equal(Object.prototype);
  });
});

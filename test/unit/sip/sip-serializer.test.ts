import { expect } from 'chai';
import { stringify, type SipOutgoingMessage } from 'sip';
import { validateMessage } from '../../../src/sip/request-validator.js';
import { SipDialog } from '../../../src/sip/sip-dialog.js';
import { buildResponse, capabilityHeaders, type SipRequest } from '../../../src/sip/sip-message.js';
import { serializeSipMessage } from '../../../src/sip/sip-serializer.js';
import type { Endpoint } from '../../../src/sip/sip-types.js';
import { OFFER } from './test-call.js';

const source: Endpoint = { transport: 'udp', address: '10.0.0.9', port: 5070 };

function request(lines: readonly string[], body = ''): SipRequest {
  const raw = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`;
  const r = validateMessage(Buffer.from(raw, 'latin1'), source);
  if (r.kind !== 'request') throw new Error(`test request did not validate: ${r.kind}`);
  return r.request;
}

const INVITE = request(
  [
    'INVITE sip:12345@10.0.0.1 SIP/2.0',
    'Via: SIP/2.0/UDP 192.168.1.2:5060;branch=z9hG4bKabc;rport',
    'Via: SIP/2.0/TCP proxy.example.org;branch=z9hG4bK-2;received=10.1.1.1',
    'Record-Route: <sip:10.0.0.50;lr>, <sip:edge.example.org;lr;ftag=x>',
    'From: "\xe6\x9d\x8e\xe5\x9b\x9b" <sip:13900001111@example.org>;tag=f1',
    'To: <sip:12345@10.0.0.1>',
    'Call-ID: c1@x',
    'CSeq: 7 INVITE',
    'Contact: <sip:13900001111@192.168.1.2:5060;transport=udp>;expires=60',
    'Max-Forwards: 70',
    'Content-Type: application/sdp',
  ],
  OFFER,
);

/** The package's stringify adds Content-Length to the headers it is given: it gets its own copy. */
function both(message: SipOutgoingMessage): { ours: string; theirs: string } {
  const ours = serializeSipMessage(message);
  const theirs = stringify(structuredClone(message));
  return { ours, theirs };
}

describe('SIP serializer: byte for byte what the sip package writes', () => {
  const cases: [string, () => SipOutgoingMessage][] = [
    ['100 Trying (no To tag, two Vias with received/rport)', () => buildResponse(INVITE, 100, 'Trying')],
    [
      '200 OK to an INVITE with Contact, Allow, Supported and an SDP body',
      () =>
        buildResponse(INVITE, 200, 'OK', {
          toTag: 'a1b2c3',
          headers: { contact: '<sip:12345@10.0.0.1:5060>', allow: 'INVITE, ACK', supported: 'replaces', 'content-type': 'application/sdp' },
          body: OFFER,
        }),
    ],
    ['503 with Retry-After', () => buildResponse(INVITE, 503, 'Service Unavailable', { toTag: 't', headers: { 'retry-after': '1' } })],
    ['200 to OPTIONS with the capability headers', () => buildResponse(INVITE, 200, 'OK', { toTag: 't', headers: capabilityHeaders() })],
    ['a UTF-8 reason and body (latin1 on the wire)', () => buildResponse(INVITE, 488, 'Not Acceptable Here', { toTag: 't', body: '中文 body' })],
    ['BYE in a dialog with a loose route set', () => SipDialog.fromInvite(INVITE, 'lt', { address: '10.0.0.1', port: 5060 }).createRequest('BYE').message],
    [
      'INFO in a dialog with a body and extra headers',
      () => SipDialog.fromInvite(INVITE, 'lt', { address: '10.0.0.1', port: 5060 }).createRequest('INFO', { headers: { 'content-type': 'application/dtmf-relay' }, body: 'Signal=5\r\nDuration=160\r\n' }).message,
    ],
    [
      'parsed shapes: contact list, route with a parsed URI, auth headers, authentication-info, refer-to, path, record-route',
      () => ({
        method: 'REGISTER',
        uri: 'sip:10.0.0.1',
        headers: {
          via: [{ version: '2.0', protocol: 'udp', host: 'h', port: 5060, params: { branch: 'z9hG4bKx', rport: null } }, { version: '', protocol: 'tcp', host: '', params: {} }],
          to: { name: '"A B"', uri: 'sip:a@b', params: { tag: 'x' } },
          from: { uri: 'sip:c@d', params: {} },
          contact: [{ uri: 'sip:a@b', params: { expires: '60', 'q': '0.5' } }, { name: 'N', uri: 'sip:c@d', params: {} }],
          route: [
            { uri: { schema: 'sip', host: '10.0.0.2', port: NaN, params: { lr: null }, headers: {} }, params: {} },
            { uri: { schema: 'sips', user: 'u', password: 'p', host: '10.0.0.3', port: 5070, params: { transport: 'tcp', lr: null }, headers: { a: 'b', c: 'd' } }, params: { x: 'y' } },
          ],
          'record-route': [{ uri: 'sip:rr@x;lr', params: {} }],
          path: [],
          'call-id': 'cid',
          cseq: { seq: 3, method: 'REGISTER' },
          'www-authenticate': [{ scheme: 'Digest', realm: '"r"', nonce: '"n"', stale: undefined }],
          authorization: [{ scheme: 'Digest', username: '"u"', response: '"abc"' }],
          'proxy-authenticate': [{ scheme: 'Digest', realm: '"p"' }],
          'proxy-authorization': [{ scheme: 'Digest', realm: '"p"' }],
          'authentication-info': { nextnonce: '"x"' },
          'refer-to': { uri: 'sip:t@u', params: {} },
          'x-empty': undefined,
          'max-forwards': 70,
          'x-list': ['a', 'b'],
          'content-type': 'text/plain',
        },
        content: 'hello',
      }),
    ],
    ['Contact: * and a Content-Length already among the headers', () => ({ status: 200, reason: 'OK', version: '2.0', headers: { 'content-length': 99, contact: '*', 'call-id': 'x' }, content: 'abc' })],
    ['a request with no version and an empty body', () => ({ method: 'OPTIONS', uri: 'sip:a@b', headers: { 'call-id': 'x', 'user-agent': 'u', 'www-authenticate': 'Digest realm="r"' } })],
  ];
  for (const [name, make] of cases) {
    it(`when it writes ${name}, the bytes equal the package's`, () => {
      const { ours, theirs } = both(make());
      expect(ours).to.equal(theirs);
    });
  }

  it('when it writes a message, it leaves the message as it was (the package adds Content-Length to it)', () => {
    const message = buildResponse(INVITE, 180, 'Ringing', { toTag: 't' });
    const before = structuredClone(message);
    serializeSipMessage(message);
    expect(message).to.deep.equal(before);
  });

  it('when a header has the wrong shape (Via not a list, a To without name-addr, an object as a value), it throws naming the header', () => {
    const base = (): SipOutgoingMessage => buildResponse(INVITE, 200, 'OK', { toTag: 't' });
    expect(() => serializeSipMessage({ ...base(), headers: { ...base().headers, via: { host: 'h' } } })).to.throw(TypeError, /via: not a list/);
    expect(() => serializeSipMessage({ ...base(), headers: { ...base().headers, to: 5 } })).to.throw(TypeError, /to: not a name-addr/);
    expect(() => serializeSipMessage({ ...base(), headers: { ...base().headers, 'x-obj': { a: 1 } } })).to.throw(TypeError, /x-obj: a value of type object/);
    expect(() => serializeSipMessage({ method: 'BYE', headers: {} })).to.throw(TypeError, /Request-URI/);
  });

  it('when header names repeat over many messages, each is written capitalised the same way', () => {
    for (let i = 0; i < 3; i++) {
      const out = serializeSipMessage({ status: 200, reason: 'OK', headers: { 'x-custom-header': 'v', 'call-id': 'c', 'www-authenticate': 'Digest' } });
      expect(out).to.equal('SIP/2.0 200 OK\r\nX-Custom-Header: v\r\nCall-ID: c\r\nWww-Authenticate: Digest\r\nContent-Length: 0\r\n\r\n');
    }
  });
});

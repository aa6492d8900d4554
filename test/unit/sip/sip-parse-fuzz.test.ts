import { performance } from 'node:perf_hooks';
import { expect } from 'chai';
import { parseInfoDtmf } from '../../../src/sip/info-dtmf.js';
import { validateMessage, type Inbound } from '../../../src/sip/request-validator.js';
import { DEFAULT_SIP_LIMITS } from '../../../src/sip/sip-parser.js';
import type { Endpoint } from '../../../src/sip/sip-types.js';

/**
 * Feeds the parser path (validateMessage, as the UDP and TCP transports do) with generated hostile
 * messages: long values of every parsed header kind, many headers and lines, nested quotes, angle
 * brackets, commas and semicolons, NUL bytes and invalid UTF-8. Each must end as a request, a
 * response, a refusal or a drop, never a throw, and none may hold the event loop: the bound below is
 * generous (the parser takes well under 1 ms per message, see `npm run bench:sip-parse`), while the
 * `sip` package's own parser took ~6 s on the 60 KB values and ~140 ms on the 8 KB ones.
 */
const GENEROUS_MS_PER_MESSAGE = 250;

const source: Endpoint = { transport: 'udp', address: '192.0.2.7', port: 5062 };

const HEADERS = [
  'Authorization', 'Proxy-Authorization', 'WWW-Authenticate', 'Proxy-Authenticate', 'Authentication-Info',
  'Via', 'v', 'From', 'f', 'To', 't', 'Contact', 'm', 'Route', 'Record-Route', 'Path', 'Refer-To',
  'CSeq', 'Call-ID', 'Content-Length', 'Max-Forwards', 'Content-Type', 'X-Anything',
];

/** Values that make backtracking regexes scan or retry, each about `n` bytes long. */
const VALUES: Readonly<Record<string, (n: number) => string>> = {
  'no whitespace': (n) => 'A'.repeat(n),
  'leading semicolon then spaces': (n) => `;${' '.repeat(n)}x`,
  'unclosed angle then spaces': (n) => `<${' '.repeat(n)}x`,
  'unclosed quote with escapes': (n) => `Digest username="${'\\a'.repeat(n / 2)}`,
  'digest with commas': (n) => `Digest a=b${',c'.repeat(n / 2)}`,
  'digest with equals': (n) => `Digest ${'a='.repeat(n / 2)}`,
  'many parameters': (n) => `<sip:a@b>${';a'.repeat(n / 2)}`,
  'many list items': (n) => `<sip:a@b>${', <sip:c@d;lr>'.repeat(n / 14)}`,
  'nested quotes and angles': (n) => '<"'.repeat(n / 2),
  'nested commas and semicolons': (n) => ',;="<'.repeat(n / 5),
  'words and spaces': (n) => 'a '.repeat(n / 2),
  'digit then spaces': (n) => `1${' '.repeat(n)}`,
  'uri of colons': (n) => `sip:${'a:'.repeat(n / 2)}`,
  'uri of parameters': (n) => `<sip:h${';a=b'.repeat(n / 4)} >`,
  'long quoted value': (n) => `Digest username="${'u'.repeat(n)}", realm="r", nonce="n", uri="sip:a", response="0"`,
  'list of unclosed angles': (n) => '<;x,'.repeat(n / 4),
  'list of Via-like elements': (n) => 'SIP/2.0/UDP h;x, '.repeat(n / 17),
  'NUL bytes': (n) => '\0'.repeat(n),
  'invalid UTF-8': (n) => '\xff\xfe\xc3'.repeat(n / 3),
};

function request(extra: string, body = ''): Buffer {
  return Buffer.from(
    'OPTIONS sip:12345@10.0.0.1 SIP/2.0\r\n' +
      'Via: SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bKfuzz\r\n' +
      'From: <sip:fuzz@192.0.2.7>;tag=f1\r\nTo: <sip:12345@10.0.0.1>\r\nCall-ID: fuzz-1\r\nCSeq: 1 OPTIONS\r\n' +
      `${extra}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    'latin1',
  );
}

function* hostileMessages(): Generator<{ name: string; data: Buffer }> {
  for (const size of [DEFAULT_SIP_LIMITS.maxHeaderBytes - 200, 60_000]) {
    for (const header of HEADERS) {
      for (const [shape, make] of Object.entries(VALUES)) {
        yield { name: `${header}: ${shape} (${size} B)`, data: request(`${header}: ${make(size)}`) };
      }
    }
  }
  yield { name: '150 headers', data: request(Array.from({ length: 150 }, (_, i) => `X-H${i}: v`).join('\r\n')) };
  yield { name: '99 Via headers', data: request(Array.from({ length: 99 }, () => 'Via: SIP/2.0/UDP h;branch=z9hG4bKx').join('\r\n')) };
  yield { name: '400 folded lines', data: request(`X-Fold: a${'\r\n b'.repeat(400)}`) };
  yield { name: 'folded start line', data: Buffer.from(`SIP/2.0 200${' '.repeat(4000)}\r\n ${' '.repeat(4000)}x\r\n\r\n`, 'latin1') };
  yield { name: 'long request-URI', data: Buffer.from(`INVITE sip:${'1'.repeat(20_000)}@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n`, 'latin1') };
  yield { name: 'bare LFs in a header', data: request(`X-A: 1${'\n '.repeat(4000)}x`) };
  yield { name: 'a 64 KB body', data: request('Content-Type: application/sdp', 'v=0\r\n'.repeat(12_000)) };
  yield { name: 'only CRLFs', data: Buffer.from('\r\n'.repeat(30_000), 'latin1') };
  yield { name: 'only spaces', data: Buffer.from(' '.repeat(60_000), 'latin1') };
}

/** One datagram of ~57 KB: seven ~8 KB fields of `header` holding a list of `element`. */
function listFlood(header: string, element: string): Buffer {
  const value = element.repeat(Math.floor((DEFAULT_SIP_LIMITS.maxHeaderBytes - 100) / element.length));
  return request(Array.from({ length: 7 }, () => `${header}: ${value}`).join('\r\n'));
}

/** CPU time of the fastest of a few runs: not inflated by other processes on a busy machine. */
function cpuMs(run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

describe('SIP parser under hostile input', () => {
  it('when hundreds of hostile messages arrive, each is answered, refused or dropped without throwing and without holding the loop', () => {
    const outcomes = new Map<Inbound['kind'], number>();
    let slowest = { name: '', ms: 0 };
    let count = 0;
    for (const { name, data } of hostileMessages()) {
      const started = performance.now();
      let inbound: Inbound;
      try {
        inbound = validateMessage(data, source);
      } catch (err) {
        throw new Error(`${name}: validateMessage threw ${String(err)}`);
      }
      const ms = performance.now() - started;
      if (ms > slowest.ms) slowest = { name, ms };
      outcomes.set(inbound.kind, (outcomes.get(inbound.kind) ?? 0) + 1);
      count++;
    }
    expect(count).to.be.greaterThan(700);
    expect([...outcomes.keys()]).to.include.members(['request', 'refuse', 'drop']);
    expect(slowest.ms, `slowest: ${slowest.name}`).to.be.below(GENEROUS_MS_PER_MESSAGE);
  });

  it('when an unauthenticated OPTIONS carries a 60 KB Authorization, it is refused 513 Message Too Large with its own Via and Call-ID', () => {
    for (const header of ['Authorization', 'Proxy-Authorization', 'WWW-Authenticate', 'Authentication-Info']) {
      const inbound = validateMessage(request(`${header}: Digest username="${'a'.repeat(60_000)}"`), source);
      expect(inbound.kind, header).to.equal('refuse');
      if (inbound.kind !== 'refuse') return;
      expect(inbound.reply.status).to.equal(513);
      expect(inbound.reply.headers['call-id']).to.equal('fuzz-1');
      expect(String(inbound.reply.headers.via)).to.contain('branch=z9hG4bKfuzz');
    }
  });

  it('when a header is just under 8 KB, the request is still taken and the header read', () => {
    const username = 'a'.repeat(DEFAULT_SIP_LIMITS.maxHeaderBytes - 100);
    const inbound = validateMessage(request(`Authorization: Digest username="${username}", realm="r", nonce="n"`), source);
    expect(inbound.kind).to.equal('request');
    if (inbound.kind !== 'request') return;
    expect(inbound.request.message.headers.authorization?.[0]?.username).to.equal(`"${username}"`);
  });

  it('when one datagram floods list headers (Contact: <;x,<;x,…, Route, Record-Route, Path, Via), it is refused 513 without holding the loop', () => {
    // Before: each element's `<…>` search ran to the end of the value, ~100 ms per datagram for Contact.
    const floods = [
      ...['Contact', 'm', 'Route', 'Record-Route', 'Path'].map((h) => ({ name: h, data: listFlood(h, '<;x,') })),
      { name: 'Via', data: listFlood('Via', 'SIP/2.0/UDP h;x, ') },
    ];
    for (const { name, data } of floods) {
      let inbound: Inbound | undefined;
      const ms = cpuMs(() => {
        inbound = validateMessage(data, source);
      });
      expect(inbound?.kind === 'refuse' ? inbound.reply.status : inbound?.kind, name).to.be.oneOf([513, 'drop']);
      expect(ms, `${name}: CPU ms for one ${data.length}-byte datagram`).to.be.below(GENEROUS_MS_PER_MESSAGE / 10);
    }
  });

  it('when a list header field has 32 elements it is read, with 33 the request is refused 513', () => {
    const contacts = (n: number): string => `Contact: ${Array.from({ length: n }, (_, i) => `<sip:a${i}@192.0.2.7>`).join(', ')}`;
    const taken = validateMessage(request(contacts(32)), source);
    expect(taken.kind).to.equal('request');
    if (taken.kind === 'request') expect(taken.request.message.headers.contact).to.have.length(32);
    const refused = validateMessage(request(contacts(33)), source);
    expect(refused.kind === 'refuse' && refused.reply.status).to.equal(513);
    expect(refused.kind === 'refuse' && refused.reply.headers['call-id']).to.equal('fuzz-1');
  });

  it('when a Contact has no closing angle bracket, it is read as the package reads it', () => {
    const inbound = validateMessage(request('Contact: sip:a@192.0.2.7;expires=60, <;x'), source);
    expect(inbound.kind).to.equal('request');
    if (inbound.kind !== 'request') return;
    const contact = inbound.request.message.headers.contact;
    expect(Array.isArray(contact) ? contact.map((c) => c.uri) : contact).to.deep.equal(['sip:a@192.0.2.7', '<']);
  });

  it('when a request has more than 100 headers or 200 lines, it is refused 513', () => {
    const many = validateMessage(request(Array.from({ length: 101 }, (_, i) => `X-H${i}: v`).join('\r\n')), source);
    expect(many.kind === 'refuse' && many.reply.status).to.equal(513);
    const folded = validateMessage(request(`X-Fold: a${'\r\n b'.repeat(201)}`), source);
    expect(folded.kind === 'refuse' && folded.reply.status).to.equal(513);
  });

  it('when the Via itself is the oversized header, it drops the message (no reply to copy it into)', () => {
    const inbound = validateMessage(
      Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK${'x'.repeat(10_000)}\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n`, 'latin1'),
      source,
    );
    expect(inbound.kind).to.equal('drop');
  });

  it('when an INFO dtmf-relay body is 60 KB of blank lines before the Signal, the digit is read without holding the loop', () => {
    const started = performance.now();
    expect(parseInfoDtmf('application/dtmf-relay', `${'\n'.repeat(60_000)}Signal=5\r\n`)).to.equal('5');
    expect(parseInfoDtmf('application/dtmf-relay', ' \r\n'.repeat(20_000))).to.equal(undefined);
    expect(performance.now() - started).to.be.below(GENEROUS_MS_PER_MESSAGE);
  });
});

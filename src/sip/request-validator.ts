import { parseUri, type SipMessage, type SipOutgoingMessage, type SipVia } from 'sip';
import { mediaTypeOf, paramString, type SipRequest, type SipResponse } from './sip-message.js';
import { DEFAULT_SIP_LIMITS, parseSipMessage, type SipParseLimits } from './sip-parser.js';
import { isFlowOnly, type Endpoint } from './sip-types.js';

/** What one received message turned out to be. */
export type Inbound =
  | { readonly kind: 'request'; readonly request: SipRequest }
  | { readonly kind: 'response'; readonly response: SipResponse }
  /** A request we can answer but must refuse: `reply` is the 400/416/505 to send back to the source. */
  | { readonly kind: 'refuse'; readonly reply: SipOutgoingMessage; readonly why: string }
  /** Not even the headers needed for a response are readable: dropped and logged (RFC 3261 §16.3 spirit). */
  | { readonly kind: 'drop'; readonly why: string };

const REQUEST_LINE = /^([A-Za-z!%*_+`'~.-]+) (\S+) SIP\/(\d+\.\d+)$/;
const COMPACT: Readonly<Record<string, string>> = { v: 'via', f: 'from', t: 'to', i: 'call-id' };
/** A header we copy into a refusal longer than this is not copied: the message is dropped instead. */
const MAX_RAW_HEADER = 2048;
const HEADER_NAME = /^[A-Za-z0-9!%*_+`'~.-]+$/;

/**
 * Reads raw header values without the parser, so a message it refuses can still be answered. Linear
 * and bounded: at most `maxLines` lines are looked at, and an over-long value is kept as unusable ('').
 */
function rawHeaders(raw: string): { startLine: string; headers: Map<string, string[]> } {
  const headers = new Map<string, string[]>();
  let startLine = '';
  let last: { list: string[]; index: number } | undefined;
  for (let start = 0, n = 0; start < raw.length && n < DEFAULT_SIP_LIMITS.maxLines; n++) {
    const end = raw.indexOf('\r\n', start);
    const line = raw.slice(start, end < 0 ? Math.min(raw.length, start + MAX_RAW_HEADER + 1) : end);
    start = end < 0 ? raw.length : end + 2;
    if (line === '') break;
    if (n === 0) {
      startLine = line.length > MAX_RAW_HEADER ? '' : line.trim();
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      // RFC 3261 §7.3.1: a continuation line is part of the header above it.
      const joined = `${last.list[last.index] ?? ''} ${line.trim()}`;
      last.list[last.index] = joined.length > MAX_RAW_HEADER || line.length > MAX_RAW_HEADER ? '' : joined.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const rawName = colon < 0 ? '' : line.slice(0, colon).trim();
    if (!HEADER_NAME.test(rawName)) {
      last = undefined;
      continue;
    }
    const lower = rawName.toLowerCase();
    const name = COMPACT[lower] ?? lower;
    const list = headers.get(name) ?? [];
    list.push(line.length > MAX_RAW_HEADER ? '' : line.slice(colon + 1).trim());
    headers.set(name, list);
    last = { list, index: list.length - 1 };
  }
  return { startLine, headers };
}

/**
 * A refusal built from raw header text (RFC 3261 §8.2.6.1): only possible when the start line is a
 * request and Via, From, To, Call-ID and CSeq are all present as text; otherwise the message is dropped.
 */
function refuse(raw: string, status: number, reason: string): Extract<Inbound, { kind: 'refuse' | 'drop' }> {
  const { startLine, headers } = rawHeaders(raw);
  const method = REQUEST_LINE.exec(startLine)?.[1];
  const pick = (name: string): string | undefined => {
    const values = headers.get(name);
    return values && values.length > 0 && values.every((v) => v !== '') ? values.join(', ') : undefined;
  };
  const [via, from, to, callId, cseq] = [pick('via'), pick('from'), pick('to'), pick('call-id'), pick('cseq')];
  if (method === undefined || method === 'ACK' || !via || !from || !to || !callId || !cseq) {
    return { kind: 'drop', why: `${status} ${reason} (and too little to answer)` };
  }
  const reply: SipOutgoingMessage = {
    status,
    reason,
    version: '2.0',
    headers: { via, from, to, 'call-id': callId, cseq },
  };
  return { kind: 'refuse', reply, why: `${status} ${reason}` };
}

const validVia = (via: SipVia[] | undefined): via is SipVia[] =>
  Array.isArray(via) && via.length > 0 && via.every((v) => typeof v.host === 'string' && v.host !== '');

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4: stamp the top Via with `received` when the source address differs
 * from sent-by, and fill `rport` when the client asked for it, so responses follow the real path.
 * Changes the Via in place: it was just parsed out of this datagram and belongs to nobody else.
 */
function stampVia(via: SipVia, source: Endpoint): void {
  const params = via.params;
  if (via.host !== source.address) params.received = source.address;
  if (Object.hasOwn(params, 'rport') && (params.rport === null || params.rport === '')) {
    params.rport = String(source.port);
    params.received = source.address;
  }
}

function toRequest(raw: string, m: SipMessage, source: Endpoint, receivedAt: number): Inbound {
  const method = m.method ?? '';
  if (m.version !== '2.0') return refuse(raw, 505, 'Version Not Supported');
  const h = m.headers;
  if (!validVia(h.via)) return refuse(raw, 400, 'Bad Via');
  const callId = h['call-id'];
  if (typeof callId !== 'string' || callId.trim() === '') return refuse(raw, 400, 'Missing Call-ID');
  const cseq = h.cseq;
  if (!cseq || !Number.isInteger(cseq.seq) || cseq.seq < 0 || cseq.seq > 2 ** 31 - 1) return refuse(raw, 400, 'Bad CSeq');
  if (cseq.method !== method) return refuse(raw, 400, 'CSeq Method Mismatch');
  const from = h.from;
  if (!from || typeof from.uri !== 'string' || from.uri === '') return refuse(raw, 400, 'Bad From');
  const fromTag = paramString(from.params, 'tag');
  if (fromTag === undefined) return refuse(raw, 400, 'Missing From Tag');
  const to = h.to;
  if (!to || typeof to.uri !== 'string' || to.uri === '') return refuse(raw, 400, 'Bad To');
  const uri = m.uri ?? '';
  const requestUri = parseUri(uri);
  if (!requestUri) {
    return /^sips?:/i.test(uri) ? refuse(raw, 400, 'Bad Request-URI') : refuse(raw, 416, 'Unsupported URI Scheme');
  }
  const body = m.content ?? '';
  const length = h['content-length'];
  if (length !== undefined && (!Number.isInteger(length) || length < 0)) return refuse(raw, 400, 'Bad Content-Length');
  // §18.3: a datagram shorter than its Content-Length is refused with 400; so is a WebSocket frame,
  // which holds exactly one message (RFC 7118 §5.1).
  if ((source.transport === 'udp' || isFlowOnly(source.transport)) && length !== undefined && length > body.length) return refuse(raw, 400, 'Bad Content-Length');
  const maxForwards = h['max-forwards'];
  if (maxForwards !== undefined && !(typeof maxForwards === 'string' && /^\s*\d+\s*$/.test(maxForwards))) {
    return refuse(raw, 400, 'Bad Max-Forwards');
  }
  const via = h.via;
  const topVia = via[0];
  if (!topVia) return refuse(raw, 400, 'Bad Via');
  stampVia(topVia, source);
  const request: SipRequest = {
    message: m,
    method,
    uri,
    requestUri,
    via,
    topVia,
    from,
    fromTag,
    to,
    toTag: paramString(to.params, 'tag'),
    callId: callId.trim(),
    cseq,
    body,
    contentType: body.length > 0 ? mediaTypeOf(m) : undefined,
    source,
    receivedAt,
  };
  return { kind: 'request', request };
}

function toResponse(m: SipMessage): Inbound {
  const status = m.status ?? 0;
  const cseq = m.headers.cseq;
  if (status < 100 || status > 699 || !cseq || !validVia(m.headers.via)) return { kind: 'drop', why: 'unreadable response' };
  const branch = paramString(m.headers.via[0]?.params, 'branch');
  return { kind: 'response', response: { message: m, status, reason: m.reason ?? '', branch, cseq, body: m.content ?? '' } };
}

/**
 * Turns received bytes into a request, a response, a refusal to send, or a drop. Never throws:
 * every input, however broken, ends in one of the four (the process must survive any datagram).
 * Sizes are checked before any parsing (see sip-parser.ts): a request over a limit is answered
 * 513 Message Too Large (RFC 3261 §21.5.9; SIP has no 431, and 413 is about the body) or
 * 414 Request-URI Too Long (§21.4.12) when its headers can be copied, else dropped.
 * `receivedAt`: epoch ms when the transport read the bytes (a request carries it as `receivedAt`).
 */
export function validateMessage(data: Buffer, source: Endpoint, limits: SipParseLimits = DEFAULT_SIP_LIMITS, receivedAt = Date.now()): Inbound {
  try {
    const raw = data.toString('latin1');
    const parsed = parseSipMessage(raw, limits);
    if (!parsed.ok) {
      const refusal = refuse(raw, parsed.status, parsed.reason);
      return { ...refusal, why: `${refusal.why}: ${parsed.why}` };
    }
    const m = parsed.message;
    if (m.status !== undefined) return toResponse(m);
    return toRequest(raw, m, source, receivedAt);
  } catch (err) {
    return { kind: 'drop', why: `parser failure: ${err instanceof Error ? err.message : String(err)}` };
  }
}

import { parse, parseUri, type SipMessage, type SipOutgoingMessage, type SipVia } from 'sip';
import { mediaTypeOf, paramString, type SipRequest, type SipResponse } from './sip-message.js';
import type { Endpoint } from './sip-types.js';

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
const MAX_RAW_HEADER = 2048;

/** Reads raw header values without the `sip` parser, so a message it refuses can still be answered. */
function rawHeaders(raw: string): { startLine: string; headers: Map<string, string[]> } {
  const end = raw.indexOf('\r\n\r\n');
  const head = (end < 0 ? raw : raw.slice(0, end)).replace(/\r\n[ \t]+/g, ' ');
  const lines = head.split('\r\n');
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const m = /^([A-Za-z0-9!%*_+`'~.-]+)\s*:\s*(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    const lower = m[1].toLowerCase();
    const name = COMPACT[lower] ?? lower;
    const list = headers.get(name) ?? [];
    list.push(m[2].slice(0, MAX_RAW_HEADER).trim());
    headers.set(name, list);
  }
  return { startLine: lines[0]?.trim() ?? '', headers };
}

/**
 * A refusal built from raw header text (RFC 3261 §8.2.6.1): only possible when the start line is a
 * request and Via, From, To, Call-ID and CSeq are all present as text; otherwise the message is dropped.
 */
function refuse(raw: string, status: number, reason: string): Inbound {
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
 */
function stampVia(via: SipVia, source: Endpoint): SipVia {
  const params = { ...via.params };
  if (via.host !== source.address) params.received = source.address;
  if ('rport' in params && (params.rport === null || params.rport === '')) {
    params.rport = String(source.port);
    params.received = source.address;
  }
  return { ...via, params };
}

function toRequest(raw: string, m: SipMessage, source: Endpoint): Inbound {
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
  // §18.3: a datagram shorter than its Content-Length is refused with 400.
  if (source.transport === 'udp' && length !== undefined && length > body.length) return refuse(raw, 400, 'Bad Content-Length');
  const maxForwards = h['max-forwards'];
  if (maxForwards !== undefined && !(typeof maxForwards === 'string' && /^\s*\d+\s*$/.test(maxForwards))) {
    return refuse(raw, 400, 'Bad Max-Forwards');
  }
  const [first, ...rest] = h.via;
  if (!first) return refuse(raw, 400, 'Bad Via');
  const topVia = stampVia(first, source);
  const via = [topVia, ...rest];
  const message: SipMessage = { ...m, headers: { ...h, via } };
  const request: SipRequest = {
    message,
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
 */
export function validateMessage(data: Buffer, source: Endpoint): Inbound {
  try {
    const raw = data.toString('latin1');
    if (!raw.includes('\r\n\r\n')) return refuse(raw, 400, 'Incomplete Message');
    const m = parse(raw);
    if (!m?.headers) return refuse(raw, 400, 'Malformed Header Line');
    if (m.status !== undefined) return toResponse(m);
    return toRequest(raw, m, source);
  } catch (err) {
    return { kind: 'drop', why: `parser failure: ${err instanceof Error ? err.message : String(err)}` };
  }
}

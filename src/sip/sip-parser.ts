import { parseUri, type SipMessage } from 'sip';

/**
 * A bounded, linear-time SIP message parser producing the same shapes as the `sip` package's `parse`.
 *
 * Why not `sip.parse`: its header parsers run global regexes through `applyRegex`, which search the
 * whole rest of the value for a match and then throw it away unless it starts at the cursor. On a
 * value that never matches at the cursor (a 60 KB `Authorization` without a space, a `From` of spaces)
 * every position is tried: quadratic, ~140 ms for 8 KB and ~6 s for 60 KB, on the event loop.
 * Here the same regexes run sticky (`y`), so each is tried at the cursor only, and every input is
 * bounded first (RFC 3261 §18.3 leaves the limits to the element; these are proxy-style defaults).
 */
export interface SipParseLimits {
  /** Whole message (start line, headers, body), bytes. */
  readonly maxMessageBytes: number;
  /** One header field after unfolding (name and value), and the start line, bytes. */
  readonly maxHeaderBytes: number;
  /** Header fields after unfolding. */
  readonly maxHeaders: number;
  /** Physical lines of the head, folded continuation lines included. */
  readonly maxLines: number;
}

export const DEFAULT_SIP_LIMITS: SipParseLimits = {
  maxMessageBytes: 65535,
  maxHeaderBytes: 8192,
  maxHeaders: 100,
  maxLines: 200,
};

export type SipParseResult =
  | { readonly ok: true; readonly message: SipMessage }
  /** `status` is the response a request earns (400, 414, 513); `why` says which rule for the log. */
  | { readonly ok: false; readonly status: number; readonly reason: string; readonly why: string };

interface Cursor {
  readonly s: string;
  i: number;
  /** Index of the next `>` at or after `i` (-1: none left), so list elements do not each search for it. */
  gt?: number;
}

const TOKEN = "[\\w\\-.!%*_+`'~]+";
const QUOTED = '"[^"\\\\]*(?:\\\\.[^"\\\\]*)*"';
const PARAM = new RegExp(`\\s*;\\s*(${TOKEN})(?:\\s*=\\s*(${TOKEN}|${QUOTED}))?`, 'y');
// `<uri>` is read as `<([^>]*)>` and left-trimmed, which is what the package's `<\s*([^>]*)\s*>` yields
// without its cubic backtracking on an unclosed `<` followed by spaces.
const AOR = new RegExp(`(${TOKEN}(?:\\s+${TOKEN})*|${QUOTED})?\\s*<([^>]*)>|((?:[^\\s@"<]@)?[^\\s;]+)`, 'y');
// The same third branch alone, for when no `>` is left: the `<` branch would scan to the end of the value
// looking for one, once per list element (`Contact: <;x,<;x,…` was ~100 ms per datagram).
const AOR_BARE = /((?:[^\s@"<]@)?[^\s;]+)/y;
const VIA = /SIP\s*\/\s*(\d+\.\d+)\s*\/\s*(\S+)\s+([^\s;:]+)(?:\s*:\s*(\d+))?/y;
const COMMA = /\s*,\s*/y;
const AUTH_SCHEME = /(\S*)\s+/y;
const AUTH_PARAM = new RegExp(`([^\\s,"=]*)\\s*=\\s*([^\\s,"]+|${QUOTED})\\s*`, 'y');
const AUTH_NEXT_PARAM = new RegExp(`,\\s*([^\\s,"=]*)\\s*=\\s*([^\\s,"]+|${QUOTED})\\s*`, 'y');
// With folding and bare CR/LF refused first, `.*` runs to the end of the line and `\s*$` matches at once.
const RESPONSE_LINE = /^SIP\/(\d+\.\d+)\s+(\d+)\s*(.*)\s*$/;
const REQUEST_LINE = new RegExp(`^(${TOKEN})\\s(\\S+)\\sSIP\\s*\\/\\s*(\\d+\\.\\d+)`);

/** `%XX` escapes decoded, as the package's `unescape` does for methods and header names. */
function unescapePercent(s: string): string {
  return s.includes('%') ? s.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))) : s;
}

/** Runs a sticky regex at the cursor only; advances it on a match. */
function at(re: RegExp, d: Cursor): RegExpExecArray | undefined {
  re.lastIndex = d.i;
  const r = re.exec(d.s);
  if (r === null) return undefined;
  d.i = re.lastIndex;
  return r;
}

/** A parse failure inside one header: the header is skipped, as the package does. */
class HeaderSyntaxError extends Error {}

/**
 * Thrown once per unreadable header, a thing any sender can make happen many times per datagram:
 * made once, so a flood of bad headers costs no stack capture each (nothing reads their stacks).
 */
const HEADER_SYNTAX = new HeaderSyntaxError('header syntax');
const TOO_MANY_PARAMS = new HeaderSyntaxError('too many parameters');

function need<T>(value: T | undefined): T {
  if (value === undefined) throw HEADER_SYNTAX;
  return value;
}

type Params = Record<string, string | null>;

/** More parameters than any real header carries (a Contact with feature tags has ~10): refused as a bad header. */
const MAX_PARAMS = 64;

/** `;name=value` parameters at the cursor (names lower-cased), as the last field of a header's shape. */
function parseParams(d: Cursor): Params {
  const params: Params = {};
  // Most values end at the cursor: no parameters, nothing to run the regex for.
  if (d.i >= d.s.length) return params;
  let count = 0;
  for (let r = at(PARAM, d); r; r = at(PARAM, d)) {
    if (++count > MAX_PARAMS) throw TOO_MANY_PARAMS;
    params[(r[1] ?? '').toLowerCase()] = r[2] ?? null;
  }
  return params;
}

/** Whether a `>` is left at or after the cursor; each part of the value is searched at most once. */
function gtAhead(d: Cursor): boolean {
  if (d.gt === undefined || (d.gt >= 0 && d.gt < d.i)) d.gt = d.s.indexOf('>', d.i);
  return d.gt >= 0;
}

function parseAor(d: Cursor): { name: string | undefined; uri: string; params: Params } {
  if (!gtAhead(d)) {
    const bare = need(at(AOR_BARE, d));
    return { name: undefined, uri: bare[1] ?? '', params: parseParams(d) };
  }
  const r = need(at(AOR, d));
  const inBrackets = r[2]?.trimStart();
  const uri = inBrackets || r[3] || '';
  return { name: r[1], uri, params: parseParams(d) };
}

function parseAorWithUri(d: Cursor): { name: string | undefined; uri: ReturnType<typeof parseUri>; params: Params } {
  const r = parseAor(d);
  return { name: r.name, uri: parseUri(r.uri), params: r.params };
}

function parseVia(d: Cursor): object {
  const r = need(at(VIA, d));
  const version = r[1];
  const protocol = r[2];
  const host = r[3];
  const port = r[4] === undefined ? undefined : Number(r[4]);
  return { version, protocol, host, port, params: parseParams(d) };
}

// Unanchored as in the package; linear: the digits and the method are each one run.
const CSEQ = /(\d+)\s*(\S+)/;

function parseCSeq(d: Cursor): object {
  const r = need(CSEQ.exec(d.s) ?? undefined);
  return { seq: Number(r[1]), method: unescapePercent(r[2] ?? '') };
}

function parseAuthHeader(d: Cursor): Record<string, string | undefined> {
  const scheme = need(at(AUTH_SCHEME, d));
  const a: Record<string, string | undefined> = { scheme: scheme[1] };
  const first = need(at(AUTH_PARAM, d));
  a[first[1] ?? ''] = first[2];
  for (let r = at(AUTH_NEXT_PARAM, d); r; r = at(AUTH_NEXT_PARAM, d)) a[r[1] ?? ''] = r[2];
  return a;
}

function parseAuthenticationInfo(d: Cursor): Record<string, string | undefined> {
  const a: Record<string, string | undefined> = {};
  const first = need(at(AUTH_PARAM, d));
  a[first[1] ?? ''] = first[2];
  for (let r = at(AUTH_NEXT_PARAM, d); r; r = at(AUTH_NEXT_PARAM, d)) a[r[1] ?? ''] = r[2];
  return a;
}

/**
 * Elements of one list header field (Via, Contact, Route, …). Real ones carry a handful; thousands of
 * tiny elements in one 8 KB field only cost parse time and memory, so more refuses the message (513).
 */
export const MAX_LIST_ELEMENTS = 32;

/** A header field over a limit found while reading it: the whole message is refused, not the header skipped. */
class HeaderLimitError extends Error {}

const TOO_MANY_ELEMENTS = new HeaderLimitError(`more than ${MAX_LIST_ELEMENTS} elements in one header field`);

function multi(parser: (d: Cursor) => unknown): (d: Cursor, previous: unknown) => unknown[] {
  return (d, previous) => {
    const list: unknown[] = Array.isArray(previous) ? previous : [];
    let count = 0;
    do {
      if (++count > MAX_LIST_ELEMENTS) throw TOO_MANY_ELEMENTS;
      list.push(parser(d));
    } while (d.i < d.s.length && at(COMMA, d));
    return list;
  };
}

// Maps, not object literals: a header named `constructor` or `__proto__` must find nothing here.
const COMPACT_FORMS: ReadonlyMap<string, string> = new Map(Object.entries({
  i: 'call-id', m: 'contact', e: 'contact-encoding', l: 'content-length', c: 'content-type',
  f: 'from', s: 'subject', k: 'supported', t: 'to', v: 'via',
}));

const HEADER_PARSERS: ReadonlyMap<string, (d: Cursor, previous: unknown) => unknown> = new Map(Object.entries({
  to: parseAor,
  from: parseAor,
  'refer-to': parseAor,
  // The package compares its cursor object with '*', which never matches: `Contact: *` is a list of
  // one name-addr with uri '*'. Kept, so callers see exactly what they saw before.
  contact: multi(parseAor),
  route: multi(parseAorWithUri),
  'record-route': multi(parseAorWithUri),
  path: multi(parseAorWithUri),
  cseq: parseCSeq,
  'content-length': (d) => Number(d.s),
  via: multi(parseVia),
  'www-authenticate': multi(parseAuthHeader),
  'proxy-authenticate': multi(parseAuthHeader),
  authorization: multi(parseAuthHeader),
  'proxy-authorization': multi(parseAuthHeader),
  'authentication-info': parseAuthenticationInfo,
}));

const fail = (status: number, reason: string, why: string): SipParseResult => ({ ok: false, status, reason, why });

/** Splits the head into lines on CRLF and unfolds continuation lines (RFC 3261 §7.3.1), in one pass. */
function headLines(head: string, limits: SipParseLimits): string[] | SipParseResult {
  const fields: string[] = [];
  let physical = 0;
  for (let start = 0; start <= head.length; ) {
    const end = head.indexOf('\r\n', start);
    const line = head.slice(start, end < 0 ? head.length : end);
    start = end < 0 ? head.length + 1 : end + 2;
    if (++physical > limits.maxLines) return fail(513, 'Message Too Large', `more than ${limits.maxLines} header lines`);
    // A lone CR or LF (or NUL) is no part of SIP's head grammar (§25.1) and lets `\s`/`.` disagree.
    if (line.includes('\r') || line.includes('\n') || line.includes('\0')) return fail(400, 'Malformed Header Line', 'bare CR, LF or NUL in the head');
    const first = line.charCodeAt(0);
    if ((first === 0x20 || first === 0x09) && fields.length > 0) {
      if (fields.length === 1) return fail(400, 'Malformed Start Line', 'folded start line');
      const joined = `${fields.pop() ?? ''} ${line.trimStart()}`;
      if (joined.length > limits.maxHeaderBytes) return fail(513, 'Message Too Large', `a header field over ${limits.maxHeaderBytes} bytes`);
      fields.push(joined);
      continue;
    }
    if (line.length > limits.maxHeaderBytes) {
      return fields.length === 0
        ? fail(414, 'Request-URI Too Long', `start line over ${limits.maxHeaderBytes} bytes`)
        : fail(513, 'Message Too Large', `a header field over ${limits.maxHeaderBytes} bytes`);
    }
    fields.push(line);
    if (fields.length > limits.maxHeaders + 1) return fail(513, 'Message Too Large', `more than ${limits.maxHeaders} header fields`);
  }
  return fields;
}

/** Whether the char code is one JavaScript's `\s` matches (the parser's regexes use `\s`, so this must agree). */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

const COLON = 0x3a;

/** `name: value` as the package reads it (`^(\S*?)\s*:\s*([\s\S]*)$`), without a regex. */
function splitHeader(line: string): { name: string; value: string } | undefined {
  const n = line.length;
  let i = 0;
  while (i < n && line.charCodeAt(i) !== COLON && !isSpace(line.charCodeAt(i))) i++;
  const name = line.slice(0, i);
  while (i < n && isSpace(line.charCodeAt(i))) i++;
  if (i >= n || line.charCodeAt(i) !== COLON) return undefined;
  i++;
  while (i < n && isSpace(line.charCodeAt(i))) i++;
  return { name, value: line.slice(i) };
}

/**
 * Parses a latin1 string holding one message. Work is linear in its length; anything over the limits
 * is refused before any regex sees it.
 */
export function parseSipMessage(raw: string, limits: SipParseLimits = DEFAULT_SIP_LIMITS): SipParseResult {
  if (raw.length > limits.maxMessageBytes) return fail(513, 'Message Too Large', `message over ${limits.maxMessageBytes} bytes`);
  let start = 0;
  while (start < raw.length && isSpace(raw.charCodeAt(start))) start++;
  const headEnd = raw.indexOf('\r\n\r\n', start);
  if (headEnd < 0) return fail(400, 'Incomplete Message', 'no empty line after the headers');
  const lines = headLines(raw.slice(start, headEnd), limits);
  if (!Array.isArray(lines)) return lines;
  const startLine = lines[0] ?? '';
  const message: SipMessage = { version: '', headers: {} };
  const response = RESPONSE_LINE.exec(startLine);
  const request = response ? undefined : REQUEST_LINE.exec(startLine);
  if (response) {
    message.version = response[1] ?? '';
    message.status = Number(response[2]);
    message.reason = response[3] ?? '';
  } else if (request) {
    message.method = unescapePercent(request[1] ?? '');
    message.uri = request[2] ?? '';
    message.version = request[3] ?? '';
  } else {
    return fail(400, 'Malformed Start Line', 'neither a request line nor a status line');
  }
  const headers: Record<string, unknown> = message.headers;
  for (let l = 1; l < lines.length; l++) {
    const field = splitHeader(lines[l] ?? '');
    if (field === undefined) return fail(400, 'Malformed Header Line', 'a header line without a colon');
    const lower = unescapePercent(field.name).toLowerCase();
    const name = COMPACT_FORMS.get(lower) ?? lower;
    const parser = HEADER_PARSERS.get(name);
    const previous = headers[name];
    try {
      headers[name] = parser
        ? parser({ s: field.value, i: 0 }, previous)
        : typeof previous === 'string' ? `${previous},${field.value}` : field.value;
    } catch (err) {
      if (err instanceof HeaderLimitError) return fail(513, 'Message Too Large', `${name}: ${err.message}`);
      if (!(err instanceof HeaderSyntaxError)) throw err;
      // As the package: an unreadable header is left out; the validator refuses if it was needed.
    }
  }
  const body = raw.slice(headEnd + 4);
  const length = headers['content-length'];
  message.content = typeof length === 'number' && length !== 0 && !Number.isNaN(length) ? body.slice(0, Math.max(0, Math.min(length, body.length))) : body;
  return { ok: true, message };
}

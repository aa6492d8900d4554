import type { SipOutgoingMessage } from 'sip';

/**
 * Writes a message as the `sip` package's `stringify` does, byte for byte (a unit test holds the two
 * side by side), at less cost per message: header names are capitalised once and remembered instead
 * of by a regex on every message, and the message is not changed (the package writes Content-Length
 * into the caller's headers). Strings are latin1, one char per byte (see sip-message.ts).
 *
 * Shapes are checked as they are written: a header that is not the shape its name needs (a Via that
 * is not a list, a To without a URI) throws a TypeError naming the header, which the transport turns
 * into SIP_SEND_FAILED; nothing half-formed goes out.
 */
export function serializeSipMessage(m: SipOutgoingMessage): string {
  const version = m.version || '2.0';
  let s: string;
  if (m.status !== undefined && m.status !== 0 && !Number.isNaN(m.status)) {
    s = `SIP/${version} ${m.status} ${m.reason ?? 'undefined'}\r\n`;
  } else {
    if (m.uri === undefined) throw shapeError('start line', 'a request without a Request-URI');
    s = `${m.method ?? 'undefined'} ${uriText(m.uri, 'Request-URI')} SIP/${version}\r\n`;
  }
  const contentLength = (m.content ?? '').length;
  let lengthWritten = false;
  const headers = m.headers;
  for (const name in headers) {
    let value = headers[name];
    if (name === 'content-length') {
      value = contentLength;
      lengthWritten = true;
    }
    if (value === undefined) continue;
    const write = typeof value === 'string' || !Object.hasOwn(STRINGIFIERS, name) ? undefined : STRINGIFIERS[name];
    s += write === undefined ? `${headerName(name)}: ${scalar(value, name)}\r\n` : write(value, name);
  }
  if (!lengthWritten) s += `Content-Length: ${contentLength}\r\n`;
  s += '\r\n';
  if (m.content) s += m.content;
  return s;
}

type Params = Readonly<Record<string, unknown>>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function shapeError(header: string, what: string): TypeError {
  return new TypeError(`cannot write SIP header ${header}: ${what}`);
}

/** A value as `'' + value` writes it (strings, numbers, a list joined by commas); an object or null is refused. */
function scalar(value: unknown, header: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.map((v) => scalar(v, header)).join(',');
  throw shapeError(header, `a value of type ${value === null ? 'null' : typeof value}`);
}

/** `;name=value` per parameter, `;name` when the value is null or empty, in insertion order. */
function paramsText(params: unknown, header: string): string {
  if (!isObject(params)) return '';
  let s = '';
  for (const n in params as Params) {
    const v = (params as Params)[n];
    s += v ? `;${n}=${scalar(v, header)}` : `;${n}`;
  }
  return s;
}

/** A URI as the package writes it: a string as it is, a parsed URI rebuilt from its parts. */
function uriText(uri: unknown, header: string): string {
  if (typeof uri === 'string') return uri;
  if (!isObject(uri)) return scalar(uri, header);
  const { schema, user, password, host, port, params, headers } = uri;
  let s = `${typeof schema === 'string' && schema !== '' ? schema : 'sip'}:`;
  if (user) s += password ? `${scalar(user, header)}:${scalar(password, header)}@` : `${scalar(user, header)}@`;
  s += scalar(host, header);
  if (port) s += `:${scalar(port, header)}`;
  if (params) s += paramsText(params, header);
  if (isObject(headers)) {
    const h = Object.keys(headers).map((k) => `${k}=${scalar(headers[k], header)}`).join('&');
    if (h.length > 0) s += `?${h}`;
  }
  return s;
}

/** name-addr: `"Name" <uri>;params` (the package writes ` <uri>` with a space when there is no name). */
function aorText(aor: unknown, header: string): string {
  if (!isObject(aor)) throw shapeError(header, 'not a name-addr');
  const name = aor.name;
  return `${name ? scalar(name, header) : ''} <${uriText(aor.uri, header)}>${paramsText(aor.params, header)}`;
}

function list(value: unknown, header: string): readonly unknown[] {
  if (!Array.isArray(value)) throw shapeError(header, 'not a list');
  return value;
}

/** `Digest a=b,c=d`: parameters in insertion order, undefined ones left out. */
function authText(a: unknown, header: string): string {
  if (!isObject(a)) throw shapeError(header, 'not an auth header');
  const parts: string[] = [];
  for (const n in a) {
    const v = a[n];
    if (n !== 'scheme' && v !== undefined) parts.push(`${n}=${scalar(v, header)}`);
  }
  return a.scheme ? `${scalar(a.scheme, header)} ${parts.join(',')}` : parts.join(',');
}

const addressList = (pretty: string) => (h: unknown, name: string): string => {
  const items = list(h, name);
  return items.length > 0 ? `${pretty}: ${items.map((x) => aorText(x, name)).join(', ')}\r\n` : '';
};
const authList = (pretty: string) => (h: unknown, name: string): string =>
  list(h, name).map((x) => `${pretty}: ${authText(x, name)}\r\n`).join('');

/** Headers written from their parsed shape; any other header is `Name: value`. */
const STRINGIFIERS: Readonly<Record<string, (value: unknown, name: string) => string>> = {
  via: (h, name) => {
    let s = '';
    for (const via of list(h, name)) {
      if (!isObject(via)) throw shapeError(name, 'not a Via');
      if (!via.host) continue;
      if (typeof via.protocol !== 'string') throw shapeError(name, 'no transport');
      const version = via.version ? scalar(via.version, name) : '2.0';
      s += `Via: SIP/${version}/${via.protocol.toUpperCase()} ${scalar(via.host, name)}${via.port ? `:${scalar(via.port, name)}` : ''}${paramsText(via.params, name)}\r\n`;
    }
    return s;
  },
  to: (h, name) => `To: ${aorText(h, name)}\r\n`,
  from: (h, name) => `From: ${aorText(h, name)}\r\n`,
  contact: (h, name) => {
    if (h === '*' || !Array.isArray(h) || h.length === 0) return 'Contact: *\r\n';
    return `Contact: ${(h as unknown[]).map((x) => aorText(x, name)).join(', ')}\r\n`;
  },
  route: addressList('Route'),
  'record-route': addressList('Record-Route'),
  path: addressList('Path'),
  cseq: (h, name) => {
    if (!isObject(h)) throw shapeError(name, 'not a CSeq');
    return `CSeq: ${scalar(h.seq, name)} ${scalar(h.method, name)}\r\n`;
  },
  'www-authenticate': authList('WWW-Authenticate'),
  'proxy-authenticate': authList('Proxy-Authenticate'),
  authorization: authList('Authorization'),
  'proxy-authorization': authList('Proxy-Authorization'),
  'authentication-info': (h, name) => `Authentication-Info: ${authText(h, name)}\r\n`,
  'refer-to': (h, name) => `Refer-To: ${aorText(h, name)}\r\n`,
};

/** Names seen so far, capitalised. Header names come from our own code; the cap only bounds a bug. */
const NAMES = new Map<string, string>([['call-id', 'Call-ID']]);
const MAX_NAMES = 512;

/** `content-type` → `Content-Type`: each letter after a word boundary upper-cased, as the package does. */
function headerName(name: string): string {
  const known = NAMES.get(name);
  if (known !== undefined) return known;
  const pretty = name.replace(/\b([a-z])/g, (c) => c.toUpperCase());
  if (NAMES.size < MAX_NAMES) NAMES.set(name, pretty);
  return pretty;
}

import type { SipCSeq, SipMessage, SipNameAddr, SipOutgoingMessage, SipUri, SipVia } from 'sip';
import { randomHex } from './random-hex.js';
import type { Endpoint } from './sip-types.js';

/**
 * Message helpers over the `sip` package's parsed shapes. The `sip` package works on latin1 strings
 * (one char per byte); everything that leaves this layer as text for people (display names, bodies)
 * is converted to UTF-8 here, and everything we put into a message is converted back.
 */

/** Methods this engine implements (RFC 3261 §20.5 Allow). */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO'] as const;
export const ALLOW = ALLOWED_METHODS.join(', ');
/** Known SIP methods we deliberately do not implement: 405 with Allow (§21.4.6); anything else is 501 (§21.5.2). */
export const KNOWN_UNSUPPORTED_METHODS: ReadonlySet<string> = new Set([
  'REGISTER', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'MESSAGE', 'REFER', 'UPDATE', 'PRACK',
]);
export const SUPPORTED = 'replaces';

/** RFC 3261 §8.1.1.7: branch IDs of RFC 3261 elements start with this magic cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** A request that passed validation: every header a UAS needs is present and parsed. */
export interface SipRequest {
  readonly message: SipMessage;
  readonly method: string;
  readonly uri: string;
  readonly requestUri: SipUri;
  readonly via: readonly SipVia[];
  readonly topVia: SipVia;
  readonly from: SipNameAddr;
  readonly fromTag: string;
  readonly to: SipNameAddr;
  readonly toTag: string | undefined;
  readonly callId: string;
  readonly cseq: SipCSeq;
  /** Body as latin1 (bytes); use bodyText() for UTF-8 text. */
  readonly body: string;
  /** Media type of the body, lower case, without parameters; undefined when there is no body. */
  readonly contentType: string | undefined;
  readonly source: Endpoint;
  /** Epoch ms when the transport read the datagram or TCP segment (before parsing or any queueing). */
  readonly receivedAt: number;
}

/** A response as parsed, with the fields transaction matching needs. */
export interface SipResponse {
  readonly message: SipMessage;
  readonly status: number;
  readonly reason: string;
  readonly branch: string | undefined;
  readonly cseq: SipCSeq;
  readonly body: string;
}

/** Any char outside US-ASCII: without one, latin1 and UTF-8 spell a string the same way. */
const NON_ASCII = /[\u0080-\uffff]/;

export function latin1ToUtf8(s: string): string {
  // SDP bodies, user parts and most display names are ASCII: no round trip through a Buffer.
  return NON_ASCII.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}

export function utf8ToLatin1(s: string): string {
  return NON_ASCII.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

export function bodyText(req: { readonly body: string }): string {
  return latin1ToUtf8(req.body);
}

/** A generic header as a string (the `sip` parser joins repeated generic headers with commas). */
export function headerString(message: SipMessage, name: string): string | undefined {
  const value = message.headers[name];
  return typeof value === 'string' ? value : undefined;
}

export function paramString(params: Record<string, string | null> | undefined, name: string): string | undefined {
  const value = params?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Media type without parameters, lower case: `Application/SDP; charset=x` → `application/sdp`. */
export function mediaTypeOf(message: SipMessage): string | undefined {
  const value = headerString(message, 'content-type');
  if (value === undefined) return undefined;
  const type = value.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}

/** User part of a SIP URI string (`sip:12345@host` → `12345`), '' when none; percent-escapes decoded. */
export function userOf(uri: string | SipUri | undefined): string {
  if (uri === undefined) return '';
  const user = typeof uri === 'string' ? /^sips?:([^@;?>]+)@/i.exec(uri.trim())?.[1] : uri.user;
  if (user === undefined) return '';
  try {
    return latin1ToUtf8(decodeURIComponent(user.split(':')[0] ?? ''));
  } catch {
    return user;
  }
}

/** Display name of a name-addr, unquoted and as UTF-8 (`"张三" <sip:…>` → `张三`). */
export function displayNameOf(addr: SipNameAddr): string | undefined {
  const name = addr.name?.trim();
  if (name === undefined || name === '') return undefined;
  const unquoted = name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1).replace(/\\(.)/g, '$1') : name;
  return latin1ToUtf8(unquoted);
}

/** RFC 3261 §19.3: tags and Call-IDs need at least 32 bits of randomness. */
export function newTag(): string {
  return randomHex(6);
}

export function newBranch(): string {
  return MAGIC_COOKIE + randomHex(10);
}

/** A copy of a name-addr with a tag: used for the To of our responses (§8.2.6.2). */
export function withTag(addr: SipNameAddr, tag: string | undefined): SipNameAddr {
  if (tag === undefined || paramString(addr.params, 'tag') !== undefined) return addr;
  return { ...addr, params: { ...addr.params, tag } };
}

export interface ResponseOptions {
  /** To-tag to add when the request's To has none (never on 100 Trying, §8.2.6.2). */
  readonly toTag?: string;
  /** Extra headers, lower-case names, values already formatted. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Body as UTF-8 text; converted to latin1 here so Content-Length counts bytes. */
  readonly body?: string;
}

/**
 * Builds a response to `req` (RFC 3261 §8.2.6.2): Via (with received/rport as set on arrival),
 * From, To (+ tag), Call-ID and CSeq copied from the request.
 */
export function buildResponse(req: SipRequest, status: number, reason: string, options: ResponseOptions = {}): SipOutgoingMessage {
  const headers: Record<string, unknown> = {
    via: req.via,
    from: req.from,
    to: status === 100 ? req.to : withTag(req.to, options.toTag),
    'call-id': req.callId,
    cseq: req.cseq,
  };
  // §12.1.1: a response that establishes a dialog (18x/2xx to INVITE) copies the Record-Route of
  // the request, so the caller's in-dialog requests pass the same proxies (a carrier's SBC).
  const recordRoute = req.message.headers['record-route'];
  if (req.method === 'INVITE' && status > 100 && status < 300 && recordRoute !== undefined) headers['record-route'] = recordRoute;
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name] = value;
  const content = options.body === undefined ? undefined : utf8ToLatin1(options.body);
  return { status, reason, version: '2.0', headers, ...(content === undefined ? {} : { content }) };
}

/** Headers answering OPTIONS (§11.2): what we accept and support. */
export function capabilityHeaders(): Record<string, string> {
  return { allow: ALLOW, accept: 'application/sdp', 'accept-language': 'zh-CN, en', supported: SUPPORTED };
}

/**
 * The refusal for a method we do not handle: 405 with Allow for SIP methods we know but do not
 * implement (§8.2.1, §21.4.6), 501 for methods we do not recognise (§21.5.2).
 */
export function methodRefusal(method: string): { status: number; reason: string; headers: Record<string, string> } {
  return KNOWN_UNSUPPORTED_METHODS.has(method) || (ALLOWED_METHODS as readonly string[]).includes(method)
    ? { status: 405, reason: 'Method Not Allowed', headers: { allow: ALLOW } }
    : { status: 501, reason: 'Not Implemented', headers: { allow: ALLOW } };
}

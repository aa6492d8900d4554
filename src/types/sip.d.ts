/**
 * Types for the parts of the untyped `sip` package (0.0.6, CommonJS) that src/sip uses: its message
 * parser and stringifier. Strings are latin1 ("binary"): one char per byte; convert UTF-8 at the edge.
 */
declare module 'sip' {
  export interface SipUri {
    schema: string;
    user?: string;
    password?: string;
    host: string;
    /** NaN when the URI has no port. */
    port: number;
    params: Record<string, string | null>;
    headers: Record<string, string>;
  }

  /** Name-addr as parsed for To, From and Contact: the URI stays a string. */
  export interface SipNameAddr {
    name?: string;
    uri: string;
    params: Record<string, string | null>;
  }

  /** Name-addr as parsed for Route and Record-Route: the URI is parsed (undefined when it does not parse). */
  export interface SipRouteAddr {
    name?: string;
    uri: SipUri | undefined;
    params: Record<string, string | null>;
  }

  export interface SipVia {
    version: string;
    protocol: string;
    host: string;
    port?: number;
    params: Record<string, string | null>;
  }

  export interface SipCSeq {
    seq: number;
    method: string;
  }

  /**
   * A parsed WWW-Authenticate / Proxy-Authenticate / Authorization / Proxy-Authorization header
   * (RFC 3261 §25.1 digest): `scheme` and each parameter, values as written (quoted strings keep their quotes).
   */
  export interface SipAuthHeader {
    scheme: string;
    [param: string]: string | undefined;
  }

  /** Parsed headers; a header whose value failed to parse is left undefined. Other headers are strings. */
  export interface SipHeaders {
    'www-authenticate'?: SipAuthHeader[];
    'proxy-authenticate'?: SipAuthHeader[];
    authorization?: SipAuthHeader[];
    'proxy-authorization'?: SipAuthHeader[];
    via?: SipVia[];
    to?: SipNameAddr;
    from?: SipNameAddr;
    'call-id'?: string;
    cseq?: SipCSeq;
    contact?: SipNameAddr[] | '*';
    route?: SipRouteAddr[];
    'record-route'?: SipRouteAddr[];
    'content-length'?: number;
    [name: string]: unknown;
  }

  export interface SipMessage {
    method?: string;
    uri?: string;
    status?: number;
    reason?: string;
    version: string;
    headers: SipHeaders;
    content?: string;
  }

  /** A message to stringify: header values are parsed shapes or raw strings. */
  export interface SipOutgoingMessage {
    method?: string;
    uri?: string;
    status?: number;
    reason?: string;
    version?: string;
    headers: Record<string, unknown>;
    content?: string;
  }

  /** Parses one datagram (or a framed stream message); undefined when the start line or a header line is unreadable. */
  export function parse(data: Buffer | string): SipMessage | undefined;
  export function stringify(message: SipOutgoingMessage): string;
  export function parseUri(uri: string): SipUri | undefined;
  export function stringifyUri(uri: SipUri | string): string;
  export function generateBranch(): string;
}

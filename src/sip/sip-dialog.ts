import { isIP } from 'node:net';
import { parseUri, stringifyUri, type SipMessage, type SipNameAddr, type SipOutgoingMessage, type SipRouteAddr, type SipUri } from 'sip';
import { newBranch, paramString, utf8ToLatin1, withTag, type SipRequest } from './sip-message.js';
import { isFlowOnly, transportParam, type Endpoint, type TransportKind } from './sip-types.js';

export interface DialogRequest {
  readonly message: SipOutgoingMessage;
  readonly target: Endpoint;
  readonly branch: string;
}

/**
 * Dialog state (RFC 3261 §12): ids, route set, remote target and CSeq counters, and the building of
 * in-dialog requests (§12.2.1.1). Created for a UAS from an INVITE (§12.1.1) and for a UAC from the
 * 2xx to its INVITE (§12.1.2).
 */
export class SipDialog {
  private localSeq: number;
  private remoteSeq: number;
  private remoteTarget: string;

  private constructor(
    readonly callId: string,
    readonly localTag: string,
    readonly remoteTag: string,
    private readonly localAddr: SipNameAddr,
    private readonly remoteAddr: SipNameAddr,
    private readonly routeSet: readonly SipRouteAddr[],
    remoteTarget: string,
    remoteSeq: number,
    /** Where the dialog-creating request came from: fallback next hop when the target is not an IP literal. */
    private origin: Endpoint,
    private readonly via: { readonly address: string; readonly port: number },
    localSeq?: number,
  ) {
    this.remoteTarget = remoteTarget;
    this.remoteSeq = remoteSeq;
    // §12.1.1: the UAS's local sequence number starts empty; §8.1.1.5 lets us pick any start below 2**31.
    this.localSeq = localSeq ?? 1 + Math.floor(Math.random() * 10000);
  }

  /**
   * §12.1.2: UAC dialog from the 2xx to our INVITE: route set = Record-Route reversed, remote target =
   * Contact of the 2xx, remote tag = its To tag, local sequence number = the INVITE's CSeq.
   */
  static fromOutboundInvite(
    invite: { readonly callId: string; readonly from: SipNameAddr; readonly cseq: number; readonly requestUri: string },
    response: SipMessage,
    sentTo: Endpoint,
    via: { address: string; port: number },
  ): SipDialog | undefined {
    const to = response.headers.to;
    const remoteTag = paramString(to?.params, 'tag');
    const localTag = paramString(invite.from.params, 'tag');
    if (!to || remoteTag === undefined || localTag === undefined) return undefined;
    const rr = response.headers['record-route'];
    const contact = response.headers.contact;
    const target = Array.isArray(contact) && contact[0] ? contact[0].uri : invite.requestUri;
    const routes = Array.isArray(rr) ? rr.filter((r) => r.uri !== undefined).reverse() : [];
    return new SipDialog(invite.callId, localTag, remoteTag, invite.from, to, routes, target, 0, sentTo, via, invite.cseq);
  }
  /** §12.1.1: UAS dialog from an INVITE and our To tag; route set is Record-Route in order. */
  static fromInvite(req: SipRequest, localTag: string, via: { address: string; port: number }): SipDialog {
    const rr = req.message.headers['record-route'];
    const contact = req.message.headers.contact;
    const target = Array.isArray(contact) && contact[0] ? contact[0].uri : req.from.uri;
    return new SipDialog(
      req.callId,
      localTag,
      req.fromTag,
      withTag(req.to, localTag),
      req.from,
      Array.isArray(rr) ? rr.filter((r) => r.uri !== undefined) : [],
      target,
      req.cseq.seq,
      req.source,
      via,
    );
  }

  /**
   * The WebSocket connection every request of this dialog goes over (RFC 7118 §5), or undefined when
   * the dialog's peer can be reached by address.
   */
  get flow(): Endpoint | undefined {
    return isFlowOnly(this.origin.transport) ? this.origin : undefined;
  }

  /**
   * The peer came back on a new WebSocket connection (its old one dropped) and sent a request of this
   * dialog over it: requests go over the new one from now on (RFC 5626 §4.2.1 spirit: the newest flow).
   */
  moveFlow(source: Endpoint): void {
    if (isFlowOnly(this.origin.transport) && isFlowOnly(source.transport)) this.origin = source;
  }

  /** True when the request's tags name this dialog (§12.2.2). */
  matches(req: SipRequest): boolean {
    return req.callId === this.callId && req.toTag === this.localTag && req.fromTag === this.remoteTag;
  }

  /**
   * §12.2.2: a request with a CSeq lower than the last one is out of order (answered 500); ACK and
   * CANCEL carry the CSeq of the request they refer to and are not checked.
   */
  acceptRemoteSeq(req: SipRequest): boolean {
    if (req.method === 'ACK' || req.method === 'CANCEL') return true;
    if (req.cseq.seq < this.remoteSeq) return false;
    this.remoteSeq = req.cseq.seq;
    return true;
  }

  /** §12.2.2: a target refresh request (re-INVITE) replaces the remote target with its Contact. */
  refreshTarget(req: SipRequest): void {
    const contact = req.message.headers.contact;
    if (Array.isArray(contact) && contact[0]?.uri) this.remoteTarget = contact[0].uri;
  }

  /** §12.2.1.1: a request within the dialog, with the next CSeq, the route set and our Via. */
  createRequest(method: string, options: { headers?: Record<string, string>; body?: string } = {}): DialogRequest {
    this.localSeq += 1;
    return this.build(method, this.localSeq, options);
  }

  /** §13.2.2.4: the ACK for a 2xx: same CSeq number as the INVITE, a new branch, the route set. */
  createAck(inviteSeq: number, options: { body?: string; headers?: Record<string, string> } = {}): DialogRequest {
    return this.build('ACK', inviteSeq, options);
  }

  private build(method: string, seq: number, options: { headers?: Record<string, string>; body?: string }): DialogRequest {
    const targetUri = parseUri(this.remoteTarget);
    const first = this.routeSet[0];
    const firstUri = first?.uri;
    let requestUri = this.remoteTarget;
    let routes: readonly SipRouteAddr[] = this.routeSet;
    let nextHop: SipUri | undefined = targetUri;
    if (first && firstUri) {
      nextHop = firstUri;
      if (!('lr' in firstUri.params)) {
        // Strict router (RFC 2543): it becomes the Request-URI and the remote target the last Route.
        requestUri = stringifyUri(firstUri);
        routes = [...this.routeSet.slice(1), { uri: targetUri, params: {} }];
      }
    }
    const target = this.resolve(nextHop);
    const branch = newBranch();
    const transportName = target.transport.toUpperCase();
    const headers: Record<string, unknown> = {
      via: [{ version: '2.0', protocol: transportName, host: this.via.address, port: this.via.port, params: { branch, rport: null } }],
      'max-forwards': '70',
      to: this.remoteAddr,
      from: this.localAddr,
      'call-id': this.callId,
      cseq: { seq, method },
    };
    if (routes.length > 0) headers.route = routes;
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name] = value;
    const content = options.body === undefined ? undefined : utf8ToLatin1(options.body);
    const message: SipOutgoingMessage = { method, uri: requestUri, version: '2.0', headers, ...(content === undefined ? {} : { content }) };
    return { message, target, branch };
  }

  /**
   * Next hop of a URI: IP literal host, port (default 5060) and `transport` param (RFC 3263 without DNS:
   * the `sip` stack resolves names with DNS only, so a name falls back to where the INVITE came from).
   * On TCP the connection the INVITE arrived on is reused while it is open.
   */
  private resolve(uri: SipUri | undefined): Endpoint {
    if (isFlowOnly(this.origin.transport)) return this.origin;
    if (uri === undefined || isIP(uri.host.replace(/^\[|\]$/g, '')) === 0) return this.origin;
    const param = transportParam(paramString(uri.params, 'transport'));
    const transport: TransportKind = param === 'tcp' || param === 'udp' || param === 'tls' ? param : this.origin.transport;
    const port = Number.isFinite(uri.port) && uri.port > 0 ? uri.port : transport === 'tls' ? 5061 : 5060;
    return transport !== 'udp' && transport === this.origin.transport
      ? { transport, address: uri.host, port, ...(this.origin.connectionId === undefined ? {} : { connectionId: this.origin.connectionId }) }
      : { transport, address: uri.host, port };
  }
}

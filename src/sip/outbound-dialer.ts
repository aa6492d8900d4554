import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { parseUri, type SipUri } from 'sip';
import type { Logger } from '../logging/logger.js';
import type { MediaEngine } from '../media/media-types.js';
import { ConfigError } from '../shared/app-error.js';
import { DialError, type DialRequest } from '../telephony/call-leg.js';
import type { InviteSpec } from './outbound-invite.js';
import type { Registrar } from './registrar.js';
import { paramString } from './sip-message.js';
import { SipOutboundCallLeg, type OutboundLegHost } from './sip-outbound-call-leg.js';
import { transportParam, type Endpoint, type TransportKind } from './sip-types.js';

export interface TrunkOptions {
  /** SIP URI of the outbound proxy / trunk with an IP literal host, e.g. `sip:10.0.0.5:5060;transport=udp`. */
  readonly outboundProxy?: string | undefined;
  readonly trunkUser?: string | undefined;
  readonly trunkPassword?: string | undefined;
}

export interface DialerDeps {
  readonly host: OutboundLegHost;
  readonly media: MediaEngine;
  readonly logger: Logger;
  readonly registrar: Registrar | undefined;
  readonly trunk: TrunkOptions;
  /** The engine keeps the leg (in-dialog requests, activeCalls, drain) until it ends. */
  readonly track: (leg: SipOutboundCallLeg) => void;
  /** Why new calls are refused (draining, closed), or undefined. */
  readonly refusal: () => string | undefined;
}

const unbracket = (host: string): string => host.replace(/^\[|\]$/g, '');

/** Next hop of a SIP URI with an IP literal host (RFC 3263 without DNS); undefined for a host name. */
function endpointOf(uri: SipUri): Endpoint | undefined {
  const host = unbracket(uri.host);
  if (isIP(host) === 0) return undefined;
  const param = transportParam(paramString(uri.params, 'transport'));
  // RFC 3261 §19.1.2/§26.2.2: a sips: URI is reached over TLS, port 5061 by default.
  const transport: TransportKind = /^sips$/i.test(uri.schema) || param === 'tls' ? 'tls' : param === 'tcp' ? 'tcp' : 'udp';
  return { transport, address: host, port: Number.isFinite(uri.port) && uri.port > 0 ? uri.port : transport === 'tls' ? 5061 : 5060 };
}

/** Parses the outbound proxy option at start-up: a bad value is a configuration error, not a failed call. */
export function parseProxy(proxy: string | undefined): { uri: SipUri; next: Endpoint } | undefined {
  if (proxy === undefined || proxy === '') return undefined;
  const uri = parseUri(proxy);
  const next = uri && endpointOf(uri);
  if (!uri || !next) throw new ConfigError(`outboundProxy must be a SIP URI with an IP literal host, got "${proxy}"`);
  return { uri, next };
}

/**
 * Places outbound calls (RFC 3261 §13.2): resolves the target (`sip:` URI with an IP literal,
 * `ext:` registered extension, `tel:` number through the outbound proxy), creates the media session
 * and starts the leg's INVITE. Failures known before any SIP is sent end the leg at once.
 */
export class OutboundDialer {
  private readonly proxy: { uri: SipUri; next: Endpoint } | undefined;
  /** Trunk proxies parsed once, by URI. */
  private readonly trunkProxies = new Map<string, { uri: SipUri; next: Endpoint }>();

  constructor(private readonly deps: DialerDeps) {
    this.proxy = parseProxy(deps.trunk.outboundProxy);
  }

  originate(request: DialRequest, signal?: AbortSignal): SipOutboundCallLeg {
    const { host, media, logger } = this.deps;
    const callId = `${randomBytes(10).toString('hex')}@${host.publicAddress}`;
    const resolved = this.resolve(request);
    const leg = new SipOutboundCallLeg(
      host,
      { callId, fromUser: request.fromUser, fromDisplayName: request.fromDisplayName, to: resolved instanceof DialError ? request.target : resolved.user },
      logger,
    );
    this.deps.track(leg);
    if (resolved instanceof DialError) {
      leg.failBeforeInvite(resolved, { reason: 'error', by: 'local' });
      return leg;
    }
    media.createSession(callId).then(
      (session) => {
        leg.start(resolved.spec, session, signal);
      },
      (err: unknown) => {
        leg.failBeforeInvite(new DialError('failed', 'no media session for the call', { cause: err }), { reason: 'media-failure', by: 'local' });
      },
    );
    return leg;
  }

  private trunkProxy(proxy: string): { uri: SipUri; next: Endpoint } | undefined {
    let parsed = this.trunkProxies.get(proxy);
    if (parsed === undefined) {
      try {
        parsed = parseProxy(proxy);
      } catch {
        return undefined;
      }
      if (parsed) this.trunkProxies.set(proxy, parsed);
    }
    return parsed;
  }

  private resolve(request: DialRequest): { spec: InviteSpec; user: string } | DialError {
    const refusal = this.deps.refusal();
    if (refusal !== undefined) return new DialError('unavailable', refusal);
    if (!Number.isFinite(request.timeoutMs) || request.timeoutMs <= 0) return new DialError('failed', 'timeoutMs must be > 0');
    const target = request.target.trim();
    const base = { headers: request.headers ?? {}, timeoutMs: request.timeoutMs };
    const publicHost = this.deps.host.publicAddress.includes(':') ? `[${this.deps.host.publicAddress}]` : this.deps.host.publicAddress;
    const ext = /^ext:([0-9A-Za-z*#+._-]+)$/.exec(target)?.[1];
    if (ext !== undefined) {
      const binding = this.deps.registrar?.lookup(ext);
      if (!binding) return new DialError('unavailable', `extension ${ext} is not registered`);
      return { user: ext, spec: { ...base, requestUri: binding.contact, toUri: `sip:${ext}@${publicHost}`, next: binding.target, webrtc: binding.webrtc } };
    }
    const tel = /^tel:(\+?[0-9*#]+)$/.exec(target)?.[1];
    if (tel !== undefined) {
      const trunk = request.trunk;
      const proxy = trunk === undefined ? this.proxy : this.trunkProxy(trunk.proxy);
      if (!proxy) return new DialError('failed', `cannot call ${target}: no outboundProxy configured for tel: targets`);
      const { trunkUser, trunkPassword } = this.deps.trunk;
      // A trunk of the trunks file is addressed with its port (a carrier SBC checks the Request-URI is
      // itself); SIP_OUTBOUND_PROXY keeps the host-only form it always had.
      const port = trunk !== undefined && proxy.uri.port > 0 ? `:${proxy.uri.port}` : '';
      const uri = `sip:${encodeURIComponent(tel)}@${proxy.uri.host}${port}`;
      const credentials =
        trunk !== undefined
          ? trunk.credentials && { user: trunk.credentials.username, password: trunk.credentials.password }
          : trunkUser !== undefined && trunkPassword !== undefined
            ? { user: trunkUser, password: trunkPassword }
            : undefined;
      return { user: tel, spec: { ...base, requestUri: uri, toUri: uri, next: proxy.next, credentials } };
    }
    const uri = /^sips?:/i.test(target) ? parseUri(target) : undefined;
    if (!uri) return new DialError('failed', 'target must be sip:user@ip[:port], ext:<extension> or tel:<number>');
    const next = endpointOf(uri);
    if (!next) return new DialError('failed', 'sip: targets need an IP literal host (no DNS)');
    return { user: uri.user ?? '', spec: { ...base, requestUri: target, toUri: target.replace(/;.*$/, ''), next } };
  }
}

/** Shared shapes of the SIP engine: where a message came from and where one goes. */
export type TransportKind = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** RFC 3261 §17.1.1.2/§17.2.1: on a reliable (stream) transport requests and responses are not retransmitted. */
export function isReliable(kind: TransportKind): boolean {
  return kind !== 'udp';
}

/**
 * SIP over WebSocket (RFC 7118 §5): the client cannot be connected to; every request for it goes over the
 * connection it opened (the flow, RFC 5626 §5.3), and a response whose connection closed cannot be sent.
 */
export function isFlowOnly(kind: TransportKind): boolean {
  return kind === 'ws' || kind === 'wss';
}

/** The `;transport=` parameter of our Contact for a peer on `kind` (none for UDP, the default, §19.1.1). */
export function contactTransport(kind: TransportKind): string {
  return kind === 'udp' ? '' : `;transport=${kind}`;
}

/** A `transport=` URI parameter (RFC 3261 §19.1.1, RFC 7118 §5.2) as a transport kind; undefined for other values. */
export function transportParam(value: string | undefined): TransportKind | undefined {
  const v = value?.toLowerCase();
  return v === 'udp' || v === 'tcp' || v === 'tls' || v === 'ws' || v === 'wss' ? v : undefined;
}

/** A network peer: the transport, its address and port; for TCP, the connection it arrived on. */
export interface Endpoint {
  readonly transport: TransportKind;
  readonly address: string;
  readonly port: number;
  /** Stream transports (TCP, TLS, WS): id of the connection the message arrived on (responses go back over it, RFC 3261 §18.2.2). */
  readonly connectionId?: number;
}

/** RFC 3261 timer values (§17.1.1.1, table 4). T1 is configurable so tests can run the timers quickly. */
export interface SipTimers {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;
  /** 64*T1: Timers B, F, H, J. */
  readonly txTimeout: number;
}

export function sipTimers(t1Ms: number): SipTimers {
  return { t1: t1Ms, t2: 8 * t1Ms, t4: 10 * t1Ms, txTimeout: 64 * t1Ms };
}

/** Shared shapes of the SIP engine: where a message came from and where one goes. */
export type TransportKind = 'udp' | 'tcp';

/** A network peer: the transport, its address and port; for TCP, the connection it arrived on. */
export interface Endpoint {
  readonly transport: TransportKind;
  readonly address: string;
  readonly port: number;
  /** TCP only: id of the connection the message arrived on (responses go back over it, RFC 3261 §18.2.2). */
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

/**
 * Who may start a call, and which IVR flow answers it: the engines ask this port for every
 * out-of-dialog request except REGISTER (agents register from anywhere; digest decides) and
 * OPTIONS (keep-alive probes are answered), before any transaction, leg, RTP port or record.
 */

/** Where an admitted call goes. */
export interface InboundRoute {
  /** The trunk the request came from; undefined for a registered agent or a lab's open door. */
  readonly trunk: string | undefined;
  /** The IVR flow file, or undefined for the server's inbound flow (IVR_FLOW). */
  readonly flow: string | undefined;
  /** Codecs the trunk allows (e.g. `['PCMA']`); undefined: every codec the engine speaks. */
  readonly codecs?: readonly string[] | undefined;
}

export type InboundVerdict =
  | { readonly admit: true; readonly route: InboundRoute }
  /** 403: the source is no trunk (the engine still admits a registered agent's address); 404: no such number on the trunk. */
  | { readonly admit: false; readonly status: 403 | 404; readonly reason: string };

export interface InboundGate {
  /** `address`: the packet's source IP as the socket reported it; `dialled`: Request-URI user (else To user), as received. */
  check(address: string, dialled: string): InboundVerdict;
}

import type { Logger } from '../logging/logger.js';
import type { Clock, Timer } from '../shared/clock.js';
import type { Registrar } from './registrar.js';
import type { SipCallLeg } from './sip-call-leg.js';
import type { SipOutboundCallLeg } from './sip-outbound-call-leg.js';
import type { Endpoint } from './sip-types.js';

/**
 * The close of a browser phone's WebSocket whose registration another phone took over (a second tab,
 * the desk softphone): RFC 6455 §7.4.2 leaves 4000–4999 to applications. The page shows 已被接管
 * instead of reconnecting and taking the extension back by itself.
 */
export const FLOW_TAKEN_OVER = { code: 4001, reason: 'registration taken over' } as const;
/** A call still on a taken-over socket ends first; the socket closes this long after, so its BYE exchange completes. */
export const TAKEN_OVER_CLOSE_DELAY_MS = 2000;

type Leg = SipCallLeg | SipOutboundCallLeg;

export interface WsFlowKeeperDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registrar: Registrar | undefined;
  /** The engine's live legs, inbound and outbound. */
  readonly legs: () => Leg[];
  /** Closes a WebSocket flow with an application close code (SipTransport.closeFlow). */
  readonly closeFlow: (flow: Endpoint, code: number, reason: string) => void;
  /** How long an answered call waits for its dropped socket to come back (SIP_WS_CALL_GRACE_S). */
  readonly callGraceMs: number;
}

/**
 * What happens to registrations and calls when a WebSocket flow (RFC 7118 §5: the only way to reach a
 * browser) ends or is taken over. Its timers are cleared by close().
 */
export class WsFlowKeeper {
  private readonly timers = new Set<Timer>();
  private closed = false;

  constructor(private readonly deps: WsFlowKeeperDeps) {}

  /**
   * A WebSocket client's connection closed: its registration ends now; its ringing calls end now
   * (nothing can answer or be cancelled); its answered calls end like a hangup after the grace, unless
   * it came back on a new connection and a request of the call arrived over it (SipLegBase moves the
   * dialog then).
   */
  flowClosed(source: Endpoint): void {
    this.deps.registrar?.flowClosed(source);
    const onFlow = legOnFlow(source);
    for (const leg of this.deps.legs().filter(onFlow)) {
      if (leg.state === 'ringing') {
        leg.flowLost();
        continue;
      }
      leg.logger.info('sip: websocket of an answered call closed; waiting for it to come back', { graceMs: this.deps.callGraceMs });
      this.later(() => {
        if (onFlow(leg)) leg.flowLost();
      }, this.deps.callGraceMs);
    }
  }

  /**
   * A newer registration replaced the binding of a WebSocket flow: the flow is closed with 4001 so the
   * browser knows (it would otherwise sit 已注册 and never ring). A call on it is not cut: the close
   * waits until every call on the flow has ended, then TAKEN_OVER_CLOSE_DELAY_MS. A flow that
   * registered again meanwhile is kept.
   */
  flowReplaced(flow: Endpoint): void {
    const onFlow = legOnFlow(flow);
    const close = (): void => {
      if (this.closed || this.deps.registrar?.bindsFlow(flow) === true) return;
      this.deps.closeFlow(flow, FLOW_TAKEN_OVER.code, FLOW_TAKEN_OVER.reason);
    };
    const busy = this.deps.legs().filter(onFlow);
    if (busy.length === 0) {
      close();
      return;
    }
    this.deps.logger.info('sip: websocket taken over during a call; closing it after the call', { calls: busy.length });
    const check = (): void => {
      if (busy.some(onFlow)) return;
      for (const leg of busy) leg.events.off('ended', check);
      this.later(close, TAKEN_OVER_CLOSE_DELAY_MS);
    };
    for (const leg of busy) leg.events.on('ended', check);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) this.deps.clock.clearTimeout(timer);
    this.timers.clear();
  }

  private later(run: () => void, ms: number): void {
    if (this.closed) return;
    const timer = this.deps.clock.setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }
}

function legOnFlow(flow: Endpoint): (leg: Leg) => boolean {
  return (leg) => leg.state !== 'ended' && leg.flow?.transport === flow.transport && leg.flow.connectionId === flow.connectionId;
}

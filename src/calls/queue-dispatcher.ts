import type { AcdEvents } from '../acd/acd-events.js';
import type { Logger } from '../logging/logger.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import type { CallLeg } from '../telephony/call-leg.js';
import type { EnqueueOptions } from './inbound-call-session.js';
import { QueuedCall, type QueueDesk, type QueuedCallDeps, type QueuedCallEnd } from './queued-call.js';

export interface QueueDispatcherDeps extends QueuedCallDeps {
  readonly acd: QueueDesk & { readonly observer: TypedEmitter<AcdEvents> };
}

/**
 * Connects the ACD's decisions to the calls waiting in it: one listener per ACD event for the
 * whole process, routed to the QueuedCall of that call id (no listener per call).
 */
export interface QueueDispatcherEvents extends Record<string, unknown[]> {
  /** A caller asked to be called back (the request is stored by the ACD). */
  callback: [callId: string];
}

export class QueueDispatcher {
  readonly events = new TypedEmitter<QueueDispatcherEvents>();
  private readonly calls = new Map<string, QueuedCall>();
  private readonly log: Logger;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: QueueDispatcherDeps) {
    this.log = deps.logger.child({ component: 'queue-dispatcher' });
    this.events.reportListenerErrorsTo((event, err) => {
      this.log.error('queue dispatcher listener failed', { event, error: err instanceof Error ? err.message : String(err) });
    });
    const on = <K extends keyof AcdEvents & string>(event: K, listener: (...args: AcdEvents[K]) => void): void => {
      deps.acd.observer.on(event, listener);
      this.unsubscribe.push(() => deps.acd.observer.off(event, listener));
    };
    on('offer', (e) => {
      this.with(e.callId, (c) => {
        c.offer(e);
      });
    });
    on('offer-withdrawn', (e) => {
      this.with(e.callId, (c) => {
        c.withdraw(e.agentId);
      });
    });
    on('max-wait', (e) => {
      this.with(e.callId, (c) => {
        c.maxWait(e);
      });
    });
    on('announce', (e) => {
      this.with(e.callId, (c) => {
        c.announce(e);
      });
    });
    on('overflow', (e) => {
      this.with(e.callId, (c) => {
        c.moved(e.to);
      });
    });
  }

  /** Puts an answered caller in `queue` and resolves when the queued part of the call is over. */
  async enqueue(leg: CallLeg, queue: string, options: EnqueueOptions = {}): Promise<QueuedCallEnd> {
    const call = new QueuedCall(leg, queue, this.deps, options);
    this.calls.set(leg.id, call);
    try {
      const end = await call.run();
      if (end.kind === 'callback') this.events.emit('callback', leg.id);
      return end;
    } finally {
      this.calls.delete(leg.id);
    }
  }

  /** Hangs up the conversation an agent is in (the desktop's hang-up button). False when there is none. */
  async hangupAgentCall(agentId: string): Promise<boolean> {
    for (const call of this.calls.values()) {
      // While the agent's phone only rings there is no conversation to end: false (an error frame).
      if (call.currentAgentId === agentId && (await call.hangupAgent())) return true;
    }
    return false;
  }

  get waitingCalls(): number {
    return this.calls.size;
  }

  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private with(callId: string, act: (call: QueuedCall) => void): void {
    const call = this.calls.get(callId);
    if (call) act(call);
    else this.log.warn('acd event for a call not in the queue', { callId });
  }
}

import type { Clock } from '../shared/clock.js';
import { InvalidStateError } from '../shared/app-error.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import type { Logger } from '../logging/logger.js';
import type { Flow } from './flow.js';
import type { NodeResult } from './flow-node.js';
import type { IvrChannel } from './ivr-channel.js';
import type { IvrOutcome, IvrResult } from './ivr-result.js';
import { KeyBuffer } from './key-buffer.js';
import { NodeContext } from './node-context.js';
import type { OrderLookup } from './order-lookup.js';
import type { Speech } from './speech/speech.js';
import type { AfterHoursDesk } from './after-hours.js';

export interface IvrSessionOptions {
  readonly flow: Flow;
  readonly channel: IvrChannel;
  readonly clock: Clock;
  /** A per-call child logger (with callId). Digits are not logged: they may be ID numbers. */
  readonly logger: Logger;
  /** Stops runaway flows: the run fails once this many nodes have been visited. Default 200. */
  readonly maxNodes?: number;
  /** Variables known from the start (e.g. set by calls/). */
  readonly variables?: Readonly<Record<string, string>>;
  /** Text to speech for `speak` nodes (media/'s synthesiser); absent, they play their fallback. */
  readonly speech?: Speech;
  /** Work orders for `order-status` nodes (calls/ over the ticket service); absent, they go to `notFound`. */
  readonly orders?: OrderLookup;
  /** Night mode for `queue` (its `closed` branch), `callback-request` and `record-message` nodes. */
  readonly afterHours?: AfterHoursDesk;
}

export interface IvrSessionEvents extends Record<string, unknown[]> {
  /** A node is about to run. */
  node: [node: { readonly id: string; readonly type: string }];
  /** The caller pressed a key. */
  digit: [digit: string];
  /** The run is over (also the value `run()` resolves with). */
  end: [result: IvrResult];
}

export const DEFAULT_MAX_NODES = 200;

/**
 * Runs one flow on one call: node after node until a node ends the run, the caller hangs up, or
 * the node cap is hit. `observer` reports progress live (calls/ records it, the wallboard shows it).
 */
export class IvrSession {
  readonly observer = new TypedEmitter<IvrSessionEvents>();
  private started = false;

  constructor(private readonly options: IvrSessionOptions) {}

  /** Runs the flow once. Never rejects: errors inside a node end the run as `failed`/`error`. */
  async run(): Promise<IvrResult> {
    if (this.started) throw new InvalidStateError('IvrSession.run() called twice');
    this.started = true;
    const { flow, channel, clock, logger } = this.options;
    const maxNodes = this.options.maxNodes ?? DEFAULT_MAX_NODES;
    const keys = new KeyBuffer(channel, clock);
    const variables = new Map(Object.entries(this.options.variables ?? {}));
    const ctx = new NodeContext(channel, keys, clock, logger, variables, this.options.speech, this.options.orders, this.options.afterHours);
    const path: string[] = [];
    const offDigit = keys.onKey((digit) => this.observer.emit('digit', digit));
    keys.start();

    let outcome: IvrOutcome;
    try {
      outcome = await this.walk(ctx, path, maxNodes);
    } finally {
      offDigit();
      keys.close();
    }
    const result: IvrResult = {
      ...outcome,
      digits: keys.pressed,
      path,
      variables: Object.fromEntries(variables),
      spoken: [...ctx.spoken],
      flow: flow.name,
      // Going on to an agent undoes a self-service: the caller was not served by the machine alone.
      selfServed: outcome.outcome !== 'queue' && flow.reachedSelfService(path),
    };
    logger.info('ivr run ended', { flow: flow.name, outcome: outcome.outcome, path });
    this.observer.emit('end', result);
    return result;
  }

  private async walk(ctx: NodeContext, path: string[], maxNodes: number): Promise<IvrOutcome> {
    const { flow, logger } = this.options;
    let id = flow.start;
    for (;;) {
      if (ctx.ended) return { outcome: 'caller-hangup' };
      const node = flow.node(id);
      if (node === undefined) return { outcome: 'failed', reason: 'error', nodeId: id, message: `unknown node "${id}"` };
      if (path.length >= maxNodes) {
        logger.warn('ivr node cap reached', { flow: flow.name, nodeId: id, maxNodes });
        return { outcome: 'failed', reason: 'node-limit', nodeId: id, message: `more than ${maxNodes} nodes visited` };
      }
      path.push(id);
      this.observer.emit('node', { id, type: node.type });
      let result: NodeResult;
      try {
        result = await node.run(ctx);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        logger.error('ivr node failed', { flow: flow.name, nodeId: id, error: message });
        return { outcome: 'failed', reason: 'error', nodeId: id, message };
      }
      if ('end' in result) return result.end;
      id = result.next;
    }
  }
}

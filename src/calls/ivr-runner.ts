import type { Logger } from '../logging/logger.js';
import { IvrSession, type AfterHoursDesk, type Flow, type OrderLookup, type Speech } from '../ivr/index.js';
import { InvalidStateError } from '../shared/app-error.js';
import type { Clock } from '../shared/clock.js';
import type { RunIvr } from './inbound-call-session.js';

/**
 * Builds the RunIvr of inbound calls: each call runs the flow in service when it is answered
 * (a flow reloaded mid-call does not change calls already in it).
 */
export function createIvrRunner(currentFlow: () => Flow | undefined, clock: Clock, speech?: Speech, orders?: OrderLookup, afterHours?: AfterHoursDesk): RunIvr {
  return async (channel, logger: Logger, onProgress, variables) => {
    const flow = currentFlow();
    if (!flow) throw new InvalidStateError('no IVR flow is loaded');
    const session = new IvrSession({
      flow,
      channel,
      clock,
      logger,
      ...(speech === undefined ? {} : { speech }),
      ...(orders === undefined ? {} : { orders }),
      ...(afterHours === undefined ? {} : { afterHours }),
      ...(variables === undefined ? {} : { variables }),
    });
    let digits = '';
    const path: string[] = [];
    session.observer.on('node', (node) => {
      path.push(node.id);
      onProgress({ digits, path: [...path] });
    });
    session.observer.on('digit', (digit) => {
      digits += digit;
      onProgress({ digits, path: [...path] });
    });
    const result = await session.run();
    const common = { outcome: result.outcome, digits: result.digits, path: result.path, variables: result.variables, spoken: result.spoken, flow: result.flow, selfServed: result.selfServed };
    return result.outcome === 'queue' ? { ...common, queue: result.queue, announce: result.announce } : common;
  };
}

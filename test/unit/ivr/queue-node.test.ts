import { expect } from 'chai';
import { createDefaultNodeRegistry } from '../../../src/ivr/default-node-registry.js';
import { FlowError } from '../../../src/ivr/flow-error.js';
import { parseFlow } from '../../../src/ivr/parse-flow.js';
import { IvrSession } from '../../../src/ivr/ivr-session.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { systemClock } from '../../../src/shared/clock.js';
import { hasPrompt } from './ivr-test-kit.js';
import type { IvrChannel } from '../../../src/ivr/ivr-channel.js';

const flow = (queue: string): string => `
name: q
start: ask
nodes:
  ask: { type: menu, prompt: [menu], options: { "0": agent } }
  agent: { type: queue, queue: ${queue}, prompts: [branch-agent] }
`;

const registry = () => createDefaultNodeRegistry({ isQueue: (q) => q === 'general' });

describe('queue node', () => {
  it('when the queue is not in the queues file, the flow is refused naming the node and the field', () => {
    expect(() => parseFlow(flow('genral'), 'f.yaml', { hasPrompt, registry: registry() })).to.throw(FlowError, /node "agent": queue: unknown queue/);
  });

  it('when no queues are configured, the queue node type is unknown', () => {
    expect(() => parseFlow(flow('general'), 'f.yaml', { hasPrompt })).to.throw(FlowError, /unknown node type "queue"/);
  });

  it('when the caller reaches it, it ends the run with outcome queue at once and hands its prompts over as the announcement', async () => {
    const played: string[][] = [];
    let digit: ((d: string) => void) | undefined;
    const channel: IvrChannel = {
      ended: false,
      play: (prompts) => {
        played.push([...prompts]);
        if (prompts[0] === 'menu') setImmediate(() => digit?.('0'));
        return Promise.resolve('completed');
      },
      onDigit: (listener) => {
        digit = listener;
        return () => (digit = undefined);
      },
      onEnded: () => () => undefined,
    };
    const parsed = parseFlow(flow('general'), 'f.yaml', { hasPrompt, registry: registry() });
    const result = await new IvrSession({ flow: parsed, channel, clock: systemClock, logger: silentLogger() }).run();
    expect(result).to.deep.include({ outcome: 'queue', queue: 'general', nodeId: 'agent', digits: '0', announce: ['branch-agent'] });
    // Nothing played between the key and the queue: the 15-second clock starts at once.
    expect(played).to.deep.equal([['menu']]);
  });
});

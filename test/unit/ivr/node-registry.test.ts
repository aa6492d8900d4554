import { expect } from 'chai';
import sinon from 'sinon';
import { z } from 'zod';
import { createDefaultNodeRegistry } from '../../../src/ivr/default-node-registry.js';
import { FlowError } from '../../../src/ivr/flow-error.js';
import type { FlowNode, NodeResult } from '../../../src/ivr/flow-node.js';
import { IvrSession } from '../../../src/ivr/ivr-session.js';
import type { NodeContext } from '../../../src/ivr/node-context.js';
import { parseFlow } from '../../../src/ivr/parse-flow.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { FakeChannel, fakeClock, hasPrompt } from './ivr-test-kit.js';

/** A node type added from outside, the way `queue` or `record` will be. */
const beepSchema = z.strictObject({ type: z.literal('beep'), times: z.number().int().min(1), next: z.string() });

class BeepNode implements FlowNode {
  readonly type = 'beep';
  readonly waitsForInput = false;
  constructor(
    readonly id: string,
    readonly params: z.output<typeof beepSchema>,
  ) {}
  references() {
    return [{ field: 'next', target: this.params.next }];
  }
  prompts() {
    return [{ field: 'times', name: 'silence' }];
  }
  async run(ctx: NodeContext): Promise<NodeResult> {
    if (this.params.times > 5) throw new Error('too many beeps');
    await ctx.play(Array.from({ length: this.params.times }, () => 'silence'), { bargeIn: false });
    return { next: this.params.next };
  }
}

const registry = () => createDefaultNodeRegistry().register('beep', beepSchema, (id, p) => new BeepNode(id, p));

describe('NodeRegistry', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when the default registry is created, it knows exactly the built-in node types', () => {
    expect(createDefaultNodeRegistry().types()).to.deep.equal(['play', 'menu', 'collect', 'say-digits', 'say-number', 'speak', 'order-status', 'notices', 'callback-request', 'record-message', 'goto', 'hangup']);
  });

  it('when a new node type is registered, flows can use it and it is validated and run like the others', async () => {
    const yaml = 'name: t\nstart: b\nnodes:\n  b: { type: beep, times: 2, next: h }\n  h: { type: hangup }\n';
    const flow = parseFlow(yaml, 'f.yaml', { hasPrompt, registry: registry() });
    const { clock, timers } = fakeClock();
    const channel = new FakeChannel(clock);
    const result = new IvrSession({ flow, channel, clock, logger: silentLogger() }).run();
    await timers.tickAsync(5000);
    expect((await result).path).to.deep.equal(['b', 'h']);
    expect(channel.started).to.deep.equal(['silence', 'silence']);

    const bad = 'name: t\nstart: b\nnodes:\n  b: { type: beep, times: 0, next: h }\n  h: { type: hangup }\n';
    expect(() => parseFlow(bad, 'f.yaml', { hasPrompt, registry: registry() })).to.throw(FlowError, /node "b": times: /);
  });

  it('when a type is registered twice, it refuses', () => {
    expect(() => registry().register('beep', beepSchema, (id, p) => new BeepNode(id, p))).to.throw(/already registered/);
  });

  it('when a node throws while running, the run ends as failed with reason error', async () => {
    const yaml = 'name: t\nstart: b\nnodes:\n  b: { type: beep, times: 9, next: h }\n  h: { type: hangup }\n';
    const flow = parseFlow(yaml, 'f.yaml', { hasPrompt, registry: registry() });
    const { clock } = fakeClock();
    const result = await new IvrSession({ flow, channel: new FakeChannel(clock), clock, logger: silentLogger() }).run();
    expect(result).to.deep.include({ outcome: 'failed', reason: 'error', nodeId: 'b', message: 'too many beeps' });
  });
});

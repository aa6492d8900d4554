import { expect } from 'chai';
import sinon from 'sinon';
import { createDefaultNodeRegistry } from '../../../src/ivr/default-node-registry.js';
import { FlowError } from '../../../src/ivr/flow-error.js';
import { IvrSession } from '../../../src/ivr/ivr-session.js';
import { parseFlow } from '../../../src/ivr/parse-flow.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { FakeChannel, fakeClock } from './ivr-test-kit.js';

const registry = createDefaultNodeRegistry({ isQueue: (q) => q === 'general' });
const flowFrom = (yaml: string) => parseFlow(yaml, 'f.yaml', { hasPrompt: () => true, registry });

/** A menu: 1 hears a (self-service) reading, then 0 asks for an agent; 2 goes to the queue at once. */
const FLOW = `
name: selfie
start: m
selfService: [read]
nodes:
  m: { type: menu, prompt: [menu], options: { "1": read, "2": agent }, timeout: 2, retries: 0, onFailure: bye }
  read: { type: play, prompts: [welcome], next: after }
  after: { type: menu, prompt: [menu], options: { "0": agent }, timeout: 2, retries: 0, onFailure: bye }
  agent: { type: queue, queue: general }
  bye: { type: hangup, prompts: [goodbye] }
`;

function run(keys: { at: number; key: string }[], hangupAt?: number) {
  const { clock, timers } = fakeClock();
  const channel = new FakeChannel(clock, 1000);
  const session = new IvrSession({ flow: flowFrom(FLOW), channel, clock, logger: silentLogger() });
  const result = session.run();
  return {
    result,
    drive: async () => {
      let now = 0;
      for (const k of keys) {
        await timers.tickAsync(k.at - now);
        now = k.at;
        channel.press(k.key);
      }
      if (hangupAt !== undefined) {
        await timers.tickAsync(hangupAt - now);
        channel.hangup();
      }
      await timers.tickAsync(20_000);
    },
  };
}

describe('self-service completion of an IVR run (flow `selfService`)', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when the caller hears the self-service node and hangs up, the run is self-served and names its flow', async () => {
    const r = run([{ at: 1000, key: '1' }], 2500);
    await r.drive();
    expect(await r.result).to.deep.include({ outcome: 'caller-hangup', selfServed: true, flow: 'selfie' });
  });

  it('when the flow itself ends the call after the self-service node, it is still self-served', async () => {
    const r = run([{ at: 1000, key: '1' }]);
    await r.drive();
    expect(await r.result).to.deep.include({ outcome: 'hangup', selfServed: true });
  });

  it('when the caller goes on to an agent after the self-service node, it is not self-served', async () => {
    const r = run([{ at: 1000, key: '1' }, { at: 3000, key: '0' }]);
    await r.drive();
    expect(await r.result).to.deep.include({ outcome: 'queue', selfServed: false });
  });

  it('when the caller never reaches a self-service node, it is not self-served', async () => {
    const r = run([], 500);
    await r.drive();
    expect(await r.result).to.deep.include({ outcome: 'caller-hangup', selfServed: false });
  });

  it('when `selfService` names a node the flow lacks, the flow is refused naming the entry', () => {
    const yaml = FLOW.replace('selfService: [read]', 'selfService: [read, nope]');
    expect(() => flowFrom(yaml)).to.throw(FlowError, /selfService\[1\].*unknown node "nope"/);
  });
});

import { createDefaultNodeRegistry } from '../../../src/ivr/default-node-registry.js';
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import sinon from 'sinon';
import type { Flow } from '../../../src/ivr/flow.js';
import { IvrSession, type IvrSessionOptions } from '../../../src/ivr/ivr-session.js';
import { parseFlow } from '../../../src/ivr/parse-flow.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { InvalidStateError } from '../../../src/shared/app-error.js';
import { FakeChannel, fakeClock, flowFrom, hasPrompt } from './ivr-test-kit.js';

/** Each fake prompt lasts 1 s of fake time. */
function setup(flow: Flow, extra: Partial<IvrSessionOptions> = {}) {
  const { clock, timers } = fakeClock();
  const channel = new FakeChannel(clock, 1000);
  const session = new IvrSession({ flow, channel, clock, logger: silentLogger(), ...extra });
  const nodes: string[] = [];
  session.observer.on('node', (n) => nodes.push(`${n.id}:${n.type}`));
  const result = session.run();
  return { channel, timers, session, result, nodes };
}

async function defaultFlow(): Promise<Flow> {
  return parseFlow(await readFile('ivr-flows/default.yaml', 'utf8'), 'ivr-flows/default.yaml', { hasPrompt, registry: createDefaultNodeRegistry({ isQueue: (q) => ['general', 'consult', 'complaint'].includes(q) }) });
}

const MENU = (extra = '') => `
name: t
start: m
nodes:
  m: { type: menu, prompt: [menu], options: { "1": one, "2": two }, timeout: 2, retries: 1${extra} }
  one: { type: hangup, prompts: [branch-consult] }
  two: { type: hangup, prompts: [branch-complaint] }
  bye: { type: hangup, prompts: [goodbye] }
`;

const COLLECT = (params: string) => `
name: t
start: c
nodes:
  c: { type: collect, prompt: [branch-progress], variable: code, next: say, onFailure: bye, ${params} }
  say: { type: say-digits, variable: code, prefix: [you-entered], next: bye }
  bye: { type: hangup, prompts: [goodbye] }
`;

describe('IvrSession', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when the caller presses 2 at the default main menu, it joins the complaint queue at once, its prompt left to the queue', async () => {
    const { channel, timers, result, nodes } = setup(await defaultFlow());
    await timers.tickAsync(2000); // welcome + menu played in full
    channel.press('2');
    const r = await result;
    expect(timers.now, 'no fake time passes between the key and the queue').to.equal(2000);
    expect(r).to.deep.include({ outcome: 'queue', queue: 'complaint', nodeId: 'complaint', digits: '2', announce: ['branch-complaint'] });
    expect(r.path).to.deep.equal(['welcome', 'notices', 'main-menu', 'complaint']);
    expect(channel.started).to.deep.equal(['welcome', 'menu']);
    expect(nodes).to.deep.equal(['welcome:play', 'notices:notices', 'main-menu:menu', 'complaint:queue']);
  });

  for (const [key, queue, prompt] of [['1', 'consult', 'branch-consult'], ['0', 'general', 'branch-agent']] as const) {
    it(`when the caller presses ${key} at the default main menu, it joins the ${queue} queue with ${prompt} to announce`, async () => {
      const { timers, result, channel } = setup(await defaultFlow());
      await timers.tickAsync(2000);
      channel.press(key);
      const r = await result;
      expect(r).to.deep.include({ outcome: 'queue', queue, digits: key, announce: [prompt] });
      expect(channel.started).to.deep.equal(['welcome', 'menu']);
    });
  }

  it('when a key is pressed during the barge-in welcome, it stops it and the menu takes the key without playing', async () => {
    const { channel, timers, result } = setup(await defaultFlow());
    await timers.tickAsync(500);
    channel.press('1');
    await timers.tickAsync(3000);
    const r = await result;
    expect(channel.plays[0]).to.deep.equal({ prompts: ['welcome'], outcome: 'stopped' });
    expect(channel.started).to.deep.equal(['welcome']);
    expect(r.path).to.deep.equal(['welcome', 'notices', 'main-menu', 'consult']);
  });

  it('when a key is pressed during the menu prompt, it stops the prompt and counts', async () => {
    const { channel, timers, result } = setup(await defaultFlow());
    await timers.tickAsync(1300); // inside the menu prompt
    channel.press('0');
    await timers.tickAsync(3000);
    const r = await result;
    expect(channel.plays[1]).to.deep.equal({ prompts: ['menu'], outcome: 'stopped' });
    expect(r.path).to.deep.equal(['welcome', 'notices', 'main-menu', 'agent']);
    expect(r).to.include({ outcome: 'queue', queue: 'general', nodeId: 'agent' });
    expect(timers.now).to.be.below(5000); // no menu timeout waited
  });

  it('when a play without barge-in hears a key, it plays to the end and the key is discarded', async () => {
    const flow = flowFrom(`
name: t
start: p
nodes:
  p: { type: play, prompts: [welcome], next: m }
  m: { type: menu, prompt: [menu], options: { "1": one, "2": two } }
  one: { type: hangup }
  two: { type: hangup }
`);
    const { channel, timers, result } = setup(flow);
    await timers.tickAsync(500);
    channel.press('1');
    await timers.tickAsync(1500); // welcome ends, menu prompt plays in full (not skipped)
    channel.press('2');
    await timers.tickAsync(100);
    const r = await result;
    expect(channel.plays.map((p) => p.outcome)).to.deep.equal(['completed', 'completed']);
    expect(r.path).to.deep.equal(['p', 'm', 'two']);
    expect(r.digits).to.equal('12');
  });

  it('when the caller presses nothing, it plays no-input, retries, then goes to onFailure', async () => {
    const { channel, timers, result } = setup(flowFrom(MENU(', onFailure: bye')));
    await timers.tickAsync(20_000);
    const r = await result;
    expect(channel.started).to.deep.equal(['menu', 'no-input', 'menu', 'no-input', 'goodbye']);
    expect(r).to.deep.include({ outcome: 'hangup', nodeId: 'bye', digits: '' });
    expect(r.path).to.deep.equal(['m', 'bye']);
  });

  it('when retries run out and there is no onFailure, the run ends as failed', async () => {
    const { timers, result } = setup(flowFrom(MENU()));
    await timers.tickAsync(20_000);
    expect(await result).to.deep.include({ outcome: 'failed', reason: 'no-valid-input', nodeId: 'm' });
  });

  it('when the caller waits exactly up to the menu timeout, no-input plays only after it', async () => {
    const { channel, timers } = setup(flowFrom(MENU(', onFailure: bye')));
    await timers.tickAsync(1000 + 1999);
    expect(channel.started).to.deep.equal(['menu']);
    await timers.tickAsync(1);
    expect(channel.started).to.deep.equal(['menu', 'no-input']);
  });

  it('when the caller presses a key that is not an option, it plays invalid and asks again', async () => {
    const { channel, timers, result } = setup(flowFrom(MENU()));
    await timers.tickAsync(1000);
    channel.press('7');
    await timers.tickAsync(2000); // invalid, then the menu again
    channel.press('1');
    await timers.tickAsync(2000);
    const r = await result;
    expect(channel.started).to.deep.equal(['menu', 'invalid', 'menu', 'branch-consult']);
    expect(r).to.deep.include({ outcome: 'hangup', nodeId: 'one', digits: '71' });
  });

  it('when a number is entered and ended with #, it stores it without # and say-digits reads it back in order', async () => {
    const { channel, timers, result } = setup(flowFrom(COLLECT('minDigits: 4, maxDigits: 20')));
    await timers.tickAsync(1000);
    channel.press('2024#');
    await timers.tickAsync(10_000);
    const r = await result;
    expect(r.variables).to.deep.equal({ code: '2024' });
    expect(r.digits).to.equal('2024#');
    expect(channel.started).to.deep.equal(['branch-progress', 'you-entered', 'digit-2', 'digit-0', 'digit-2', 'digit-4', 'goodbye']);
    expect(r.path).to.deep.equal(['c', 'say', 'bye']);
  });

  it('when maxDigits keys are entered, collect ends there without waiting for #', async () => {
    const { channel, timers, result } = setup(flowFrom(COLLECT('maxDigits: 3, interDigitTimeout: 10')));
    await timers.tickAsync(1000);
    channel.press('9876');
    await timers.tickAsync(1);
    expect(channel.started).to.include('you-entered');
    await timers.tickAsync(10_000);
    expect((await result).variables).to.deep.equal({ code: '987' });
  });

  it('when the caller stops typing, the inter-digit timeout ends the entry', async () => {
    const { channel, timers, result } = setup(flowFrom(COLLECT('minDigits: 2, interDigitTimeout: 3')));
    await timers.tickAsync(1000);
    channel.press('55');
    await timers.tickAsync(2999);
    expect(channel.started).to.deep.equal(['branch-progress']);
    await timers.tickAsync(20_000);
    expect((await result).variables).to.deep.equal({ code: '55' });
  });

  it('when too few digits are entered, it plays invalid and asks again', async () => {
    const { channel, timers, result } = setup(flowFrom(COLLECT('minDigits: 4, retries: 0')));
    await timers.tickAsync(1000);
    channel.press('12#');
    await timers.tickAsync(10_000);
    const r = await result;
    expect(channel.started).to.deep.equal(['branch-progress', 'invalid', 'goodbye']);
    expect(r.path).to.deep.equal(['c', 'bye']);
    expect(r.variables).to.deep.equal({});
  });

  it('when say-digits has literal keys, it plays digit-N, star and pound in order', async () => {
    const flow = flowFrom('name: t\nstart: s\nnodes:\n  s: { type: say-digits, digits: "10*#", next: h }\n  h: { type: hangup }\n');
    const { channel, timers, result } = setup(flow);
    await timers.tickAsync(10_000);
    await result;
    expect(channel.started).to.deep.equal(['digit-1', 'digit-0', 'star', 'pound']);
  });

  it('when the caller hangs up mid-prompt, the run ends as caller-hangup and releases the channel', async () => {
    const { channel, timers, result } = setup(await defaultFlow());
    await timers.tickAsync(1500);
    channel.hangup();
    await timers.tickAsync(0);
    const r = await result;
    expect(r).to.deep.include({ outcome: 'caller-hangup', digits: '' });
    expect(r.path).to.deep.equal(['welcome', 'notices', 'main-menu']);
    expect(channel.plays[1]?.outcome).to.equal('ended');
    expect(channel.listenerCount).to.equal(0);
    expect(timers.countTimers()).to.equal(0);
  });

  it('when the caller hangs up while a menu waits for a key, the run ends as caller-hangup at once', async () => {
    const { channel, timers, result } = setup(flowFrom(MENU()));
    await timers.tickAsync(1500);
    channel.hangup();
    await timers.tickAsync(0);
    expect(await result).to.deep.include({ outcome: 'caller-hangup' });
    expect(timers.now).to.equal(1500);
  });

  it('when a flow keeps going round, the node cap ends it as failed', async () => {
    const flow = flowFrom('name: t\nstart: m\nnodes:\n  m: { type: menu, prompt: [menu], options: { "1": m } }\n');
    const { channel, timers, result } = setup(flow, { maxNodes: 3 });
    channel.press('11111');
    await timers.tickAsync(0);
    const r = await result;
    expect(r).to.deep.include({ outcome: 'failed', reason: 'node-limit', nodeId: 'm' });
    expect(r.path).to.deep.equal(['m', 'm', 'm']);
  });

  it('when run() is called twice, it throws InvalidStateError', async () => {
    const { session, timers, channel, result } = setup(flowFrom(MENU()));
    let caught: unknown;
    await session.run().catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(InvalidStateError);
    channel.hangup();
    await timers.tickAsync(0);
    await result;
  });

  it('when the run ends, the observer gets an end event with the same result', async () => {
    const { session, timers, channel, result } = setup(flowFrom(MENU()));
    const ends = sinon.spy();
    const digits = sinon.spy();
    session.observer.on('end', ends).on('digit', digits);
    await timers.tickAsync(1000);
    channel.press('2');
    await timers.tickAsync(2000);
    const r = await result;
    expect(ends.calledOnceWithExactly(r)).to.equal(true);
    expect(digits.calledOnceWithExactly('2')).to.equal(true);
  });
});

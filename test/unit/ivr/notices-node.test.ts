import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import sinon from 'sinon';
import { createDefaultNodeRegistry } from '../../../src/ivr/default-node-registry.js';
import { IvrSession } from '../../../src/ivr/ivr-session.js';
import type { NoticeSource, SpokenNotice } from '../../../src/ivr/nodes/notices-node.js';
import { parseFlow } from '../../../src/ivr/parse-flow.js';
import type { Speech } from '../../../src/ivr/speech/speech.js';
import { FlowError } from '../../../src/ivr/flow-error.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { Clock } from '../../../src/shared/clock.js';
import { FakeChannel, fakeClock, hasPrompt } from './ivr-test-kit.js';

const WATER: SpokenNotice = { id: 7, text: '河东区停水通知。12月3日8时至18时,河东区部分区域停水。' };
const ROAD: SpokenNotice = { id: 9, text: '解放路封闭施工。' };

/** Speaks instantly: the prompt name is the text (a text containing 坏 fails). */
const speech: Speech = { prepare: (text) => (text.includes('坏') ? Promise.reject(new Error('espeak failed')) : Promise.resolve(`tts:${text}`)) };

/** The default flow with these notices in force; each fake prompt lasts 1 s. */
async function call(notices: readonly SpokenNotice[], withSpeech: boolean | ((clock: Clock) => Speech) = true) {
  const { clock, timers } = fakeClock();
  const asked: number[] = [];
  const source: NoticeSource = {
    activeAt: (at) => {
      asked.push(at);
      return notices;
    },
  };
  const flow = parseFlow(await readFile('ivr-flows/default.yaml', 'utf8'), 'ivr-flows/default.yaml', {
    hasPrompt,
    registry: createDefaultNodeRegistry({ isQueue: (q) => ['general', 'consult', 'complaint'].includes(q), notices: source }),
  });
  const channel = new FakeChannel(clock, 1000);
  const chosen = typeof withSpeech === 'function' ? withSpeech(clock) : withSpeech ? speech : undefined;
  const session = new IvrSession({ flow, channel, clock, logger: silentLogger(), ...(chosen === undefined ? {} : { speech: chosen }) });
  const result = session.run();
  return { channel, timers, result, asked };
}

describe('notices node (公告 after the welcome)', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when no notice is in force, the caller goes straight to the menu with nothing extra and no delay', async () => {
    const { channel, timers, result } = await call([]);
    await timers.tickAsync(2000);
    channel.press('1');
    const r = await result;
    expect(timers.now).to.equal(2000);
    expect(channel.started).to.deep.equal(['welcome', 'menu']);
    expect(r.path).to.deep.equal(['welcome', 'notices', 'main-menu', 'consult']);
    expect(r.variables).to.not.have.property('noticesHeard');
  });

  it('when the caller presses 1 during a notice, the call is counted against it, thanked and hung up without reaching the menu', async () => {
    const { channel, timers, result } = await call([WATER]);
    await timers.tickAsync(1500); // welcome played, the notice is being read
    channel.press('1');
    await timers.tickAsync(5000);
    const r = await result;
    expect(r).to.deep.include({ outcome: 'hangup', nodeId: 'notices' });
    expect(r.variables).to.include({ noticesHeard: '7', noticePressed: '7' });
    expect(channel.started).to.deep.equal(['welcome', `tts:${WATER.text}`, 'notice-press-1', 'notice-goodbye']);
    expect(channel.plays[1]?.outcome, 'the notice is cut by the key').to.equal('stopped');
    expect(channel.plays[2]?.outcome, 'the goodbye is played to the end').to.equal('completed');
    expect(r.path).to.deep.equal(['welcome', 'notices']);
    expect(r.spoken).to.deep.equal([WATER.text]);
  });

  it('when the caller presses 1 just after the notice (within its timeout), it counts as well', async () => {
    const { channel, timers, result } = await call([WATER]);
    await timers.tickAsync(3000 + 2000); // welcome 1 s, notice + press prompt 2 s, then 2 s of the 3 s wait
    channel.press('1');
    await timers.tickAsync(5000);
    const r = await result;
    expect(r).to.deep.include({ outcome: 'hangup', nodeId: 'notices' });
    expect(r.variables).to.include({ noticePressed: '7' });
  });

  it('when the caller presses another key during a notice, the menu takes it as if pressed there (no menu prompt)', async () => {
    const { channel, timers, result } = await call([WATER]);
    await timers.tickAsync(1500);
    channel.press('2');
    const r = await result;
    expect(r).to.deep.include({ outcome: 'queue', queue: 'complaint' });
    expect(r.path).to.deep.equal(['welcome', 'notices', 'main-menu', 'complaint']);
    expect(channel.started).to.deep.equal(['welcome', `tts:${WATER.text}`, 'notice-press-1']);
    expect(r.variables).to.include({ noticesHeard: '7' });
    expect(r.variables).to.not.have.property('noticePressed');
  });

  it('when the caller presses nothing, the notice is heard and the menu follows after the timeout', async () => {
    const { channel, timers, result } = await call([WATER]);
    await timers.tickAsync(1000 + 2000 + 3000 + 500); // welcome, notice + press prompt, 3 s wait, into the menu
    channel.press('0');
    const r = await result;
    expect(r).to.deep.include({ outcome: 'queue', queue: 'general' });
    expect(channel.started).to.deep.equal(['welcome', `tts:${WATER.text}`, 'notice-press-1', 'menu']);
    expect(r.variables).to.include({ noticesHeard: '7' });
    expect(r.variables).to.not.have.property('noticePressed');
  });

  it('when several notices are in force, they are read one after the other and a 1 counts against the one being read', async () => {
    const { channel, timers, result } = await call([WATER, ROAD]);
    await timers.tickAsync(1000 + 2000 + 3000 + 500); // the first notice and its wait are over, the second is read
    channel.press('1');
    await timers.tickAsync(5000);
    const r = await result;
    expect(r.variables).to.include({ noticesHeard: '7,9', noticePressed: '9' });
    expect(channel.started).to.deep.equal(['welcome', `tts:${WATER.text}`, 'notice-press-1', `tts:${ROAD.text}`, 'notice-press-1', 'notice-goodbye']);
  });

  it('when the caller typed a key during the welcome, the notices are skipped and the menu takes the key', async () => {
    const { channel, timers, result } = await call([WATER]);
    await timers.tickAsync(300);
    channel.press('1');
    const r = await result;
    expect(r.path).to.deep.equal(['welcome', 'notices', 'main-menu', 'consult']);
    expect(channel.started).to.deep.equal(['welcome']);
    expect(r.variables).to.not.have.property('noticesHeard');
  });

  it('when a notice cannot be synthesised, it is skipped and the next one is read', async () => {
    const broken: SpokenNotice = { id: 3, text: '坏的公告。' };
    const { channel, timers, result } = await call([broken, ROAD]);
    await timers.tickAsync(1500);
    channel.press('1');
    await timers.tickAsync(5000);
    const r = await result;
    expect(r.variables).to.include({ noticesHeard: '9', noticePressed: '9' });
    expect(channel.started.filter((p) => p.startsWith('tts:'))).to.deep.equal([`tts:${ROAD.text}`]);
  });

  it('when the caller presses 1 while the notice is still being synthesised, it counts for that notice', async () => {
    const slow = (clock: Clock): Speech => ({ prepare: (text) => new Promise((resolve) => clock.setTimeout(() => { resolve(`tts:${text}`); }, 2000)) });
    const { channel, timers, result } = await call([WATER], slow);
    await timers.tickAsync(1500); // welcome over, synthesis under way
    channel.press('1');
    await timers.tickAsync(10_000);
    const r = await result;
    expect(r).to.deep.include({ outcome: 'hangup', nodeId: 'notices' });
    expect(r.variables).to.include({ noticesHeard: '7', noticePressed: '7' });
  });

  it('when there is no synthesiser, no notice is read and the caller reaches the menu', async () => {
    const { channel, timers, result } = await call([WATER], false);
    await timers.tickAsync(2000);
    channel.press('0');
    const r = await result;
    expect(channel.started).to.deep.equal(['welcome', 'menu']);
    expect(r.variables).to.not.have.property('noticesHeard');
  });

  it('when the caller hangs up during a notice, the run ends as caller-hangup with the notice heard', async () => {
    const { channel, timers, result } = await call([WATER]);
    await timers.tickAsync(1500);
    channel.hangup();
    const r = await result;
    expect(r.outcome).to.equal('caller-hangup');
    expect(r.variables).to.include({ noticesHeard: '7' });
    expect(channel.listenerCount).to.equal(0);
  });

  it('when more notices are in force than maxNotices, only the first ones are read', async () => {
    const yaml = `
name: t
start: n
nodes:
  n: { type: notices, maxNotices: 1, timeout: 1, next: bye }
  bye: { type: hangup, prompts: [goodbye] }
`;
    const { clock, timers } = fakeClock();
    const flow = parseFlow(yaml, 't.yaml', { hasPrompt, registry: createDefaultNodeRegistry({ notices: { activeAt: () => [WATER, ROAD] } }) });
    const channel = new FakeChannel(clock, 1000);
    const result = new IvrSession({ flow, channel, clock, logger: silentLogger(), speech }).run();
    await timers.tickAsync(10_000);
    const r = await result;
    expect(r.variables).to.include({ noticesHeard: '7' });
    expect(channel.started).to.deep.equal([`tts:${WATER.text}`, 'notice-press-1', 'goodbye']);
  });

  it('when a notices node is misconfigured, the loader names the node and field', () => {
    const bad = (params: string): string => `name: t\nstart: n\nnodes:\n  n: { type: notices, ${params} }\n  bye: { type: hangup }\n`;
    expect(() => parseFlow(bad('next: bye, maxNotices: 0'), 'f.yaml', { hasPrompt })).to.throw(FlowError, /^f\.yaml: node "n": maxNotices: must be at least 1$/);
    expect(() => parseFlow(bad('next: nowhere'), 'f.yaml', { hasPrompt })).to.throw(FlowError, /^f\.yaml: node "n": next: unknown node "nowhere"$/);
    expect(() => parseFlow(bad('next: bye, pressPrompt: [no-such-prompt]'), 'f.yaml', { hasPrompt })).to.throw(FlowError, /^f\.yaml: node "n": pressPrompt\[0\]: unknown prompt "no-such-prompt"$/);
    expect(() => parseFlow(bad('next: bye, loop: true'), 'f.yaml', { hasPrompt })).to.throw(FlowError, /^f\.yaml: node "n": unknown field "loop"$/);
    expect(() => parseFlow(bad('timeout: 3'), 'f.yaml', { hasPrompt })).to.throw(FlowError, /^f\.yaml: node "n": next: required/);
  });
});

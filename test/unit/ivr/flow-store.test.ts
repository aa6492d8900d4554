import { expect } from 'chai';
import sinon from 'sinon';
import { FlowError } from '../../../src/ivr/flow-error.js';
import { FlowStore, type WatchFile } from '../../../src/ivr/flow-store.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { InvalidStateError } from '../../../src/shared/app-error.js';
import { fakeClock, hasPrompt } from './ivr-test-kit.js';

const GOOD_V1 = 'name: v1\nstart: bye\nnodes:\n  bye: { type: hangup, prompts: [goodbye] }\n';
const GOOD_V2 = 'name: v2\nstart: bye\nnodes:\n  bye: { type: hangup }\n';
const BAD = 'name: v3\nstart: bye\nnodes:\n  bye: { type: hangup, prompts: [no-such-prompt] }\n';

/** An in-memory file system: the store only ever sees text through `readText`. */
function files(initial: Record<string, string>) {
  const contents = new Map(Object.entries(initial));
  const readText = sinon.spy((path: string): Promise<string> => {
    const text = contents.get(path);
    return text === undefined ? Promise.reject(new Error(`ENOENT: ${path}`)) : Promise.resolve(text);
  });
  return { contents, readText };
}

describe('FlowStore', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when the file is good, load() returns the flow and makes it current', async () => {
    const { clock } = fakeClock();
    const { readText } = files({ 'ivr-flows/default.yaml': GOOD_V1 });
    const store = new FlowStore({ readText, hasPrompt, clock, logger: silentLogger() });
    const flow = await store.load('ivr-flows/default.yaml');
    expect(flow.name).to.equal('v1');
    expect(store.current).to.equal(flow);
    expect(readText.calledOnceWithExactly('ivr-flows/default.yaml')).to.equal(true);
  });

  it('when the first file is bad, load() throws a FlowError and there is no current flow', async () => {
    const { clock } = fakeClock();
    const { readText } = files({ 'f.yaml': BAD });
    const store = new FlowStore({ readText, hasPrompt, clock, logger: silentLogger() });
    const err: unknown = await store.load('f.yaml').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(FlowError).with.property('message', 'f.yaml: node "bye": prompts[0]: unknown prompt "no-such-prompt"');
    expect(store.current).to.equal(undefined);
  });

  it('when the file cannot be read, the FlowError names the file and the cause', async () => {
    const { clock } = fakeClock();
    const { readText } = files({});
    const store = new FlowStore({ readText, hasPrompt, clock, logger: silentLogger() });
    const err: unknown = await store.load('missing.yaml').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(FlowError).with.property('message').that.matches(/^missing\.yaml: cannot read the file: ENOENT/);
  });

  it('when the file is changed to a good flow, reload() switches to it', async () => {
    const { clock } = fakeClock();
    const fs = files({ 'f.yaml': GOOD_V1 });
    const store = new FlowStore({ readText: fs.readText, hasPrompt, clock, logger: silentLogger() });
    await store.load('f.yaml');
    fs.contents.set('f.yaml', GOOD_V2);
    const loaded = sinon.spy();
    store.observer.on('loaded', loaded);
    const result = await store.reload();
    expect(result.ok).to.equal(true);
    expect(store.current?.name).to.equal('v2');
    expect(loaded.calledOnce).to.equal(true);
  });

  it('when the file is changed to a bad flow, reload() keeps the last good flow, logs and returns the error', async () => {
    const { clock } = fakeClock();
    const fs = files({ 'f.yaml': GOOD_V1 });
    const logger = silentLogger();
    const logError = sinon.spy(logger, 'error');
    const store = new FlowStore({ readText: fs.readText, hasPrompt, clock, logger });
    const good = await store.load('f.yaml');
    fs.contents.set('f.yaml', BAD);
    const refused = sinon.spy();
    store.observer.on('refused', refused);

    const result = await store.reload();

    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.error.message).to.equal('f.yaml: node "bye": prompts[0]: unknown prompt "no-such-prompt"');
    expect(result.flow).to.equal(good);
    expect(store.current).to.equal(good);
    expect(refused.calledOnceWith(result.error)).to.equal(true);
    expect(logError.calledOnce).to.equal(true);
  });

  it('when reload() is called before load(), it throws InvalidStateError', async () => {
    const { clock } = fakeClock();
    const store = new FlowStore({ readText: files({}).readText, hasPrompt, clock, logger: silentLogger() });
    const err: unknown = await store.reload().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(InvalidStateError);
  });

  it('when watched, a burst of change events reloads once after the debounce, and close() stops watching', async () => {
    const { clock, timers } = fakeClock();
    const fs = files({ 'f.yaml': GOOD_V1 });
    let onChange: (() => void) | undefined;
    const closeWatcher = sinon.spy();
    const watchFile: WatchFile = (_path, cb) => {
      onChange = cb;
      return { close: closeWatcher };
    };
    const store = new FlowStore({ readText: fs.readText, hasPrompt, clock, logger: silentLogger(), watchFile, debounceMs: 200 });
    await store.load('f.yaml');
    store.watch();
    fs.contents.set('f.yaml', GOOD_V2);

    onChange?.();
    await timers.tickAsync(100);
    onChange?.();
    await timers.tickAsync(150);
    expect(store.current?.name).to.equal('v1');
    await timers.tickAsync(100);
    expect(store.current?.name).to.equal('v2');
    expect(fs.readText.callCount).to.equal(2);

    onChange?.();
    store.close();
    store.close();
    await timers.tickAsync(1000);
    expect(fs.readText.callCount).to.equal(2);
    expect(closeWatcher.calledOnce).to.equal(true);
  });

  it('when watch() has no watchFile option, it throws InvalidStateError', async () => {
    const { clock } = fakeClock();
    const store = new FlowStore({ readText: files({ 'f.yaml': GOOD_V1 }).readText, hasPrompt, clock, logger: silentLogger() });
    await store.load('f.yaml');
    expect(() => {
      store.watch();
    }).to.throw(InvalidStateError, /watchFile/);
  });
});

import { expect } from 'chai';
import sinon from 'sinon';
import { TypedEmitter } from '../../../src/shared/typed-emitter.js';

interface Events extends Record<string, unknown[]> {
  change: [value: number];
}

describe('TypedEmitter', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when a listener throws, emit does not throw, the later listeners still hear the event and the error is reported with its event', () => {
    const onListenerError = sinon.spy();
    const emitter = new TypedEmitter<Events>({ onListenerError });
    const heard: number[] = [];
    emitter.on('change', () => {
      throw new Error('listener bug');
    });
    emitter.on('change', (v) => heard.push(v));
    expect(emitter.emit('change', 7)).to.equal(true);
    expect(heard).to.deep.equal([7]);
    expect(onListenerError.calledOnce).to.equal(true);
    expect(onListenerError.firstCall.args[0]).to.equal('change');
    expect((onListenerError.firstCall.args[1] as Error).message).to.equal('listener bug');
  });

  it('when an async listener rejects, the rejection is reported, not left unhandled', async () => {
    const onListenerError = sinon.spy();
    const emitter = new TypedEmitter<Events>({ onListenerError });
    // An async function where a void listener is expected: what the guard must still contain.
    const asyncListener = async (): Promise<void> => {
      await Promise.resolve();
      throw new Error('async bug');
    };
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the case under test
    emitter.on('change', asyncListener);
    emitter.emit('change', 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect((onListenerError.firstCall.args[1] as Error).message).to.equal('async bug');
  });

  it('when no reporter is given, a failing listener becomes a process warning naming the event', () => {
    const warn = sinon.stub(process, 'emitWarning');
    const emitter = new TypedEmitter<Events>();
    emitter.on('change', () => {
      throw new Error('nobody listens to me');
    });
    emitter.emit('change', 1);
    expect(String(warn.firstCall.args[0])).to.match(/listener of "change" failed: Error: nobody listens to me/);
  });

  it('when the reporter itself throws, emit still returns normally', () => {
    sinon.stub(process, 'emitWarning');
    const emitter = new TypedEmitter<Events>({
      onListenerError: () => {
        throw new Error('log stream closed');
      },
    });
    emitter.on('change', () => {
      throw new Error('bug');
    });
    expect(emitter.emit('change', 1)).to.equal(true);
  });

  it('when a once listener is called, it is removed, and listeners added during an emit wait for the next one', () => {
    const emitter = new TypedEmitter<Events>();
    const heard: string[] = [];
    emitter.once('change', (v) => heard.push(`once ${v}`));
    emitter.on('change', (v) => {
      heard.push(`on ${v}`);
      if (v === 1) emitter.on('change', (w) => heard.push(`late ${w}`));
    });
    emitter.emit('change', 1);
    emitter.emit('change', 2);
    expect(heard).to.deep.equal(['once 1', 'on 1', 'on 2', 'late 2']);
    expect(emitter.emit('change', 3)).to.equal(true);
    expect(new TypedEmitter<Events>().emit('change', 1)).to.equal(false);
  });
});

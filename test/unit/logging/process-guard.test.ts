import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import { silentLogger } from '../../../src/logging/logger.js';
import { installProcessGuard } from '../../../src/logging/process-guard.js';

/** A stand-in for `process`: the real one must keep mocha's own handlers. */
function fakeProcess(): NodeJS.Process & EventEmitter {
  return new EventEmitter() as unknown as NodeJS.Process & EventEmitter;
}

describe('installProcessGuard', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when an exception escapes, it is logged at error level with its stack and the process is not ended', () => {
    const logger = silentLogger();
    const error = sinon.stub(logger, 'error');
    const onBroken = sinon.spy();
    const proc = fakeProcess();
    installProcessGuard({ logger, onBroken }, proc);
    proc.emit('uncaughtException', new Error('offer timer bug'));
    const [message, meta] = error.firstCall.args as unknown[];
    expect(message).to.equal('uncaught exception');
    expect(meta).to.include({ error: 'offer timer bug' });
    expect(String((meta as { stack?: string }).stack)).to.contain('offer timer bug');
    expect(onBroken.called).to.equal(false);
  });

  it('when a promise rejection is unhandled, it is logged at error level', () => {
    const logger = silentLogger();
    const error = sinon.stub(logger, 'error');
    const proc = fakeProcess();
    installProcessGuard({ logger, onBroken: sinon.spy() }, proc);
    proc.emit('unhandledRejection', new Error('db gone'));
    expect((error.firstCall.args as unknown[])[0]).to.equal('unhandled promise rejection');
  });

  it('when more than maxUncaught exceptions escape within the window, it calls onBroken once; spread out, never', () => {
    const logger = silentLogger();
    sinon.stub(logger, 'error');
    let t = 0;
    const onBroken = sinon.spy();
    const proc = fakeProcess();
    const uninstall = installProcessGuard({ logger, onBroken, maxUncaught: 3, windowMs: 1000, now: () => t }, proc);
    for (let i = 0; i < 6; i++) {
      proc.emit('uncaughtException', new Error('x'));
      t += 600;
    }
    expect(onBroken.called).to.equal(false);
    for (let i = 0; i < 6; i++) proc.emit('uncaughtException', new Error('burst'));
    expect(onBroken.callCount).to.equal(1);
    uninstall();
    expect(proc.listenerCount('uncaughtException')).to.equal(0);
  });
});

import { expect } from 'chai';
import sinon from 'sinon';
import { Closers, describeFailures } from '../../../src/composition/closers.js';
import { silentLogger } from '../../../src/logging/logger.js';

describe('Closers', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when closeAll() runs, it closes in the reverse order of registration, waiting for each', async () => {
    const closers = new Closers(silentLogger());
    const order: string[] = [];
    closers.add('database', () => {
      order.push('database');
    });
    closers.add('sip', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('sip');
    });
    closers.add('http', () => {
      order.push('http');
    });
    expect(closers.pending).to.deep.equal(['http', 'sip', 'database']);

    const failures = await closers.closeAll();

    expect(order).to.deep.equal(['http', 'sip', 'database']);
    expect(failures).to.deep.equal([]);
    expect(closers.pending).to.deep.equal([]);
  });

  it('when closeAll() is called twice (or at once twice), each closer runs once and both resolve with the same report', async () => {
    const closers = new Closers(silentLogger());
    const database = sinon.spy();
    const failing = sinon.stub().rejects(new Error('socket already gone'));
    closers.add('database', database);
    closers.add('sip', failing);

    const [first, second] = await Promise.all([closers.closeAll(), closers.closeAll()]);
    const third = await closers.closeAll();

    expect(database.callCount).to.equal(1);
    expect(failing.callCount).to.equal(1);
    expect(first.map((f) => f.name)).to.deep.equal(['sip']);
    expect(second).to.deep.equal(first);
    expect(third).to.deep.equal(first);
  });

  it('when a closer throws or rejects, it is logged with its name, the rest still run, and closeAll() reports each failure', async () => {
    const logger = silentLogger();
    const logged = sinon.spy(logger, 'error');
    const closers = new Closers(logger);
    const ran: string[] = [];
    closers.add('database', () => ran.push('database'));
    closers.add('record spool', () => {
      throw new Error('disk full');
    });
    closers.add('media', () => ran.push('media'));
    closers.add('sip', () => Promise.reject(new Error('port vanished')));
    closers.add('http', () => ran.push('http'));

    const failures = await closers.closeAll();

    expect(ran).to.deep.equal(['http', 'media', 'database']);
    expect(failures.map((f) => [f.name, (f.error as Error).message])).to.deep.equal([
      ['sip', 'port vanished'],
      ['record spool', 'disk full'],
    ]);
    expect(describeFailures(failures)).to.equal('sip: port vanished; record spool: disk full');
    const lines = logged.getCalls().map((c) => c.args as unknown[]);
    expect(lines).to.have.length(2);
    expect(lines[0]?.[1]).to.deep.include({ closer: 'sip', error: 'port vanished' });
    expect(lines[1]?.[1]).to.deep.include({ closer: 'record spool', error: 'disk full' });
  });

  it('when a closer was run early through its handle, closeAll() skips it and the handle runs it only once', async () => {
    const closers = new Closers(silentLogger());
    const order: string[] = [];
    closers.add('database', () => order.push('database'));
    const stopJob = closers.add('survey job', () => order.push('survey job'));
    closers.add('http', () => order.push('http'));

    await stopJob();
    await stopJob();
    expect(closers.pending).to.deep.equal(['http', 'database']);
    await closers.closeAll();

    expect(order).to.deep.equal(['survey job', 'http', 'database']);
  });

  it('when an early run fails, the handle does not reject and closeAll() reports it', async () => {
    const closers = new Closers(silentLogger());
    const stopJob = closers.add('survey job', () => {
      throw new Error('lock lost');
    });

    await stopJob();
    const failures = await closers.closeAll();

    expect(failures.map((f) => f.name)).to.deep.equal(['survey job']);
  });

  it('when something is added after closeAll() began, it is refused, naming it', async () => {
    const closers = new Closers(silentLogger());
    const closing = closers.closeAll();
    expect(() => closers.add('late socket', () => undefined)).to.throw(/"late socket" added after closeAll\(\) began/);
    await closing;
  });
});

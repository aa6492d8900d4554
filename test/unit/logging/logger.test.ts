import { expect } from 'chai';
import sinon from 'sinon';
import { createLogger } from '../../../src/logging/logger.js';
import { maskPhonesIn } from '../../../src/shared/mask.js';

/** Runs `fn` with the process logger and returns the JSON lines it wrote to stdout. */
function logged(fn: (logger: ReturnType<typeof createLogger>) => void, level = 'debug'): string {
  const lines: string[] = [];
  const write = sinon.stub(process.stdout, 'write').callsFake((chunk: string | Uint8Array) => {
    lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    fn(createLogger(level));
  } finally {
    write.restore();
  }
  return lines.join('');
}

describe('logger: phone numbers masked on every line', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when a call site logs numbers unmasked (From, To, callback, resident, +86, SIP URI, landline), the line shows them masked', () => {
    const out = logged((log) => {
      log.info('inbound call', { from: '13812345678', to: 'sip:+8613998765432@10.0.0.1:5060', callback: '008613712345678' });
      log.warn('callback requested for 13698765432 by 来电15011112222', { nested: { liaison: ['010-88886666', '02155556666'], resident: { phone: '6543210' } } });
    });
    for (const number of ['13812345678', '13998765432', '13712345678', '13698765432', '15011112222', '88886666', '02155556666', '6543210']) {
      expect(out).to.not.include(number);
    }
    expect(out).to.include('138****5678').and.include('sip:139****5432@10.0.0.1:5060').and.include('137****5678');
    expect(out).to.include('callback requested for 136****5432 by 来电150****2222');
    expect(out).to.include('010****6666').and.include('021****6666').and.include('65****10');
  });

  it('when a line carries call ids, ticket codes, timestamps, dates, extensions, 12345 and ports, they are kept exact', () => {
    const callId = '1-13812345678@127.0.0.1';
    const out = logged((log) => {
      log.info('order 20261202-000123 created at 2026-12-02T08:00:00.000Z', {
        callId,
        ticket: '20261202-000123',
        path: 'recordings/20261202/7f3e9a1c-5d2b-4e8f-9a6b-123456789012.wav',
        agentId: '8001',
        to: '12345',
        source: '127.0.0.1:5060',
        durationMs: 1733200000000,
      });
    });
    const line = JSON.parse(out) as Record<string, unknown>;
    expect(line).to.include({
      message: 'order 20261202-000123 created at 2026-12-02T08:00:00.000Z',
      callId,
      ticket: '20261202-000123',
      path: 'recordings/20261202/7f3e9a1c-5d2b-4e8f-9a6b-123456789012.wav',
      agentId: '8001',
      to: '12345',
      source: '127.0.0.1:5060',
      durationMs: 1733200000000,
    });
    expect(line.timestamp).to.match(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('when an error with a number in its message is logged, its message and stack are masked', () => {
    const out = logged((log) => {
      log.error(new Error('dial 13812345678 failed'));
    });
    expect(out).to.not.include('13812345678');
    expect(out).to.include('dial 138****5678 failed');
  });

  it('when numbers are written with separators, next to letters or after a date, the line shows them masked', () => {
    const out = logged((log) => {
      log.info('numbers', { a: '138-1234-5678', b: '138 1234 5678', c: '+86-138-1234-5678', d: 'user13812345678', e: '2026-01-02 13812345678' });
    });
    const line = JSON.parse(out) as Record<string, unknown>;
    expect(line).to.include({ a: '138****5678', b: '138****5678', c: '138****5678', d: 'user138****5678', e: '2026-01-02 138****5678' });
  });

  it('when a database error is logged as meta, only its masked message and stack print, never its SQL or parameters', () => {
    const err = Object.assign(new Error('insert failed for 13812345678'), { sql: 'INSERT INTO t VALUES (?)', parameters: ['13912345678'] });
    const out = logged((log) => {
      log.error('storing failed', { err });
    });
    expect(out).to.not.include('13812345678').and.not.include('13912345678').and.not.include('INSERT INTO');
    expect(out).to.include('insert failed for 138****5678');
  });

  it('when a line carries a timestamp with a space, a ticket code, a UUID, a port, an extension or 12345, they stay exact', () => {
    const text = 'at 2026-01-02 13:45:00 order 20261202-000123 id 7f3e9a1c-5d2b-4e8f-9a6b-138123456789 on :5060 ext 8001 line 12345';
    expect(maskPhonesIn(text)).to.equal(text);
  });

  it('when text is masked twice, it does not change again', () => {
    const once = maskPhonesIn('from 13812345678 to 02155556666');
    expect(maskPhonesIn(once)).to.equal(once);
  });
});

describe('logger: a line below the level costs nothing', () => {
  afterEach(() => {
    sinon.restore();
  });

  /** Fields whose reading is counted: winston reads them only when it formats the line. */
  function watchedFields(): { fields: Record<string, unknown>; reads: () => number } {
    let reads = 0;
    const fields = {};
    Object.defineProperty(fields, 'from', {
      enumerable: true,
      get: () => {
        reads++;
        return '13812345678';
      },
    });
    return { fields, reads: () => reads };
  }

  it('when the level is warn, info and debug lines are neither written nor formatted (their fields are never read)', () => {
    const watched = watchedFields();
    const out = logged((log) => {
      log.info('inbound call', watched.fields);
      log.debug('event ignored', watched.fields);
      log.log('info', 'inbound call', watched.fields);
      log.log({ level: 'verbose', message: 'x', ...watched.fields });
    }, 'warn');
    expect(out).to.equal('');
    // The spread above reads the getter once, before the logger is called.
    expect(watched.reads()).to.equal(1);
  });

  it('when the level is warn, warn and error lines of the logger and of its children are written in full', () => {
    const out = logged((log) => {
      const leg = log.child({ component: 'sip' }).child({ callId: 'c-1' });
      leg.info('inbound call', { from: '13812345678' });
      leg.warn('no ACK for 2xx', { cseq: 1 });
      log.log('error', 'media failed', { code: 'X' });
    }, 'warn');
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).to.have.length(2);
    expect(lines[0]).to.include({ level: 'warn', message: 'no ACK for 2xx', component: 'sip', callId: 'c-1', cseq: 1 });
    expect(lines[1]).to.include({ level: 'error', message: 'media failed', code: 'X' });
  });

  it('when the level is raised at run time, lines of the newly enabled level are written from then on', () => {
    const out = logged((log) => {
      const child = log.child({ callId: 'c-2' });
      child.debug('before');
      log.level = 'debug';
      child.debug('after');
    }, 'info');
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.message)).to.deep.equal(['after']);
    expect(lines[0]).to.include({ callId: 'c-2', level: 'debug' });
  });
});

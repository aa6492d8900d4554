import { expect } from 'chai';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../src/db/database.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { WavFileWriter } from '../../../src/media/wav-file-writer.js';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

/** Issue 9, item 7: residents' data is not readable by other local users, even under umask 022. */
describe('private files', () => {
  let dir: string;
  let umask: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hotline-modes-'));
    umask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the SQLite database is created, its folder is 0700 and the file, -wal and -shm are 0600', async () => {
    const file = join(dir, 'data', 'hotline.sqlite');
    const db = await openDatabase(`sqlite:${file}`, silentLogger());
    try {
      await db.migrate();
      expect(mode(join(dir, 'data'))).to.equal('700');
      expect(mode(file)).to.equal('600');
      expect(mode(`${file}-wal`)).to.equal('600');
      expect(mode(`${file}-shm`)).to.equal('600');
    } finally {
      await db.close();
    }
  });

  it('when an existing database file was world-readable, opening it makes it 0600', async () => {
    const file = join(dir, 'old.sqlite');
    const first = await openDatabase(`sqlite:${file}`, silentLogger());
    await first.close();
    const { chmodSync } = await import('node:fs');
    chmodSync(file, 0o644);
    const db = await openDatabase(`sqlite:${file}`, silentLogger());
    await db.close();
    expect(mode(file)).to.equal('600');
  });

  it('when a call is recorded, the recordings folder is 0700 and the WAV file 0600', async () => {
    const path = join(dir, 'recordings', '2026', '12', 'call.wav');
    const writer = new WavFileWriter(path, 2, 8000, silentLogger());
    writer.write(Buffer.alloc(320));
    await writer.finish();
    expect(mode(join(dir, 'recordings'))).to.equal('700');
    expect(mode(join(dir, 'recordings', '2026', '12'))).to.equal('700');
    expect(mode(path)).to.equal('600');
  });
});

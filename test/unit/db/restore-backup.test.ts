import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeManifest, type BackupManifest } from '../../../src/db/backup/backup-manifest.js';
import { restoreBackup } from '../../../src/db/backup/restore-backup.js';
import { migrationList } from '../../../src/db/migrations/migration-list.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { AppError } from '../../../src/shared/app-error.js';

describe('restoreBackup refusals', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'restore-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const manifest = (migrations: string[], dialect: 'sqlite' | 'mysql' = 'sqlite'): BackupManifest => ({
    format: 1,
    createdAt: '2026-12-02T03:07:00.000Z',
    database: { dialect, source: 'sqlite:data/hotline.sqlite', file: dialect === 'sqlite' ? 'database.sqlite' : 'database.sql.gz', migrations },
    recordings: { dir: 'data/recordings', absoluteDir: '/opt/hotline12345/data/recordings', included: true, files: 0, bytes: 0 },
    spool: { dir: 'data/spool', files: 0, bytes: 0 },
  });

  async function refusal(options: { databaseUrl?: string } = {}): Promise<AppError> {
    try {
      await restoreBackup({ from: dir, databaseUrl: options.databaseUrl ?? `sqlite:${join(dir, 'new.sqlite')}`, recordingsDir: join(dir, 'rec'), spoolDir: join(dir, 'spool'), force: false, logger: silentLogger() });
    } catch (err) {
      if (err instanceof AppError) return err;
      throw err;
    }
    throw new Error('expected a refusal');
  }

  it('when the backup names a migration this release does not know (a newer release took it), it refuses naming it', async () => {
    await writeManifest(dir, manifest([...migrationList.map((m) => m.name), '9999-from-the-future']));
    const err = await refusal();
    expect(err.code).to.equal('RESTORE_REFUSED');
    expect(err.message).to.contain('9999-from-the-future');
  });

  it('when the backup holds another kind of database than DATABASE_URL, it refuses', async () => {
    await writeManifest(dir, manifest(['0001-create-calls'], 'mysql'));
    const err = await refusal();
    expect(err.code).to.equal('RESTORE_REFUSED');
    expect(err.message).to.match(/mysql database and DATABASE_URL is sqlite/);
  });

  it('when the folder is not a backup (no or a broken manifest), it says so', async () => {
    expect((await refusal()).code).to.equal('BACKUP_INVALID');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 1, createdAt: 'yesterday' }));
    const err = await refusal();
    expect(err.code).to.equal('BACKUP_INVALID');
    expect(err.message).to.contain('createdAt');
  });
});

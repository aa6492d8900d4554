import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import sqlite3 from 'sqlite3';
import { openDatabase } from '../../src/db/database.js';
import { migrationList } from '../../src/db/migrations/migration-list.js';
import { silentLogger } from '../../src/logging/logger.js';
import { ApiClient } from '../support/api-client.js';
import { getTicket } from '../support/order-helpers.js';
import { ADMIN, REPO_ROOT, startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/upgrade');

/** Loads the previous release's database (test/fixtures/upgrade/README.md) into the empty database of `url`. */
async function loadFixture(url: string): Promise<void> {
  if (url.startsWith('sqlite:')) {
    const sql = readFileSync(join(FIXTURES, 'release-0017.sqlite.sql'), 'utf8');
    const db = new sqlite3.Database(url.slice('sqlite:'.length));
    await new Promise<void>((resolve, reject) => {
      db.exec(sql, (err) => {
        if (err) reject(err);
        else resolve();
      });
    });
    await new Promise<void>((resolve) => {
      db.close(() => {
        resolve();
      });
    });
    return;
  }
  const u = new URL(url);
  const connection = await createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), database: u.pathname.slice(1), multipleStatements: true });
  try {
    await connection.query(readFileSync(join(FIXTURES, 'release-0017.mariadb.sql'), 'utf8'));
  } finally {
    await connection.end();
  }
}

/**
 * Upgrades (issue 13): a database made by the previous release (migrations up to 0017) is migrated by
 * this release's code (every migration after it, whatever their number, once) and the server starts
 * on it and shows the old work order, call and users.
 */
describe(`upgrade from the previous release, end to end (${testDbKind()})`, function () {
  this.timeout(120_000);
  let database: TestDatabaseUrl;
  let server: ServerHandle | undefined;

  before(async () => {
    database = await testDatabaseUrl();
    await loadFixture(database.url);
  });

  after(async () => {
    await server?.stop('SIGKILL');
    await database.cleanup();
  });

  it('when the current migrations run on the old database, they apply exactly the newer ones, once, and the server finds the old rows', async () => {
    const db = await openDatabase(database.url, silentLogger());
    try {
      const newer = migrationList.map((m) => m.name).filter((name) => name > '0017-password-change');
      expect(newer).to.include('0020-recording-retention');
      expect(await db.migrate()).to.deep.equal(newer);
      // Forward-only and idempotent: a second run (every start runs it) has nothing to do.
      expect(await db.migrate()).to.deep.equal([]);
    } finally {
      await db.close();
    }

    server = await startServer({ NODE_ID: 'release-0017' }, { databaseUrl: database.url, readyTimeoutMs: 60_000 });
    const admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    const order = await getTicket(admin, '20261203-000001');
    expect(order).to.include({ content: '升级前的工单:小区门口路灯不亮,请尽快修复。', residentPhone: '13800138017' });
    const calls = await server.calls();
    expect(calls).to.have.length(1);
    expect(calls[0]).to.include({ from: 'sipp', digits: '2', queue: 'complaint', endReason: 'hangup', hasRecording: false, recordingExpiredAt: null });
    const agent = await ApiClient.login(server.baseUrl, 'agent8001', 'pass-8001');
    const me = await agent.get('/api/v1/auth/me');
    expect(me.status).to.equal(200);
    expect((me.body as { user: { username: string } }).user.username).to.equal('agent8001');
  });
});

import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerHandle } from '../support/server-process.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

/** LOG_FILE (issue 13): the server logs to a file instead of stdout, down to its last line at a stop. */
describe(`log file, end to end (${testDbKind()})`, function () {
  this.timeout(90_000);
  let database: TestDatabaseUrl;
  let dir: string;
  let server: ServerHandle | undefined;

  before(async () => {
    database = await testDatabaseUrl();
    dir = mkdtempSync(join(tmpdir(), 'hotline-log-file-'));
  });

  after(async () => {
    await server?.stop('SIGKILL');
    await database.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when LOG_FILE is set, the lines go to that file (not stdout), from the start to "stopped" after SIGTERM', async () => {
    const file = join(dir, 'log', 'hotline.log');
    server = await startServer({ LOG_FILE: file, LOG_FILE_MAX_MB: '1', LOG_FILE_MAX_FILES: '3' }, { databaseUrl: database.url, readyTimeoutMs: 60_000 });
    expect(await server.stop()).to.equal(0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { message: string }).message);
    expect(lines).to.include('hotline server started');
    expect(lines[lines.length - 1]).to.equal('stopped');
    expect(server.logs()).to.not.include('hotline server started');
  });
});

import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, logFileOpened, settleLogFile } from '../../../src/logging/logger.js';

describe('logger: LOG_FILE with rotation', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'log-file-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the file reaches its size, it is rotated: the newest lines stay in LOG_FILE, at most LOG_FILE_MAX_FILES files are kept, numbers masked', async () => {
    const path = join(dir, 'logs', 'hotline.log');
    const logger = createLogger('info', { file: { path, maxBytes: 4096, maxFiles: 3 } });
    await logFileOpened(logger, 5000);
    // ~130 bytes a line: about 30 lines a file, 400 lines would fill 13 files; written as a server
    // does, a few lines at a time.
    for (let i = 0; i < 400; i++) {
      logger.info('call ended', { callId: `call-${String(i).padStart(4, '0')}`, from: '13812345678', seq: i });
      if (i % 5 === 4) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await settleLogFile(logger, 300);
    logger.close();

    const files = readdirSync(join(dir, 'logs')).sort();
    expect(files).to.deep.equal(['hotline.log', 'hotline1.log', 'hotline2.log']);
    const texts = files.map((file) => readFileSync(join(dir, 'logs', file), 'utf8'));
    // winston rotates when it sees the size passed, between writes: a file may overshoot it, never by much.
    for (const file of files) expect(statSync(join(dir, 'logs', file)).size, file).to.be.below(3 * 4096);
    const kept = texts.join('');
    expect(kept.length, 'older files deleted').to.be.below(400 * 100);
    // Tailable: the newest lines are in hotline.log (or, right after a rotation left it empty, hotline1.log).
    const newest = texts.find((t) => t.trim() !== '') ?? '';
    const lines = newest.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1] ?? '{}')).to.include({ callId: 'call-0399', from: '138****5678' });
    expect(kept).to.not.include('call-0000').and.not.include('13812345678');
  });
});

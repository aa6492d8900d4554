import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/config.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { createMediaEngine, mediaWorkerCount } from '../../../src/media/create-media-engine.js';
import { RtpMediaEngine } from '../../../src/media/rtp-media-engine.js';
import { WorkerMediaEngine } from '../../../src/media/worker/worker-media-engine.js';

const promptsDir = fileURLToPath(new URL('../../fixtures/media/prompts', import.meta.url));
const basePort = 20000 + 2 * Math.floor(Math.random() * 15000);
const noDotenv = '/nonexistent/.env';

describe('createMediaEngine and MEDIA_WORKERS', function () {
  this.timeout(30_000);

  it('when MEDIA_WORKERS is auto, it picks one worker per CPU, at least 1 and at most 4', () => {
    expect([1, 2, 3, 8, 64].map((cpus) => mediaWorkerCount('auto', cpus))).to.deep.equal([1, 2, 3, 4, 4]);
    expect(mediaWorkerCount(0, 8)).to.equal(0);
    expect(mediaWorkerCount(6, 2)).to.equal(6);
  });

  it('when MEDIA_WORKERS is unset, 0, 12 or bad, the config says auto, 0, 12 or refuses naming the key', () => {
    expect(loadConfig({}, noDotenv).MEDIA_WORKERS).to.equal('auto');
    expect(loadConfig({ MEDIA_WORKERS: '0' }, noDotenv).MEDIA_WORKERS).to.equal(0);
    expect(loadConfig({ MEDIA_WORKERS: '12' }, noDotenv).MEDIA_WORKERS).to.equal(12);
    for (const bad of ['17', '-1', 'many', '2.5']) {
      expect(() => loadConfig({ MEDIA_WORKERS: bad }, noDotenv)).to.throw(/MEDIA_WORKERS.*auto or a number of media worker threads 0-16/);
    }
  });

  it('when workers is 0 it builds the in-process engine, else the worker engine', async () => {
    const base = { bindAddress: '127.0.0.1', publicAddress: '127.0.0.1', portMin: basePort, portMax: basePort + 10, promptsDir, logger: silentLogger() };
    const inProcess = await createMediaEngine({ ...base, workers: 0 });
    const threaded = await createMediaEngine({ ...base, workers: 1 });
    try {
      expect(inProcess).to.be.instanceOf(RtpMediaEngine);
      expect(threaded).to.be.instanceOf(WorkerMediaEngine);
      expect(threaded.hasPrompt('beep')).to.equal(true);
    } finally {
      await inProcess.close();
      await threaded.close();
    }
  });
});

import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DiskSpeechCache } from '../../../src/media/speech/disk-speech-cache.js';
import type { Synthesizer } from '../../../src/media/speech/espeak-synthesizer.js';
import { silentLogger } from '../../../src/logging/logger.js';

/** Audio of `bytes` bytes per text (the text's first byte repeated), counting its calls. */
class CountingSynth implements Synthesizer {
  readonly asked: string[] = [];
  constructor(private readonly bytes = 100) {}
  synthesize(text: string): Promise<Buffer> {
    this.asked.push(text);
    return Promise.resolve(Buffer.alloc(this.bytes, text.charCodeAt(0) & 0xff));
  }
}

const signal = new AbortController().signal;
describe('DiskSpeechCache', () => {
  let dir: string;
  let clock: number;
  const open = (synth: Synthesizer, maxBytes = 10_000, voice = 'v1'): Promise<DiskSpeechCache> =>
    DiskSpeechCache.open(synth, { dir, maxBytes, voice, logger: silentLogger(), now: () => clock });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'speech-cache-test-'));
    clock = 1_700_000_000_000;
  });

  afterEach(async () => {
    // Retried: a cache write still finishing (tmp file, rename) may add a file while the folder is removed.
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  });

  it('when a text was synthesised before a restart, the new process reads it from disk and does not synthesise again', async () => {
    const first = new CountingSynth();
    const before = await open(first);
    const audio = await before.synthesize('朝阳区水务局', signal);
    await before.flush();
    const second = new CountingSynth();
    const after = await open(second);
    expect(after.size.entries).to.equal(1);
    expect(await after.synthesize('朝阳区水务局', signal)).to.deep.equal(audio);
    expect(second.asked).to.deep.equal([]);
    expect(after.stats.hits).to.equal(1);
  });

  it('when the voice changes, the same text is a new entry', async () => {
    const synth = new CountingSynth();
    const v1 = await open(synth, 10_000, 'v1');
    await v1.synthesize('你好', signal);
    await v1.flush();
    await (await open(synth, 10_000, 'v2')).synthesize('你好', signal);
    expect(synth.asked).to.deep.equal(['你好', '你好']);
  });

  it('names files by a hash only: no text (and no path) reaches the file system', async () => {
    const cache = await open(new CountingSynth());
    await cache.synthesize('../../etc/passwd 张三 13800138000', signal);
    await cache.flush();
    const names = await readdir(dir);
    expect(names).to.have.length(1);
    expect(names[0]).to.match(/^[0-9a-f]{64}\.ulaw$/);
    expect(await readFile(path.join(dir, names[0] ?? ''), 'latin1')).to.not.include('13800138000');
  });

  it('when over its size, it removes the least recently used files first (a hit counts as a use)', async () => {
    const synth = new CountingSynth(100);
    const cache = await open(synth, 250);
    for (const text of ['a', 'b']) {
      clock += 1000;
      await cache.synthesize(text, signal);
      await cache.flush();
    }
    clock += 1000;
    await cache.synthesize('a', signal); // a is used again: b is now the oldest
    clock += 1000;
    await cache.synthesize('c', signal);
    await cache.flush();
    expect(cache.size).to.deep.equal({ entries: 2, bytes: 200 });
    expect(cache.stats.evictions).to.equal(1);
    const fresh = new CountingSynth(100);
    const reopened = await open(fresh, 250);
    await reopened.synthesize('a', signal);
    await reopened.synthesize('c', signal);
    await reopened.synthesize('b', signal);
    expect(fresh.asked, 'only b was evicted').to.deep.equal(['b']);
  });

  it('when a write was interrupted (a temporary file left), the next open removes it and keeps whole files only', async () => {
    const key = 'f'.repeat(64);
    await writeFile(path.join(dir, `${key}.ulaw.tmp-abc123`), Buffer.alloc(10));
    await writeFile(path.join(dir, 'notes.txt'), 'not ours');
    const cache = await open(new CountingSynth());
    expect(cache.size.entries).to.equal(0);
    expect((await readdir(dir)).sort()).to.deep.equal(['notes.txt']);
  });

  it('when a cached file disappears, it synthesises again instead of failing', async () => {
    const synth = new CountingSynth();
    const cache = await open(synth);
    await cache.synthesize('x', signal);
    await cache.flush();
    for (const name of await readdir(dir)) await rm(path.join(dir, name));
    expect((await cache.synthesize('x', signal)).length).to.equal(100);
    expect(synth.asked).to.deep.equal(['x', 'x']);
  });
});

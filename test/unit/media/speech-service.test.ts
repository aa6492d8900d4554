import { expect } from 'chai';
import sinon from 'sinon';
import { silentLogger } from '../../../src/logging/logger.js';
import { MediaError } from '../../../src/media/media-error.js';
import { PromptLibrary } from '../../../src/media/prompt-library.js';
import type { Synthesizer } from '../../../src/media/speech/espeak-synthesizer.js';
import { SpeechService } from '../../../src/media/speech/speech-service.js';

/** Answers each text with `bytes` of μ-law after the test calls finish(); counts what runs at once. */
class FakeSynth implements Synthesizer {
  readonly calls: { text: string; signal: AbortSignal; done: (bytes?: number) => void; fail: (err: Error) => void }[] = [];
  running = 0;
  maxRunning = 0;

  synthesize(text: string, signal: AbortSignal): Promise<Buffer> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    return new Promise((resolve, reject) => {
      const end = (): void => {
        this.running--;
      };
      signal.addEventListener('abort', () => {
        end();
        reject(new Error('killed'));
      });
      this.calls.push({
        text,
        signal,
        done: (bytes = 800) => {
          end();
          resolve(Buffer.alloc(bytes, 0x7f));
        },
        fail: (err) => {
          end();
          reject(err);
        },
      });
    });
  }
}

async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

describe('SpeechService', () => {
  let timers: sinon.SinonFakeTimers;
  beforeEach(() => {
    timers = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    sinon.restore();
  });

  function service(options: { cacheBytes?: number; concurrency?: number; maxWaiting?: number } = {}) {
    const synth = new FakeSynth();
    const library = new PromptLibrary('/nonexistent', silentLogger());
    const speech = new SpeechService({ synthesizer: synth, prompts: library, logger: silentLogger(), maxSynthesisMs: 3000, ...options });
    return { synth, library, speech };
  }

  it('when a text is asked for twice, it is synthesised once and the second answer comes from the cache', async () => {
    const { synth, library, speech } = service();
    const first = speech.prepare('朝阳区水务局');
    await turns();
    synth.calls[0]?.done(1600);
    const name = await first;
    expect(library.get(name)).to.include({ durationMs: 200 });
    expect(library.get(name)?.pcma.length).to.equal(1600);
    expect(await speech.prepare('朝阳区水务局')).to.equal(name);
    expect(synth.calls).to.have.length(1);
    expect(speech.stats).to.include({ hits: 1, syntheses: 1 });
  });

  it('when two calls ask for one text at the same time, they share one synthesis', async () => {
    const { synth, speech } = service();
    const a = speech.prepare('您好');
    const b = speech.prepare('您好');
    await turns();
    synth.calls[0]?.done();
    expect(await a).to.equal(await b);
    expect(synth.calls).to.have.length(1);
  });

  it('when more texts come than the concurrency, the rest wait for a slot', async () => {
    const { synth, speech } = service({ concurrency: 2 });
    const jobs = ['一', '二', '三', '四'].map((t) => speech.prepare(t));
    await turns();
    expect(synth.calls.map((c) => c.text)).to.deep.equal(['一', '二']);
    synth.calls[0]?.done();
    await turns(10);
    expect(synth.calls.map((c) => c.text)).to.deep.equal(['一', '二', '三']);
    for (const c of synth.calls.slice(1)) c.done();
    await turns(10);
    synth.calls[3]?.done();
    await Promise.all(jobs);
    expect(synth.maxRunning).to.equal(2);
  });

  it('when the waiting list is full, a new text is refused at once', async () => {
    const { speech } = service({ concurrency: 1, maxWaiting: 1 });
    void speech.prepare('一').catch(() => undefined);
    void speech.prepare('二').catch(() => undefined);
    await turns();
    const err = await speech.prepare('三').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(MediaError).with.property('message').match(/already wait/);
  });

  it('when synthesis takes longer than the limit, it is aborted (the process killed) and the answer is SPEECH_FAILED', async () => {
    const { synth, speech } = service();
    const job = speech.prepare('很长的一句话').catch((e: unknown) => e);
    await turns();
    await timers.tickAsync(3000);
    const err = await job;
    expect(synth.calls[0]?.signal.aborted).to.equal(true);
    expect(err).to.be.instanceOf(MediaError).with.property('code', 'SPEECH_FAILED');
    expect((err as Error).message).to.match(/more than 3000 ms/);
    expect(speech.cached('很长的一句话')).to.equal(false);
  });

  it('when the synthesiser fails, the answer is SPEECH_FAILED and the next ask tries again', async () => {
    const { synth, speech } = service();
    const job = speech.prepare('您好').catch((e: unknown) => e);
    await turns();
    synth.calls[0]?.fail(new MediaError('SPEECH_FAILED', 'espeak-ng exited with 1'));
    expect(await job).to.be.instanceOf(MediaError).with.property('message', 'espeak-ng exited with 1');
    const again = speech.prepare('您好');
    await turns();
    synth.calls[1]?.done();
    expect(await again).to.match(/^tts:/);
  });

  it('when the cache is over its byte limit, the least recently used text is evicted and removed from the library', async () => {
    // Each text: 1000 bytes PCMU + 1000 PCMA = 2000; room for two.
    const { synth, library, speech } = service({ cacheBytes: 4000 });
    const say = async (text: string): Promise<string> => {
      const job = speech.prepare(text);
      await turns();
      synth.calls.at(-1)?.done(1000);
      return job;
    };
    const a = await say('甲');
    const b = await say('乙');
    await speech.prepare('甲'); // 甲 is now the most recent
    const c = await say('丙');
    expect(speech.cached('乙')).to.equal(false);
    expect(library.has(b)).to.equal(false);
    expect(library.has(a) && library.has(c)).to.equal(true);
    expect(speech.cacheSize).to.deep.equal({ entries: 2, bytes: 4000 });
  });

  it('when the text is empty or too long, it is refused without a synthesis', async () => {
    const { synth, speech } = service();
    expect(await speech.prepare('  ').catch((e: unknown) => (e as Error).message)).to.match(/empty/);
    expect(await speech.prepare('字'.repeat(501)).catch((e: unknown) => (e as Error).message)).to.match(/longer than 500/);
    expect(synth.calls).to.have.length(0);
  });
});

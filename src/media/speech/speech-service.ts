import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../logging/logger.js';
import { ULAW_TO_ALAW, mapBytes } from '../g711.js';
import { MediaError } from '../media-error.js';
import type { Prompt } from '../prompt-library.js';
import type { Synthesizer } from './espeak-synthesizer.js';

/** Where synthesised prompts go so a call can play them by name (the media engine's PromptLibrary). */
export interface PromptSink {
  add(prompt: Prompt): void;
  remove(name: string): boolean;
}

export interface SpeechServiceOptions {
  readonly synthesizer: Synthesizer;
  readonly prompts: PromptSink;
  readonly logger: Logger;
  /** Longest a synthesis may take before it is killed and the caller hears the fallback (default 3000). */
  readonly maxSynthesisMs?: number;
  /** Syntheses running at once (child processes; default 2). */
  readonly concurrency?: number;
  /** Texts waiting for a free slot before new ones are refused (default 50). */
  readonly maxWaiting?: number;
  /** Audio kept in the cache, in bytes of PCMU + PCMA (default 16 MiB, about 17 minutes of speech). */
  readonly cacheBytes?: number;
  /** Longest text accepted (default 500 characters). */
  readonly maxChars?: number;
}

/** Prefix of the prompt names the service adds to the library (files never start with it). */
export const SPEECH_PROMPT_PREFIX = 'tts:';

/**
 * Text to speech for the IVR's `speak` node (the `Speech` port of src/ivr): `prepare(text)` resolves
 * with the name of a prompt holding the text spoken. A cache keyed by the text (LRU, bounded by
 * bytes) makes a unit's name cost one synthesis; two calls asking for one text at once share it.
 * Syntheses run in child processes, `concurrency` at a time, each killed after `maxSynthesisMs`.
 */
export class SpeechService {
  private readonly cache = new Map<string, Prompt>();
  private cachedBytes = 0;
  private readonly inFlight = new Map<string, Promise<string>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly maxSynthesisMs: number;
  private readonly concurrency: number;
  private readonly maxWaiting: number;
  private readonly cacheBytes: number;
  private readonly maxChars: number;
  private closed = false;
  /** Counters for tests and /metrics. */
  readonly stats = { hits: 0, syntheses: 0, failures: 0, evictions: 0 };

  constructor(private readonly options: SpeechServiceOptions) {
    this.maxSynthesisMs = options.maxSynthesisMs ?? 3000;
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.maxWaiting = options.maxWaiting ?? 50;
    this.cacheBytes = options.cacheBytes ?? 16 * 1024 * 1024;
    this.maxChars = options.maxChars ?? 500;
  }

  /** The prompt name for `text`, synthesised now or found in the cache. Rejects with MediaError SPEECH_FAILED. */
  prepare(text: string): Promise<string> {
    const key = text.trim();
    if (this.closed) return Promise.reject(new MediaError('SPEECH_FAILED', 'speech service closed'));
    if (key === '') return Promise.reject(new MediaError('SPEECH_FAILED', 'nothing to say (empty text)'));
    if (key.length > this.maxChars) return Promise.reject(new MediaError('SPEECH_FAILED', `text longer than ${this.maxChars} characters`));
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.cache.delete(key);
      this.cache.set(key, hit);
      this.stats.hits++;
      return Promise.resolve(hit.name);
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const job = this.synthesize(key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, job);
    return job;
  }

  /** True when `text` is in the cache (no synthesis needed). */
  cached(text: string): boolean {
    return this.cache.has(text.trim());
  }

  get cacheSize(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.cache.size, bytes: this.cachedBytes };
  }

  /** Refuses new work; the cached prompts stay in the library until the engine closes. */
  close(): void {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
  }

  private async synthesize(text: string): Promise<string> {
    // The time limit counts the wait for a free slot too: the caller waits either way.
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort();
    }, this.maxSynthesisMs);
    const started = performance.now();
    const timedOut = (): boolean => controller.signal.aborted;
    try {
      await this.slot();
    } catch (err) {
      clearTimeout(timer);
      this.stats.failures++;
      throw err;
    }
    try {
      if (this.closed) throw new MediaError('SPEECH_FAILED', 'speech service closed');
      if (controller.signal.aborted) throw new MediaError('SPEECH_FAILED', `no synthesiser free within ${this.maxSynthesisMs} ms`);
      this.stats.syntheses++;
      const pcmu = await this.options.synthesizer.synthesize(text, controller.signal);
      // A synthesiser may resolve just as the limit strikes: too late is too late (a method: the compiler would assume it unchanged).
      if (timedOut()) throw new MediaError('SPEECH_FAILED', `speech synthesis took more than ${this.maxSynthesisMs} ms`);
      const name = `${SPEECH_PROMPT_PREFIX}${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      const prompt: Prompt = { name, pcmu, pcma: mapBytes(pcmu, ULAW_TO_ALAW), durationMs: (pcmu.length / 8000) * 1000 };
      this.store(text, prompt);
      this.options.logger.debug('speech synthesised', { chars: text.length, ms: Math.round(performance.now() - started), audioMs: prompt.durationMs });
      return name;
    } catch (err) {
      this.stats.failures++;
      const reason = controller.signal.aborted ? `speech synthesis took more than ${this.maxSynthesisMs} ms` : err instanceof Error ? err.message : String(err);
      this.options.logger.warn('speech synthesis failed', { chars: text.length, reason });
      throw err instanceof MediaError && !controller.signal.aborted ? err : new MediaError('SPEECH_FAILED', reason, { cause: err });
    } finally {
      clearTimeout(timer);
      this.release();
    }
  }

  private store(text: string, prompt: Prompt): void {
    const size = prompt.pcmu.length + prompt.pcma.length;
    if (size > this.cacheBytes) {
      // Too big to keep: still playable now, dropped from the library a while after.
      this.options.prompts.add(prompt);
      setTimeout(() => this.options.prompts.remove(prompt.name), 5 * 60_000).unref();
      return;
    }
    this.options.prompts.add(prompt);
    this.cache.set(text, prompt);
    this.cachedBytes += size;
    for (const [key, old] of this.cache) {
      if (this.cachedBytes <= this.cacheBytes) break;
      this.cache.delete(key);
      this.cachedBytes -= old.pcmu.length + old.pcma.length;
      // A call already playing it keeps its buffers (playback holds the Prompt, not the name).
      this.options.prompts.remove(old.name);
      this.stats.evictions++;
    }
  }

  private slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(new MediaError('SPEECH_FAILED', `${this.maxWaiting} texts already wait for the synthesiser`));
    return new Promise((resolve) => {
      this.waiting.push(() => {
        this.running++;
        resolve();
      });
    });
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}

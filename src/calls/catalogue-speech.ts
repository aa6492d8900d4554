import type { Logger } from '../logging/logger.js';

export interface CatalogueSpeechDeps {
  /** Synthesises a text into the speech cache (SpeechService.prepare: memory, and disk when configured). */
  readonly warm: (text: string) => Promise<unknown>;
  /** The names to read at start: handling units and categories. */
  readonly names: () => Promise<readonly string[]>;
  readonly logger: Logger;
}

/**
 * Keeps the catalogue's names (承办单位, 工单分类) synthesised before a caller needs them (issue 12):
 * all of them in the background at start, and each one again when an admin creates or renames it.
 * One synthesis at a time (the synthesiser's slots stay free for callers; a cached name costs a file
 * read), never awaited by the edit or the start-up; a failure is logged and the name is synthesised on
 * first use instead.
 */
export class CatalogueSpeech {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** Counters for tests and logs. */
  readonly stats = { warmed: 0, failed: 0 };

  constructor(private readonly deps: CatalogueSpeechDeps) {}

  /** Queues every catalogue name; resolves when they are done (callers need not wait). */
  warmAll(): Promise<void> {
    return this.enqueue(async () => {
      let names: readonly string[];
      try {
        names = await this.deps.names();
      } catch (err) {
        this.deps.logger.warn('catalogue speech: listing the names failed', { error: err instanceof Error ? err.message : String(err) });
        return;
      }
      const started = Date.now();
      const before = this.stats.failed;
      for (const name of new Set(names)) {
        if (this.closed) return;
        await this.synthesise(name);
      }
      this.deps.logger.info('catalogue speech ready', { names: names.length, failed: this.stats.failed - before, ms: Date.now() - started });
    });
  }

  /** Queues one name just created or renamed. */
  warm(name: string): Promise<void> {
    return this.enqueue(() => this.synthesise(name));
  }

  /** Stops after the synthesis running now. */
  close(): void {
    this.closed = true;
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(job, job);
    return this.chain;
  }

  private async synthesise(name: string): Promise<void> {
    const text = name.trim();
    if (text === '' || this.closed) return;
    try {
      await this.deps.warm(text);
      this.stats.warmed++;
    } catch (err) {
      this.stats.failed++;
      this.deps.logger.debug('catalogue speech: synthesis failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}

import type { Logger } from '../logging/logger.js';

/**
 * Writes ACD records one after another, in the order the ACD decided them, without making routing
 * wait for the database. A failed write is logged (with what it was) and does not stop later ones.
 */
export class RecordWriter {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly logger: Logger) {}

  write(what: string, fields: Record<string, unknown>, fn: () => Promise<unknown>): void {
    this.tail = this.tail.then(fn).then(
      () => undefined,
      (err: unknown) => {
        this.logger.error('acd record not stored', { record: what, ...fields, error: err instanceof Error ? err.message : String(err) });
      },
    );
  }

  /** Resolves when every write so far has finished (stored or logged). Never rejects. */
  flush(): Promise<void> {
    return this.tail;
  }
}

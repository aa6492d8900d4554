import type { Logger } from '../logging/logger.js';
import { InvalidStateError } from '../shared/app-error.js';

/** One closer that failed: its name and what it threw (or rejected with). */
export interface CloseFailure {
  readonly name: string;
  readonly error: unknown;
}

/** Runs one registered closer now (at most once over the list's life); never rejects. */
export type CloseNow = () => Promise<void>;

interface Entry {
  readonly name: string;
  readonly fn: () => unknown;
  ran: Promise<void> | undefined;
}

/**
 * The ordered list of what the server has opened, after mediasoup's close cascades: each resource
 * registers its closer as soon as it is opened (or just before, when opening may fail halfway), and
 * `closeAll()` closes in the reverse order of registration, so whatever was opened last, and may use
 * what came before it, closes first. The same list serves a clean stop and a start that failed halfway.
 *
 * Each closer runs at most once, whether through `closeAll()` or the handle `add()` returns (for a
 * step that must run early, such as stopping the jobs before the calls drain). A closer that throws or
 * rejects is logged with its name and the others still run.
 */
export class Closers {
  private readonly entries: Entry[] = [];
  private readonly failures: CloseFailure[] = [];
  private closing: Promise<readonly CloseFailure[]> | undefined;

  constructor(private readonly logger: Logger) {}

  /** How many closers are registered (for logs and tests). */
  get size(): number {
    return this.entries.length;
  }

  /** Names of the closers not run yet, in the order closeAll() would run them. */
  get pending(): string[] {
    return this.entries
      .filter((e) => e.ran === undefined)
      .map((e) => e.name)
      .reverse();
  }

  /**
   * Registers `fn` to close `name`. Returns a handle that runs it now (once). Throws when closeAll()
   * has begun: what is opened after that would never be closed, so the caller must not open it.
   */
  add(name: string, fn: () => unknown): CloseNow {
    if (this.closing !== undefined) throw new InvalidStateError(`closers: "${name}" added after closeAll() began`);
    const entry: Entry = { name, fn, ran: undefined };
    this.entries.push(entry);
    return () => this.run(entry);
  }

  /**
   * Runs every closer not run yet, one after the other, last registered first. Resolves once all have
   * run, with every failure so far (early runs included); a second call runs nothing more and resolves
   * with the same list.
   */
  closeAll(): Promise<readonly CloseFailure[]> {
    this.closing ??= (async () => {
      for (const entry of [...this.entries].reverse()) await this.run(entry);
      return [...this.failures];
    })();
    return this.closing;
  }

  private run(entry: Entry): Promise<void> {
    entry.ran ??= (async () => {
      try {
        await entry.fn();
      } catch (error) {
        this.failures.push({ name: entry.name, error });
        this.logger.error('close failed; closing the rest', { closer: entry.name, error: error instanceof Error ? error.message : String(error) });
      }
    })();
    return entry.ran;
  }
}

/** One line naming each failed closer and why, e.g. for the error a stop throws. */
export function describeFailures(failures: readonly CloseFailure[]): string {
  return failures.map((f) => `${f.name}: ${f.error instanceof Error ? f.error.message : String(f.error)}`).join('; ');
}

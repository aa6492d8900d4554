import type { Clock, Timer } from '../shared/clock.js';
import { InvalidStateError } from '../shared/app-error.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import type { Logger } from '../logging/logger.js';
import type { Flow } from './flow.js';
import { FlowError } from './flow-error.js';
import type { NodeRegistry } from './node-registry.js';
import { parseFlow } from './parse-flow.js';

/** Reads a flow file as UTF-8 text; main.ts passes `(p) => fs.promises.readFile(p, 'utf8')`. */
export type ReadText = (path: string) => Promise<string>;

/**
 * Calls `onChange` when the file may have changed; main.ts passes something like
 * `(p, cb) => fs.watch(p, cb)`. Returns a handle whose `close()` stops watching.
 */
export type WatchFile = (path: string, onChange: () => void) => { close(): void };

export interface FlowStoreOptions {
  readonly readText: ReadText;
  readonly hasPrompt: (name: string) => boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry?: NodeRegistry;
  /** Needed only for `watch()`. */
  readonly watchFile?: WatchFile;
  /** Quiet time after the last change event before reloading (editors write in bursts). Default 300 ms. */
  readonly debounceMs?: number;
}

/** `ok: false` keeps serving `flow`, the last good one (undefined if none was ever loaded). */
export type ReloadResult = { readonly ok: true; readonly flow: Flow } | { readonly ok: false; readonly error: FlowError; readonly flow: Flow | undefined };

export interface FlowStoreEvents extends Record<string, unknown[]> {
  loaded: [flow: Flow];
  refused: [error: FlowError];
}

/**
 * Holds the current IVR flow. The file is read through the injected `readText` (and watched
 * through `watchFile`) so the IVR domain does no I/O itself. A bad file never replaces a good
 * flow: the server keeps answering calls with the last good one and logs why the new one was refused.
 */
export class FlowStore {
  readonly observer = new TypedEmitter<FlowStoreEvents>();
  private path: string | undefined;
  private flow: Flow | undefined;
  private watcher: { close(): void } | undefined;
  private debounce: Timer | undefined;
  private closed = false;

  constructor(private readonly options: FlowStoreOptions) {}

  /** The flow in service, or undefined before the first successful load. */
  get current(): Flow | undefined {
    return this.flow;
  }

  /** Reads and validates `path`; on success it becomes the current flow. Throws FlowError. */
  async load(path: string): Promise<Flow> {
    this.path = path;
    const flow = await this.read(path);
    this.flow = flow;
    this.options.logger.info('ivr flow loaded', { file: path, flow: flow.name, nodes: flow.nodes.size });
    this.observer.emit('loaded', flow);
    return flow;
  }

  /** Reads the file again; a bad file is logged and returned as an error, the last good flow stays. */
  async reload(): Promise<ReloadResult> {
    if (this.path === undefined) throw new InvalidStateError('FlowStore.reload() before load()');
    try {
      return { ok: true, flow: await this.load(this.path) };
    } catch (err) {
      if (!(err instanceof FlowError)) throw err;
      this.options.logger.error('ivr flow refused; keeping the last good flow', {
        file: err.file,
        error: err.message,
        keeping: this.flow?.name,
      });
      this.observer.emit('refused', err);
      return { ok: false, error: err, flow: this.flow };
    }
  }

  /** Reloads (debounced) whenever the file changes, until `close()`. */
  watch(): void {
    const { watchFile } = this.options;
    if (this.closed) throw new InvalidStateError('FlowStore is closed');
    if (watchFile === undefined) throw new InvalidStateError('FlowStore.watch() needs the watchFile option');
    if (this.path === undefined) throw new InvalidStateError('FlowStore.watch() before load()');
    if (this.watcher !== undefined) return;
    this.watcher = watchFile(this.path, () => {
      this.scheduleReload();
    });
  }

  /** Stops watching and clears the debounce timer. Safe to call twice. */
  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.debounce !== undefined) this.options.clock.clearTimeout(this.debounce);
    this.debounce = undefined;
  }

  private scheduleReload(): void {
    if (this.closed) return;
    if (this.debounce !== undefined) this.options.clock.clearTimeout(this.debounce);
    this.debounce = this.options.clock.setTimeout(() => {
      this.debounce = undefined;
      this.reload().catch((err: unknown) => {
        this.options.logger.error('ivr flow reload failed', { error: err instanceof Error ? err.message : String(err) });
      });
    }, this.options.debounceMs ?? 300);
  }

  private async read(path: string): Promise<Flow> {
    let text: string;
    try {
      text = await this.options.readText(path);
    } catch (err) {
      throw new FlowError(path, undefined, '', `cannot read the file: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const { hasPrompt, registry } = this.options;
    return parseFlow(text, path, registry === undefined ? { hasPrompt } : { hasPrompt, registry });
  }
}

import { extname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type Transferable } from 'node:worker_threads';
import type { MediaWorkerData, WorkerCommand, WorkerEvent } from './media-worker-protocol.js';

/** How long a worker may take to finish its recordings and close on shutdown before it is terminated. */
const SHUTDOWN_TIMEOUT_MS = 10_000;
/**
 * A worker not ready by then is ended and counts as crashed (its owner starts another): on a loaded
 * machine a worker under tsx was seen, rarely, never to report ready. Normal start: 1-3 s under tsx.
 */
const READY_TIMEOUT_MS = 10_000;

/**
 * How to start the worker: its entry is next to this module, with this module's extension, so it
 * runs from tsc's output in dist/ (a plain .js worker) and from the TypeScript sources under tsx
 * (npm start, mocha) alike. A .ts entry is loaded by a small bootstrap that registers tsx in the
 * worker first: in Node 20 neither the main thread's loader hooks (mocha's `import: tsx`) nor an
 * `--import tsx` in the worker's execArgv apply to a worker's entry module.
 */
function workerEntry(): { entry: URL | string; eval: boolean } {
  const ext = extname(fileURLToPath(import.meta.url));
  const url = new URL(`./media-worker${ext}`, import.meta.url);
  if (ext !== '.ts') return { entry: url, eval: false };
  // require.resolve (under tsx's CommonJS transform, as in mocha, import.meta has no resolve()) names
  // the CJS build of tsx/esm/api; its ESM build is the .mjs beside it (tsx's package.json exports).
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return { entry: bootstrap, eval: true };
}

export interface MediaWorkerThreadOptions {
  readonly data: MediaWorkerData;
  readonly onEvent: (event: WorkerEvent) => void;
  /** The thread ended without being asked to (an uncaught exception, an abort): `error` tells why, when known. */
  readonly onCrash: (error: unknown) => void;
}

/** One media worker thread: starts it, posts commands, and tells its events and its unexpected end. */
export class MediaWorkerThread {
  /** Resolves on the worker's 'ready'; rejects if it ends before. */
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private lastError: unknown;
  private stopping = false;
  private exited = false;
  private shutdownDone: (() => void) | undefined;

  constructor(private readonly options: MediaWorkerThreadOptions) {
    const { entry, eval: isEval } = workerEntry();
    // The bootstrap gets no execArgv of the main thread: under tsx those name loaders that fail in a worker.
    this.worker = new Worker(entry, { workerData: options.data, ...(isEval ? { eval: true, execArgv: [] } : {}) });
    let resolveReady: () => void = () => undefined;
    let rejectReady: (err: unknown) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    // A start-up failure is reported through the exit; nobody may be awaiting ready yet.
    this.ready.catch(() => undefined);
    const readyTimer = setTimeout(() => {
      this.lastError = new Error(`media worker not ready within ${READY_TIMEOUT_MS} ms`);
      void this.worker.terminate();
    }, READY_TIMEOUT_MS);
    readyTimer.unref();
    this.worker.on('message', (event: WorkerEvent) => {
      if (event.type === 'ready') {
        clearTimeout(readyTimer);
        resolveReady();
      }
      else if (event.type === 'shutdown-done') this.shutdownDone?.();
      else options.onEvent(event);
    });
    this.worker.on('error', (err) => {
      this.lastError = err;
    });
    this.worker.on('exit', (code) => {
      clearTimeout(readyTimer);
      this.exited = true;
      this.shutdownDone?.();
      const error = this.lastError ?? new Error(`media worker exited with code ${code}`);
      rejectReady(error);
      if (!this.stopping) options.onCrash(error);
    });
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  post(cmd: WorkerCommand, transfer?: readonly Transferable[]): void {
    if (this.exited) return;
    this.worker.postMessage(cmd, transfer);
  }

  /** Asks the worker to close its bridges (recordings complete) and sessions, then terminates it. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (!this.exited) {
      const done = new Promise<void>((resolve) => {
        this.shutdownDone = resolve;
      });
      this.post({ type: 'shutdown' });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS)))]);
      clearTimeout(timer);
    }
    await this.worker.terminate();
  }
}

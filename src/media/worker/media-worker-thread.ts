import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
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
 * runs from tsc's output in dist/ (a plain .js worker, as `npm start` runs it). From the TypeScript
 * sources (tsx: mocha, the e2e servers, scripts) the worker is bundled once per process by esbuild
 * (tsx's own compiler) into one plain ES module beside node_modules, so that the worker needs no
 * loader hooks: registering tsx's hooks inside a worker thread (module.register, Node 20) was seen to
 * hang the server's start on a loaded machine, with neither 'ready' nor an exit, so that even
 * terminate() never ended it (nodejs/node#50948 and its family).
 */
function workerEntry(): URL {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  const url = new URL(`./media-worker${ext}`, import.meta.url);
  return ext === '.ts' ? bundledWorker(fileURLToPath(url)) : url;
}

let bundled: URL | undefined;

/** esbuild's bundle of the .ts worker entry (npm packages stay imports, resolved from the cache folder). */
function bundledWorker(entry: string): URL {
  if (bundled !== undefined) return bundled;
  const require = createRequire(import.meta.url);
  const esbuild = require('esbuild') as typeof import('esbuild');
  const out = esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', write: false, logLevel: 'silent' });
  const text = out.outputFiles[0]?.text ?? '';
  // In node_modules/.cache of this checkout, so that the bundle's package imports resolve; named by its hash.
  const dir = join(dirname(require.resolve('esbuild/package.json')), '..', '.cache', 'hotline-media-worker');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `media-worker-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  }
  bundled = pathToFileURL(file);
  return bundled;
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
    // No execArgv of the main thread: under tsx those name loaders, which the worker does not need.
    this.worker = new Worker(workerEntry(), { workerData: options.data, execArgv: [] });
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

import type { Logger } from '../../logging/logger.js';
import { PromptLibrary, type Prompt } from '../prompt-library.js';
import type { SharedPrompt } from './media-worker-protocol.js';

/**
 * The prompts of a worker engine, on the main thread: the library loaded from PROMPTS_DIR plus the
 * prompts added at run time (speech), each also copied once into shared memory so every worker plays
 * the same bytes without a copy of its own. add()/remove() reach every worker through `broadcast`
 * before any play() posted after them (one ordered port per worker).
 */
export class SharedPromptStore {
  private readonly library: PromptLibrary;
  private readonly shared = new Map<string, SharedPrompt>();

  constructor(
    dir: string,
    logger: Logger,
    private readonly broadcast: (change: { add: SharedPrompt } | { remove: string }) => void,
  ) {
    this.library = new PromptLibrary(dir, logger);
  }

  async load(): Promise<void> {
    await this.library.load();
    this.shared.clear();
    for (const name of this.library.names) {
      const p = this.library.get(name);
      if (p === undefined) continue;
      const shared = toShared(p);
      this.shared.set(name, shared);
      // The main thread keeps the shared copy too: one copy of each prompt in the process.
      this.library.add({ ...p, pcmu: sharedBuffer(shared.pcmu), pcma: sharedBuffer(shared.pcma) });
    }
  }

  /** Every prompt, for a worker that starts. */
  all(): SharedPrompt[] {
    return [...this.shared.values()];
  }

  add(prompt: Prompt): void {
    const shared = toShared(prompt);
    this.library.add({ ...prompt, pcmu: sharedBuffer(shared.pcmu), pcma: sharedBuffer(shared.pcma) });
    this.shared.set(prompt.name, shared);
    this.broadcast({ add: shared });
  }

  remove(name: string): boolean {
    this.shared.delete(name);
    const removed = this.library.remove(name);
    if (removed) this.broadcast({ remove: name });
    return removed;
  }

  has(name: string): boolean {
    return this.library.has(name);
  }

  get(name: string): Prompt | undefined {
    return this.library.get(name);
  }

  get names(): string[] {
    return this.library.names;
  }
}

function toShared(p: Prompt): SharedPrompt {
  const memory = new SharedArrayBuffer(p.pcmu.length + p.pcma.length);
  const pcmu = new Uint8Array(memory, 0, p.pcmu.length);
  const pcma = new Uint8Array(memory, p.pcmu.length, p.pcma.length);
  pcmu.set(p.pcmu);
  pcma.set(p.pcma);
  return { name: p.name, pcmu, pcma, durationMs: p.durationMs };
}

function sharedBuffer(view: Uint8Array): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

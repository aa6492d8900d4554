import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createDefaultNodeRegistry, FlowStore, type NoticeSource } from '../ivr/index.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';
import type { Closers, CloseNow } from './closers.js';

export interface FlowStoreDeps {
  /** Prompts a flow may name (the media engine's library). */
  readonly hasPrompt: (name: string) => boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly closers: Closers;
  /** Notices in force for the `notices` node (the inbound flow's); without it the node reads none. */
  readonly notices?: NoticeSource;
}

/**
 * The one way the server makes a FlowStore (the inbound IVR, the supervision and the survey flows):
 * files read as UTF-8 and watched with fs.watch, its close registered before the first load (a bad
 * file then still leaves nothing behind), loaded, then watched for edits. `isQueue` adds the `queue`
 * node: only the inbound flow may send a caller to a queue. Rejects with FlowError naming the file.
 * Returns the store and the handle that closes it now (once).
 */
export async function openFlowStore(
  name: string,
  path: string,
  deps: FlowStoreDeps,
  isQueue?: (queue: string) => boolean,
): Promise<{ readonly store: FlowStore; readonly close: CloseNow }> {
  const store = new FlowStore({
    readText: (file) => readFile(file, 'utf8'),
    hasPrompt: deps.hasPrompt,
    watchFile: (file, onChange) => watch(file, onChange),
    registry: createDefaultNodeRegistry({ ...(isQueue === undefined ? {} : { isQueue }), ...(deps.notices === undefined ? {} : { notices: deps.notices }) }),
    clock: deps.clock,
    logger: deps.logger,
  });
  const close = deps.closers.add(name, () => {
    store.close();
  });
  await store.load(path);
  store.watch();
  return { store, close };
}

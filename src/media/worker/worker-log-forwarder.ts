import { Writable } from 'node:stream';
import { createLogger as createWinston, transports } from 'winston';
import type { Logger } from '../../logging/logger.js';
import type { WorkerEvent } from './media-worker-protocol.js';

/**
 * The logger of a media worker: a winston logger (so the media classes run unchanged) whose records
 * are posted to the main thread, which writes them with the process logger (its format, its masking).
 * Filtered by level here: a debug line that the main logger would drop is never posted.
 */
export function forwardingLogger(level: string, post: (event: WorkerEvent) => void, meta: Record<string, unknown>): Logger {
  const sink = new Writable({
    objectMode: true,
    write(info: Record<string, unknown>, _encoding, done) {
      const { level: lvl, message, ...rest } = info;
      const event: WorkerEvent = { type: 'log', level: String(lvl), message: String(message), meta: rest };
      try {
        post(event);
      } catch {
        // Something in the metadata cannot be cloned (a function, a socket): send it as JSON.
        post({ ...event, meta: JSON.parse(JSON.stringify(rest, (_k, v: unknown) => (v instanceof Error ? v.message : v))) as Record<string, unknown> });
      }
      done();
    },
  });
  return createWinston({
    level,
    defaultMeta: meta,
    // winston-transport's types come from two copies of the package; the instance is the right one.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    transports: [new transports.Stream({ stream: sink })],
  });
}

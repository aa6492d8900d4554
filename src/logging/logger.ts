import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createLogger as createWinston, format, transports, type Logger as WinstonLogger } from 'winston';
import { maskPhonesIn } from '../shared/mask.js';

export type Logger = WinstonLogger;

/** LOG_FILE: lines go to this file instead of stdout, rotated by size. */
export interface LogFileOptions {
  readonly path: string;
  /** A file is rotated once it reaches this size (LOG_FILE_MAX_MB). */
  readonly maxBytes: number;
  /** Files kept, the current one included (LOG_FILE_MAX_FILES); the oldest is deleted. */
  readonly maxFiles: number;
}

/**
 * The process logger: winston JSON to stdout (journald under systemd), or to a size-rotated file
 * when `file` is given. Modules get child loggers carrying `callId` / `agentId` / `ticketId`. Phone
 * numbers are masked by the caller (shared/mask.ts) and, as a net under every call site, by
 * `maskPhones` below on every line.
 */
export function createLogger(level: string, options: { silent?: boolean; file?: LogFileOptions } = {}): Logger {
  const { file } = options;
  if (file !== undefined) mkdirSync(dirname(file.path), { recursive: true, mode: 0o700 });
  const logger = createWinston({
    level,
    silent: options.silent ?? false,
    format: format.combine(format.errors({ stack: true }), maskPhones(), format.timestamp(), format.json()),
    transports: [
      file === undefined
        ? // winston-transport's types come from two copies of the package; the instance is the right one.
          // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
          new transports.Console()
        : // winston's own rotation: `tailable` keeps the newest lines in `path`, older ones in path1 … path<maxFiles-1>.
          // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
          new transports.File({ filename: file.path, maxsize: file.maxBytes, maxFiles: file.maxFiles, tailable: true }),
    ],
  });
  return skipDisabledLevels(logger);
}

/**
 * Resolves once a LOG_FILE transport has opened its file (at once without one), at most `timeoutMs`.
 * winston's File transport loses every line, then and later, when it must rotate before its first
 * open completed (seen with winston 3.19): main.ts waits for this before the start-up burst of lines.
 */
export async function logFileOpened(logger: Logger, timeoutMs: number): Promise<void> {
  const files = logger.transports.filter((t): t is InstanceType<typeof transports.File> => t instanceof transports.File);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(
      files.map(
        (t) =>
          new Promise<void>((resolve) => {
            t.once('open', () => {
              resolve();
            });
          }),
      ),
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Gives a LOG_FILE transport `ms` to write its last lines (and finish a rotation) before
 * process.exit: stdout is written as lines come, a file stream asynchronously. Ending the logger
 * instead makes winston's File transport fail with "write after end" when a rotation is in flight.
 */
export async function settleLogFile(logger: Logger, ms: number): Promise<void> {
  if (!logger.transports.some((t) => t instanceof transports.File)) return;
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** winston's npm levels, most severe first: each is a method of the logger. */
const LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

/**
 * Makes a call at a disabled level cost one level comparison. winston itself runs every entry through
 * the whole format chain (phone masking, timestamp, JSON) and the stream machinery, and only then
 * lets the transport drop it: at LOG_LEVEL=warn the info lines of each call cost ~4 % of the main
 * thread at 400 calls/s. The check is winston's own `isLevelEnabled` (logger level and transport
 * levels, read at each call), so a level changed at run time still applies. Child loggers
 * (`child()` is `Object.create(parent)`) inherit the guarded methods.
 */
function skipDisabledLevels(logger: WinstonLogger): WinstonLogger {
  for (const level of LEVELS) {
    const write: unknown = logger[level];
    if (typeof write !== 'function') continue;
    Object.defineProperty(logger, level, {
      configurable: true,
      writable: true,
      // `this` is undefined when a method is passed around unbound; winston falls back to the root too.
      value: function guarded(this: WinstonLogger | undefined, ...args: unknown[]): unknown {
        const self = this ?? logger;
        return self.isLevelEnabled(level) ? Reflect.apply(write, self, args) : self;
      },
    });
  }
  const log: unknown = logger.log;
  if (typeof log === 'function') {
    Object.defineProperty(logger, 'log', {
      configurable: true,
      writable: true,
      value: function guardedLog(this: WinstonLogger | undefined, ...args: unknown[]): unknown {
        const self = this ?? logger;
        // log(level, message, …) or log({ level, message, … }).
        const [first] = args;
        const level = typeof first === 'string' ? first : typeof first === 'object' && first !== null ? (first as { level?: unknown }).level : undefined;
        return typeof level === 'string' && !self.isLevelEnabled(level) ? self : Reflect.apply(log, self, args);
      },
    });
  }
  return logger;
}

/** A logger that writes nothing: for unit tests. */
export function silentLogger(): Logger {
  return createLogger('error', { silent: true });
}

/** Fields that are identifiers, never numbers of people: kept exact so lines can be correlated. */
const ID_FIELDS = new Set(['callId', 'ticketCode', 'ticketId', 'requestId', 'timestamp', 'level']);
const MAX_DEPTH = 6;

function maskValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskPhonesIn(value);
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskValue(v, depth + 1));
  // An Error becomes its masked message and stack: a driver error's own fields (`sql`,
  // `parameters`) hold raw values and are never printed.
  if (value instanceof Error) return { name: value.name, message: maskPhonesIn(value.message), stack: maskPhonesIn(value.stack ?? '') };
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = ID_FIELDS.has(key) ? v : maskValue(v, depth + 1);
  return out;
}

/**
 * A winston format masking phone-number-like digit runs (shared/mask.ts `maskPhonesIn`) in the
 * message and every string field, nested ones included: a caller's number never reaches a log
 * file in full, whichever call site forgot to mask it.
 */
export const maskPhones = format((info) => {
  const fields = info as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!ID_FIELDS.has(key)) fields[key] = maskValue(fields[key], 0);
  }
  return info;
});

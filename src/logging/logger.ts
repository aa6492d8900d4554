import { createLogger as createWinston, format, transports, type Logger as WinstonLogger } from 'winston';
import { maskPhonesIn } from '../shared/mask.js';

export type Logger = WinstonLogger;

/**
 * The process logger: winston JSON to stdout. Modules get child loggers carrying
 * `callId` / `agentId` / `ticketId`. Phone numbers are masked by the caller (shared/mask.ts) and,
 * as a net under every call site, by `maskPhones` below on every line.
 */
export function createLogger(level: string, options: { silent?: boolean } = {}): Logger {
  return createWinston({
    level,
    silent: options.silent ?? false,
    format: format.combine(format.errors({ stack: true }), maskPhones(), format.timestamp(), format.json()),
    // winston-transport's types come from two copies of the package; the instance is the right one.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    transports: [new transports.Console()],
  });
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

import { createLogger as createWinston, format, transports, type Logger as WinstonLogger } from 'winston';

export type Logger = WinstonLogger;

/**
 * The process logger: winston JSON to stdout. Modules get child loggers carrying
 * `callId` / `agentId` / `ticketId`; phone numbers are masked by the caller (shared/mask.ts).
 */
export function createLogger(level: string, options: { silent?: boolean } = {}): Logger {
  return createWinston({
    level,
    silent: options.silent ?? false,
    format: format.combine(format.timestamp(), format.errors({ stack: true }), format.json()),
    // winston-transport's types come from two copies of the package; the instance is the right one.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    transports: [new transports.Console()],
  });
}

/** A logger that writes nothing: for unit tests. */
export function silentLogger(): Logger {
  return createLogger('error', { silent: true });
}

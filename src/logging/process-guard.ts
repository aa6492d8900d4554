import type { Logger } from './logger.js';

export interface ProcessGuardOptions {
  readonly logger: Logger;
  /** More uncaught exceptions than this within `windowMs` and the process is taken as broken. Default 5. */
  readonly maxUncaught?: number;
  /** Default 60 000. */
  readonly windowMs?: number;
  /** Called once the process is taken as broken (main drains and exits 1, so a supervisor restarts it). */
  readonly onBroken: () => void;
  readonly now?: () => number;
}

/**
 * The last line of defence, behind the guarded emits and timers: an exception or rejection nobody
 * caught is logged at error level with its stack (never swallowed silently) and the process keeps
 * serving, so one call's bug does not drop every live call of the hotline. A burst of uncaught
 * exceptions (more than `maxUncaught` in `windowMs`) means the process is no longer sound:
 * `onBroken` then lets main drain and exit for a restart. Returns the uninstaller.
 *
 * Not installed by the tests: there an escaped error must fail the test, not become a log line.
 */
export function installProcessGuard(options: ProcessGuardOptions, proc: NodeJS.Process = process): () => void {
  const maxUncaught = options.maxUncaught ?? 5;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  let recent: number[] = [];
  let broken = false;
  const detail = (err: unknown): { error: string; stack: string | undefined } => ({
    error: err instanceof Error ? err.message : String(err),
    stack: err instanceof Error ? err.stack : undefined,
  });
  const onException = (err: unknown): void => {
    options.logger.error('uncaught exception', detail(err));
    const t = now();
    recent = [...recent.filter((at) => t - at < windowMs), t];
    if (recent.length > maxUncaught && !broken) {
      broken = true;
      options.logger.error('too many uncaught exceptions: draining and exiting for a restart', { count: recent.length, windowMs });
      options.onBroken();
    }
  };
  const onRejection = (reason: unknown): void => {
    options.logger.error('unhandled promise rejection', detail(reason));
  };
  proc.on('uncaughtException', onException);
  proc.on('unhandledRejection', onRejection);
  return () => {
    proc.off('uncaughtException', onException);
    proc.off('unhandledRejection', onRejection);
  };
}

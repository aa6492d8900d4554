/**
 * Entry point. Start-up failures (bad config, unreachable database, bad flow or queues file, a port
 * in use) print one line naming what is wrong and exit 1. SIGTERM/SIGINT drain calls, then exit 0
 * (during the start-up: once started; a second signal then exits 1 at once); SIGHUP reloads the IVR flow.
 */
import { loadConfig, type Config } from './config/config.js';
import { createLogger, logFileOpened, settleLogFile, type Logger } from './logging/logger.js';
import { installProcessGuard } from './logging/process-guard.js';
import { startServer, stopServer, type RunningServer } from './server.js';
import { AppError } from './shared/app-error.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  // Every file and folder this process creates (SQLite db, -wal/-shm, recordings, admin password)
  // is readable by its owner only: they hold residents' details, HA1s and voices (issue 9, item 7).
  process.umask(0o077);
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  let logger: Logger;
  try {
    const file = config.LOG_FILE === undefined ? undefined : { path: config.LOG_FILE, maxBytes: Math.round(config.LOG_FILE_MAX_MB * 1_048_576), maxFiles: config.LOG_FILE_MAX_FILES };
    logger = createLogger(config.LOG_LEVEL, file === undefined ? {} : { file });
  } catch (err) {
    fail(`cannot start: LOG_FILE: ${err instanceof Error ? err.message : String(err)}`);
  }
  await logFileOpened(logger, 5000);
  // stdout/stderr gone (the pipe's reader died: a parent process, `| head`, a stopped journald):
  // each write fails with EPIPE, and logging that failure writes again. Logging stops instead; the
  // calls go on and signals still drain the process.
  const onStdioError = (): void => {
    if (!logger.silent) logger.silent = true;
  };
  process.stdout.on('error', onStdioError);
  process.stderr.on('error', onStdioError);
  // The signal handlers come before the start: /healthz answers while the rest of the start-up
  // (flows, jobs) finishes, and a SIGTERM then (an operator, an orchestrator) would have killed the
  // process half-started by Node's default action. A signal during the start stops it once started.
  let running: RunningServer | undefined;
  let stopping = false;
  let signalDuringStart: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    if (running === undefined) {
      // A start that hangs (a database that does not answer) must not make signals useless: the second exits.
      if (signalDuringStart !== undefined) fail(`cannot start: ${signal} received again during start-up`);
      logger.info('signal received during start-up: stopping once started (again to exit at once)', { signal });
      signalDuringStart = signal;
      return;
    }
    stopping = true;
    logger.info('signal received', { signal });
    stopServer(running, config, logger).then(
      () => void settleLogFile(logger, 300).then(() => process.exit(0)),
      (err: unknown) => {
        logger.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    running = await startServer(config, logger);
  } catch (err) {
    const code = err instanceof AppError ? `${err.code}: ` : '';
    fail(`cannot start: ${code}${err instanceof Error ? err.message : String(err)}`);
  }
  const started = running;
  // Last line of defence: an escaped error is logged and the calls go on; a burst drains and exits 1.
  installProcessGuard({
    logger,
    onBroken: () => {
      if (stopping) return;
      stopping = true;
      void stopServer(started, config, logger).finally(() => process.exit(1));
    },
  });
  process.on('SIGHUP', () => {
    void started.flows.reload();
  });
  if (signalDuringStart !== undefined) onSignal(signalDuringStart);
}

void main();

/**
 * Composition root: config → adapters → services → servers. The only module that knows every other.
 * Start-up failures (bad config, unreachable database, bad flow file, a port in use) print one line
 * naming what is wrong and exit 1. SIGTERM/SIGINT drain calls, then exit 0; SIGHUP reloads the IVR flow.
 */
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Registry } from 'prom-client';
import { CallTelemetry } from './api/call-telemetry.js';
import { createAgentsRoutes } from './api/agents.routes.js';
import { createAuthRoutes } from './api/auth.routes.js';
import { createAuthenticate } from './api/authenticate.js';
import { createHttpServer, type WebServer } from './api/http-server.js';
import { registerMediaGauges } from './api/media-telemetry.js';
import { InboundCallSession } from './calls/inbound-call-session.js';
import { createIvrRunner } from './calls/ivr-runner.js';
import { loadConfig, type Config } from './config/config.js';
import { openDatabase, type Database } from './db/database.js';
import { SequelizeCallRecordRepository } from './db/sequelize-call-record-repository.js';
import { SequelizeSessionRepository } from './db/sequelize-session-repository.js';
import { SequelizeUserRepository } from './db/sequelize-user-repository.js';
import { IdentityService } from './identity/identity-service.js';
import { FlowStore } from './ivr/index.js';
import { createLogger, type Logger } from './logging/logger.js';
import { RtpMediaEngine } from './media/rtp-media-engine.js';
import { AppError } from './shared/app-error.js';
import { systemClock } from './shared/clock.js';
import { SipTelephony } from './sip/sip-telephony.js';

interface Running {
  readonly telephony: SipTelephony;
  readonly media: RtpMediaEngine;
  readonly flows: FlowStore;
  readonly web: WebServer;
  readonly db: Database;
  readonly sessions: Set<Promise<void>>;
  readonly state: { accepting: boolean };
}

async function start(config: Config, logger: Logger): Promise<Running> {
  const db = await openDatabase(config.DATABASE_URL, logger);
  await db.migrate();
  const records = new SequelizeCallRecordRepository(db.sequelize);
  const users = new SequelizeUserRepository(db.sequelize);
  const identity = new IdentityService({
    users,
    sessions: new SequelizeSessionRepository(db.sequelize),
    clock: systemClock,
    sipRealm: config.SIP_REALM,
    tokenTtlMs: config.AUTH_TOKEN_TTL_H * 3_600_000,
    logger,
  });
  if (config.ADMIN_PASSWORD === undefined) {
    logger.warn('ADMIN_PASSWORD is not set: no first admin is created');
  } else if (await identity.ensureAdmin(config.ADMIN_USER, config.ADMIN_PASSWORD)) {
    logger.info('first admin created', { username: config.ADMIN_USER });
  }

  const media = await RtpMediaEngine.create({
    bindAddress: config.SIP_LISTEN,
    publicAddress: config.publicAddress,
    portMin: config.RTP_PORT_MIN,
    portMax: config.RTP_PORT_MAX,
    promptsDir: config.PROMPTS_DIR,
    logger,
  });

  const flows = new FlowStore({
    readText: (path) => readFile(path, 'utf8'),
    hasPrompt: (name) => media.hasPrompt(name),
    watchFile: (path, onChange) => watch(path, onChange),
    clock: systemClock,
    logger,
  });
  await flows.load(config.IVR_FLOW);
  flows.watch();

  const telephony = new SipTelephony({
    listenAddress: config.SIP_LISTEN,
    port: config.SIP_PORT,
    publicAddress: config.publicAddress,
    media,
    logger,
    maxCallDurationMs: config.MAX_CALL_DURATION_S * 1000,
    answerDelayMs: config.SIP_ANSWER_DELAY_MS,
  });

  const registry = new Registry();
  const telemetry = new CallTelemetry(registry);
  registerMediaGauges(registry, media);
  const runIvr = createIvrRunner(() => flows.current, systemClock);
  const sessions = new Set<Promise<void>>();
  telephony.events.on('incoming', (leg) => {
    const done = new InboundCallSession(leg, { records, telemetry, runIvr, logger }).run();
    sessions.add(done);
    void done.finally(() => sessions.delete(done));
  });
  await telephony.start();

  const state = { accepting: true };
  const web = await createHttpServer({
    callRecords: records,
    // SIP is ready once bound and until draining starts: a load balancer stops sending calls then.
    health: async () => ({ sip: state.accepting, database: await db.ping() }),
    metrics: registry,
    logger,
    publicApiRoutes: [createAuthRoutes(identity)],
    apiMiddleware: [createAuthenticate(identity)],
    apiRoutes: [createAgentsRoutes(identity)],
  }).startWebServer({ port: config.HTTP_PORT, host: config.HTTP_LISTEN });
  logger.info('hotline server started', { sip: `${config.SIP_LISTEN}:${telephony.port}`, http: `${config.HTTP_LISTEN}:${web.port}`, flow: config.IVR_FLOW, database: db.description });
  return { telephony, media, flows, web, db, sessions, state };
}

async function stop(running: Running, config: Config, logger: Logger): Promise<void> {
  running.state.accepting = false;
  logger.info('draining', { activeCalls: running.telephony.activeCalls, drainSeconds: config.DRAIN_TIMEOUT_S });
  await running.telephony.drain(config.DRAIN_TIMEOUT_S * 1000);
  // Let ended calls finish writing their records before the database goes away.
  await Promise.allSettled([...running.sessions]);
  running.flows.close();
  await running.web.close();
  await running.telephony.close();
  await running.media.close();
  await running.db.close();
  logger.info('stopped');
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const logger = createLogger(config.LOG_LEVEL);
  let running: Running;
  try {
    running = await start(config, logger);
  } catch (err) {
    const code = err instanceof AppError ? `${err.code}: ` : '';
    fail(`cannot start: ${code}${err instanceof Error ? err.message : String(err)}`);
  }

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info('signal received', { signal });
    stop(running, config, logger).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', () => {
    void running.flows.reload();
  });
}

void main();

/**
 * The composition root: config → adapters → services → servers. The only module (with main.ts)
 * that knows every other. `startServer()` brings everything up; `stopServer()` drains and closes.
 */
import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Registry } from 'prom-client';
import { Acd, parseQueues, queueMetrics, type QueueDefinitions } from './acd/index.js';
import { createAgentsRoutes } from './api/agents.routes.js';
import type { AuthUser } from './api/auth-context.js';
import { createAuthRoutes } from './api/auth.routes.js';
import { createAuthenticate } from './api/authenticate.js';
import { CallTelemetry } from './api/call-telemetry.js';
import { createCategoryRoutes } from './api/categories.routes.js';
import { createHttpServer, type WebServer } from './api/http-server.js';
import { registerLiveGauges } from './api/live-gauges.js';
import { registerMediaGauges } from './api/media-telemetry.js';
import { registerRecordSpoolGauges } from './api/record-spool-gauges.js';
import { createReportRoutes } from './api/reports.routes.js';
import { createSurveyRoutes } from './api/surveys.routes.js';
import { createTicketRoutes } from './api/tickets.routes.js';
import { createUnitRoutes } from './api/units.routes.js';
import { InboundCallSession } from './calls/inbound-call-session.js';
import { DialPlanPbx } from './calls/dial-plan-pbx.js';
import { OutboundIvrCall } from './calls/outbound-ivr-call.js';
import { PreviewTasks } from './calls/preview-tasks.js';
import { TaskClaims } from './calls/task-claims.js';
import { createIvrRunner } from './calls/ivr-runner.js';
import { QueueDispatcher } from './calls/queue-dispatcher.js';
import type { Config } from './config/config.js';
import { SequelizeCategoryRepository } from './db/category-repository.js';
import { openDatabase, type Database } from './db/database.js';
import { SequelizeAuthThrottleStore } from './db/sequelize-auth-throttle-store.js';
import { createJobLock } from './db/job-lock.js';
import { SequelizeReportQueries } from './db/report-queries.js';
import { seedIfEmpty } from './db/seed-loader.js';
import { openDurableRecords, type DurableRecords } from './db/durable-records.js';
import { SequelizeSessionRepository } from './db/sequelize-session-repository.js';
import { SequelizeUserRepository } from './db/sequelize-user-repository.js';
import { SequelizeTicketRepository } from './db/ticket-repository.js';
import { SequelizeUnitRepository } from './db/unit-repository.js';
import { CallingHours, CallSlots, DialPlan } from './dialer/index.js';
import { IdentityService } from './identity/identity-service.js';
import { SupervisionJob } from './jobs/supervision.job.js';
import { SurveyJob } from './jobs/survey.job.js';
import type { User } from './identity/user.js';
import { createDefaultNodeRegistry, FlowStore } from './ivr/index.js';
import type { Logger } from './logging/logger.js';
import { fdHeadroomWarning } from './shared/fd-headroom.js';
import { acdBoardSources, LiveBoard } from './metrics/live-board.js';
import { ReportService } from './metrics/report-service.js';
import { RtpMediaEngine } from './media/rtp-media-engine.js';
import { offsetClock, systemClock } from './shared/clock.js';
import { startOfLocalDay } from './shared/local-day.js';
import { SipTelephony } from './sip/sip-telephony.js';
import { CategoryService } from './tickets/category-service.js';
import { TicketService } from './tickets/ticket-service.js';
import { UnitService } from './tickets/unit-service.js';
import { parseCalendar } from './tickets/holiday-calendar.js';
import { AgentDesktopServer } from './ws/agent-desktop-server.js';
import { WallboardServer } from './ws/wallboard-server.js';
import { guardUpgrades } from './ws/upgrade-guard.js';

export interface RunningServer {
  readonly telephony: SipTelephony;
  readonly media: RtpMediaEngine;
  readonly flows: FlowStore;
  readonly acd: Acd;
  readonly dispatcher: QueueDispatcher;
  readonly desktops: AgentDesktopServer;
  readonly board: LiveBoard;
  readonly supervision: SupervisionJob;
  readonly supervisionFlows: FlowStore;
  readonly survey: SurveyJob;
  readonly surveyFlows: FlowStore;
  readonly wallboard: WallboardServer;
  readonly web: WebServer;
  readonly db: Database;
  readonly durableRecords: DurableRecords;
  readonly sessions: Set<Promise<void>>;
  readonly state: { accepting: boolean };
}

/**
 * The first admin: ADMIN_USER with ADMIN_PASSWORD. Without a password (a fresh `npm start`), one is
 * generated and written to `<data dir>/admin-password.txt` (mode 600), never to the log.
 */
async function ensureFirstAdmin(identity: IdentityService, config: Config, logger: Logger): Promise<void> {
  if (config.ADMIN_PASSWORD !== undefined) {
    if (await identity.ensureAdmin(config.ADMIN_USER, config.ADMIN_PASSWORD)) logger.info('first admin created', { username: config.ADMIN_USER });
    return;
  }
  const password = randomBytes(12).toString('base64url');
  if (!(await identity.ensureAdmin(config.ADMIN_USER, password))) return;
  const file = join(dirname(config.RECORDINGS_DIR), 'admin-password.txt');
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${config.ADMIN_USER}\n${password}\n`, { mode: 0o600 });
  logger.warn('first admin created with a generated password: set ADMIN_PASSWORD or change it', { username: config.ADMIN_USER, passwordFile: file });
}

function toAuthUser(user: User): AuthUser {
  return { id: user.id, username: user.username, role: user.role, extension: user.extension ?? undefined, unitId: user.unitId ?? undefined };
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const fdWarning = fdHeadroomWarning({
    sipTcp: config.SIP_TCP_MAX_CONNECTIONS,
    http: config.HTTP_MAX_CONNECTIONS,
    rtpPorts: config.RTP_PORT_MAX - config.RTP_PORT_MIN + 1,
  });
  if (fdWarning !== undefined) logger.warn(fdWarning);
  const clock = offsetClock(systemClock, config.CLOCK_OFFSET_S * 1000);
  // Parsed before anything opens: a bad DIAL_PLAN_ALLOW/DENY refuses to start, naming the key.
  const dialPlan = DialPlan.parse(config.DIAL_PLAN_ALLOW, config.DIAL_PLAN_DENY);
  if (config.CLOCK_OFFSET_S !== 0) logger.warn('the clock is shifted (CLOCK_OFFSET_S): for drills and tests only', { offsetS: config.CLOCK_OFFSET_S });
  const db = await openDatabase(config.DATABASE_URL, logger);
  await db.migrate();
  const seeded = await seedIfEmpty(db.sequelize, config.SEED_DIR);
  if (seeded.seeded) logger.info('seed data loaded', { units: seeded.units, categories: seeded.categories, from: config.SEED_DIR });

  // Identity and work orders.
  // Call and queue records go through a durable spool: a crash or a database outage loses none.
  const durableRecords = await openDurableRecords(db, {
    dir: config.RECORD_SPOOL_DIR,
    maxBytes: config.RECORD_SPOOL_MAX_MB * 1_048_576,
    nodeId: config.NODE_ID,
    clock,
    logger,
  });
  const records = durableRecords.calls;
  const users = new SequelizeUserRepository(db.sequelize);
  // Login and REGISTER guessing counters, in the database so every process counts together.
  const authThrottles = new SequelizeAuthThrottleStore(db.sequelize);
  const identity = new IdentityService({
    users,
    sessions: new SequelizeSessionRepository(db.sequelize),
    clock,
    sipRealm: config.SIP_REALM,
    tokenTtlMs: config.AUTH_TOKEN_TTL_H * 3_600_000,
    logger,
    throttle: { store: authThrottles },
  });
  await ensureFirstAdmin(identity, config, logger);
  const calendar = parseCalendar(await readFile(config.CALENDAR_FILE, 'utf8'), config.CALENDAR_FILE, config.TZ);
  const thisYear = new Date(clock.now()).getUTCFullYear();
  for (const year of [thisYear, thisYear + 1]) {
    if (!calendar.covers(year)) logger.warn('the working-day calendar does not cover this year: weekends only', { year, file: config.CALENDAR_FILE });
    else if (calendar.isProvisional(year)) logger.warn('the working-day calendar of this year is provisional: replace it when the State Council publishes it', { year, file: config.CALENDAR_FILE });
  }
  const units = new SequelizeUnitRepository(db.sequelize);
  const categories = new SequelizeCategoryRepository(db.sequelize);
  const tickets = new TicketService({
    tickets: new SequelizeTicketRepository(db.sequelize),
    categories,
    units,
    calendar,
    clock,
    timeZone: config.TZ,
    logger,
    duplicateWindowDays: config.DUPLICATE_WINDOW_DAYS,
  });

  // Media, IVR and queues.
  const media = await RtpMediaEngine.create({
    bindAddress: config.SIP_LISTEN,
    publicAddress: config.publicAddress,
    portMin: config.RTP_PORT_MIN,
    portMax: config.RTP_PORT_MAX,
    relatchSilenceMs: config.RTP_RELATCH_SILENCE_MS,
    promptsDir: config.PROMPTS_DIR,
    logger,
  });
  const queues: QueueDefinitions = parseQueues(await readFile(config.QUEUES_FILE, 'utf8'), config.QUEUES_FILE, { hasPrompt: (n) => media.hasPrompt(n) });
  const flows = new FlowStore({
    readText: (path) => readFile(path, 'utf8'),
    hasPrompt: (name) => media.hasPrompt(name),
    watchFile: (path, onChange) => watch(path, onChange),
    registry: createDefaultNodeRegistry({ isQueue: (name) => queues.has(name) }),
    clock,
    logger,
  });
  await flows.load(config.IVR_FLOW);
  flows.watch();
  const acdRecords = durableRecords.acd;
  const acd = new Acd({ clock, logger, records: acdRecords, queues });

  // Signalling.
  const telephony = new SipTelephony({
    listenAddress: config.SIP_LISTEN,
    port: config.SIP_PORT,
    publicAddress: config.publicAddress,
    media,
    logger,
    maxCallDurationMs: config.MAX_CALL_DURATION_S * 1000,
    answerDelayMs: config.SIP_ANSWER_DELAY_MS,
    credentials: users,
    realm: config.SIP_REALM,
    authThrottles,
    maxRegisterExpiresS: config.SIP_REGISTER_MAX_EXPIRES_S,
    tcpLimits: {
      maxConnections: config.SIP_TCP_MAX_CONNECTIONS,
      maxPerAddress: config.SIP_TCP_MAX_PER_ADDRESS,
      firstMessageTimeoutMs: config.SIP_TCP_IDLE_S * 1000,
      idleTimeoutMs: config.SIP_TCP_ESTABLISHED_IDLE_S * 1000,
    },
    ...(config.SIP_OUTBOUND_PROXY === undefined ? {} : { outboundProxy: config.SIP_OUTBOUND_PROXY }),
    ...(config.SIP_TRUNK_USER === undefined ? {} : { trunkUser: config.SIP_TRUNK_USER }),
    ...(config.SIP_TRUNK_PASSWORD === undefined ? {} : { trunkPassword: config.SIP_TRUNK_PASSWORD }),
  });

  const dispatcher = new QueueDispatcher({
    acd,
    pbx: telephony,
    records,
    clock,
    logger,
    recordingsDir: config.RECORDINGS_DIR,
    queueSettings: (name) => {
      const q = queues.get(name);
      return { displayName: q?.displayName ?? name, music: q?.music ?? 'hold-music', ringTimeoutS: q?.ringTimeoutS ?? 15 };
    },
  });

  const registry = new Registry();
  const telemetry = new CallTelemetry(registry);
  registerMediaGauges(registry, media);
  registerRecordSpoolGauges(registry, durableRecords.spool);
  const serviceLevelS = Math.min(...[...queues.values()].map((q) => q.serviceLevelS));
  const board = new LiveBoard(
    acdBoardSources(acd, queues.values(), async (now) => {
      const events = await acdRecords.listQueueEvents({ from: new Date(startOfLocalDay(now, config.TZ)), to: new Date(now + 1) });
      return queueMetrics(events, { serviceLevelS });
    }),
    clock,
    logger,
  );
  await board.start();
  registerLiveGauges(registry, board);
  const runIvr = createIvrRunner(() => flows.current, clock);
  const sessions = new Set<Promise<void>>();
  telephony.events.on('incoming', (leg) => {
    const done = new InboundCallSession(leg, { records, telemetry, runIvr, logger, enqueue: (l, q) => dispatcher.enqueue(l, q) }).run();
    sessions.add(done);
    void done.finally(() => sessions.delete(done));
  });
  await telephony.start();

  const reports = new ReportService({
    queries: new SequelizeReportQueries(db.sequelize, { clock }),
    clock,
    timeZone: config.TZ,
    serviceLevelS,
    options: { serviceLevelSByQueue: Object.fromEntries([...queues.values()].map((q) => [q.name, q.serviceLevelS])) },
  });

  const taskClaims = new TaskClaims();
  // Every campaign's call to a number goes through the dial plan (issue 9): refused numbers never reach the trunk.
  const outboundPbx = new DialPlanPbx(telephony, dialPlan, logger);
  const preview = new PreviewTasks({
    tickets,
    callbacks: acdRecords,
    acd,
    claims: taskClaims,
    pbx: outboundPbx,
    dialPlan,
    clock,
    logger,
    recordingsDir: config.RECORDINGS_DIR,
    ringTimeoutMs: config.SURVEY_RING_TIMEOUT_S * 1000,
    records,
  });

  const state = { accepting: true };
  // The desktops are made after the web server they attach to; routes reach them through this.
  const desktopsRef: { current: AgentDesktopServer | undefined } = { current: undefined };
  const web = await createHttpServer({
    callRecords: records,
    recordingsDir: config.RECORDINGS_DIR,
    workspaceDir: config.WORKSPACE_DIR,
    // SIP is ready once bound and until draining starts: a load balancer stops sending calls then.
    health: async () => ({ sip: state.accepting, database: await durableRecords.databaseUp(), recordBacklog: durableRecords.spool.backlog }),
    metrics: registry,
    logger,
    publicApiRoutes: [createAuthRoutes(identity)],
    apiMiddleware: [createAuthenticate(identity)],
    apiRoutes: [
      createAgentsRoutes(identity),
      createTicketRoutes({ tickets }),
      createCategoryRoutes({ categories: new CategoryService({ categories, units }) }),
      createUnitRoutes({ units: new UnitService({ units }) }),
      createReportRoutes({ reports }),
      createSurveyRoutes({
        tickets,
        preview,
        skillsOf: async (u) => (await identity.getUser(u.id)).skills,
        onCallbackDone: () => {
          void desktopsRef.current?.broadcastCallbacks();
        },
      }),
    ],
  }).startWebServer({ port: config.HTTP_PORT, host: config.HTTP_LISTEN, maxConnections: config.HTTP_MAX_CONNECTIONS, maxPerAddress: config.HTTP_MAX_PER_ADDRESS });

  const desktops = (desktopsRef.current = new AgentDesktopServer(web.server, {
    acd,
    verifyToken: async (token) => {
      const user = await identity.verifyToken(token);
      return user ? toAuthUser(user) : undefined;
    },
    sessions: identity,
    agentProfile: async (user) => {
      const full = await identity.getUser(user.id);
      return full.extension === null ? undefined : { extension: full.extension, skills: full.skills };
    },
    callerHistory: async (phone, viewer) => (await tickets.listByPhone(phone, viewer, { limit: 10, offset: 0 })).items,
    openCallbacks: () => acdRecords.listOpenCallbackRequests(50),
    hangupAgentCall: (agentId) => dispatcher.hangupAgentCall(agentId),
    preview,
    clock,
    logger,
    heartbeatMs: config.WS_HEARTBEAT_S * 1000,
    graceMs: config.WS_GRACE_S * 1000,
  }));
  // Automatic supervision calls (督办) to units' liaisons, within calling hours, one process at a time.
  const supervisionFlows = new FlowStore({
    readText: (path) => readFile(path, 'utf8'),
    hasPrompt: (name) => media.hasPrompt(name),
    watchFile: (path, onChange) => watch(path, onChange),
    registry: createDefaultNodeRegistry(),
    clock,
    logger,
  });
  await supervisionFlows.load(config.SUPERVISION_FLOW);
  supervisionFlows.watch();
  const outboundSlots = new CallSlots(config.OUTBOUND_MAX_CONCURRENT);
  const callingHours = CallingHours.parse(config.CALLING_HOURS, { timeZone: config.TZ, isCallingDay: (d) => calendar.isWorkingDay(d) });
  const supervision = new SupervisionJob({
    tickets,
    caller: new OutboundIvrCall({ pbx: outboundPbx, flow: () => supervisionFlows.current, clock, logger, records, ringTimeoutMs: config.SUPERVISION_RING_TIMEOUT_S * 1000 }),
    slots: outboundSlots,
    clock,
    logger,
    lock: createJobLock(db),
    callingHours,
    includeYellow: config.SUPERVISION_INCLUDE_YELLOW,
    maxAttempts: config.SUPERVISION_MAX_ATTEMPTS,
    retryAfterMs: config.SUPERVISION_RETRY_MIN * 60_000,
    timeZone: config.TZ,
  });
  supervision.start(config.SUPERVISION_CRON);

  // Satisfaction callbacks (回访) by IVR; callback agents take the same orders by preview dialing.
  const surveyFlows = new FlowStore({
    readText: (path) => readFile(path, 'utf8'),
    hasPrompt: (name) => media.hasPrompt(name),
    watchFile: (path, onChange) => watch(path, onChange),
    registry: createDefaultNodeRegistry(),
    clock,
    logger,
  });
  await surveyFlows.load(config.SURVEY_FLOW);
  surveyFlows.watch();
  const survey = new SurveyJob({
    tickets,
    caller: new OutboundIvrCall({ pbx: outboundPbx, flow: () => surveyFlows.current, clock, logger, records, ringTimeoutMs: config.SURVEY_RING_TIMEOUT_S * 1000, fromDisplayName: '12345热线回访' }),
    slots: outboundSlots,
    clock,
    logger,
    lock: createJobLock(db),
    callingHours,
    maxAttempts: config.SURVEY_MAX_ATTEMPTS,
    retryAfterMs: config.SURVEY_RETRY_MIN * 60_000,
    timeZone: config.TZ,
    claims: taskClaims,
  });
  survey.start(config.SURVEY_CRON);

  const verifyToken = async (token: string): Promise<AuthUser | undefined> => {
    const user = await identity.verifyToken(token);
    return user ? toAuthUser(user) : undefined;
  };
  const wallboard = new WallboardServer(web.server, { board, verifyToken, logger, sessions: identity, clock, recheckMs: config.WS_HEARTBEAT_S * 1000 });
  // Upgrades to any other path (or with an unparsable target) are answered and closed, not left open.
  guardUpgrades(web.server, ['/ws/agent', '/ws/wallboard'], logger);
  dispatcher.events.on('callback', () => {
    // The ACD writes the request in order with its other rows: wait for it, then tell every desktop.
    void acd.flush().then(() => desktops.broadcastCallbacks());
  });

  logger.info('hotline server started', {
    sip: `${config.SIP_LISTEN}:${telephony.port}`,
    http: `${config.HTTP_LISTEN}:${web.port}`,
    flow: config.IVR_FLOW,
    queues: [...queues.keys()],
    database: db.description,
  });
  return { telephony, media, flows, acd, dispatcher, desktops, board, wallboard, supervision, supervisionFlows, survey, surveyFlows, web, db, durableRecords, sessions, state };
}

export async function stopServer(running: RunningServer, config: Config, logger: Logger): Promise<void> {
  running.state.accepting = false;
  await running.supervision.stop();
  running.supervisionFlows.close();
  await running.survey.stop();
  running.surveyFlows.close();
  logger.info('draining', { activeCalls: running.telephony.activeCalls, drainSeconds: config.DRAIN_TIMEOUT_S });
  await running.telephony.drain(config.DRAIN_TIMEOUT_S * 1000);
  // Let ended calls finish writing their records before the database goes away.
  await Promise.allSettled([...running.sessions]);
  running.desktops.close();
  running.wallboard.close();
  running.board.stop();
  running.dispatcher.close();
  running.acd.close();
  await running.acd.flush();
  running.flows.close();
  await running.web.close();
  await running.telephony.close();
  await running.media.close();
  // Give the spool a moment to hand its backlog to the database; what is left is replayed at next start.
  await running.durableRecords.spool.close(5_000);
  await running.db.close();
  logger.info('stopped');
}

import type { Registry } from 'prom-client';
import { createAgentsRoutes } from '../api/agents.routes.js';
import { createAuthRoutes } from '../api/auth.routes.js';
import { createAuthenticate } from '../api/authenticate.js';
import { createCategoryRoutes } from '../api/categories.routes.js';
import { cachedProbe } from '../api/health.routes.js';
import { createHttpServer, type WebServer } from '../api/http-server.js';
import { createKnowledgeRoutes } from '../api/knowledge.routes.js';
import { createNoticeRoutes } from '../api/notices.routes.js';
import { CatalogueSpeech } from '../calls/catalogue-speech.js';
import { createContainmentReportRoutes } from '../api/containment-reports.routes.js';
import { createMessageRoutes } from '../api/messages.routes.js';
import { createReportRoutes } from '../api/reports.routes.js';
import { createSurveyRoutes } from '../api/surveys.routes.js';
import { createTicketRoutes, toTicketJson } from '../api/tickets.routes.js';
import { createUnitRoutes } from '../api/units.routes.js';
import type { Config } from '../config/config.js';
import { SequelizeKnowledgeRepository } from '../db/knowledge-repository.js';
import { SequelizeContainmentQueries } from '../db/containment-queries.js';
import { AggregateReportQueries } from '../db/aggregate-report-queries.js';
import { ReportAggregates } from '../db/report-aggregates.js';
import { SequelizeReportQueries } from '../db/report-queries.js';
import { KnowledgeService } from '../knowledge/knowledge-service.js';
import type { Logger } from '../logging/logger.js';
import type { LiveBoard } from '../metrics/live-board.js';
import { ContainmentReports } from '../metrics/containment-reports.js';
import { ReportService } from '../metrics/report-service.js';
import type { Clock } from '../shared/clock.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import { CategoryService } from '../tickets/category-service.js';
import { UnitService } from '../tickets/unit-service.js';
import { AgentDesktopServer } from '../ws/agent-desktop-server.js';
import { SIP_WS_PATH } from '../sip/ws-transport.js';
import { guardUpgrades } from '../ws/upgrade-guard.js';
import { WallboardServer } from '../ws/wallboard-server.js';
import type { Closers } from './closers.js';
import type { Identity } from './identity.js';
import { serviceLevelOf } from './metrics.js';
import { readTlsFiles } from './tls-files.js';
import type { Storage } from './storage.js';
import type { Telephony } from './telephony.js';
import type { WorkOrders } from './work-orders.js';

export interface Web {
  readonly web: WebServer;
  readonly desktops: AgentDesktopServer;
  readonly wallboard: WallboardServer;
}

export interface WebDeps {
  readonly storage: Storage;
  readonly identity: Identity;
  readonly workOrders: WorkOrders;
  readonly calls: Telephony;
  readonly board: LiveBoard;
  readonly registry: Registry;
  /** `accepting` turns false when a stop begins: /healthz then reports SIP as not ready. */
  readonly state: { readonly accepting: boolean };
  readonly clock: Clock;
  readonly logger: Logger;
  readonly closers: Closers;
}

/**
 * The HTTP server (API, /healthz, /metrics) and the WebSocket servers sharing its port: /ws/agent
 * (agent desktops) and /ws/wallboard. Closed in reverse: the upgrade guard, the sockets, then HTTP,
 * which lets requests in flight finish.
 */
export async function startWeb(config: Config, deps: WebDeps): Promise<Web> {
  const { storage, identity: people, workOrders, calls, clock, logger, closers } = deps;
  const { tickets, units, categories } = workOrders;
  const { identity, verifyToken } = people;
  const { acd, dispatcher, preview, queues } = calls;
  const { durableRecords } = storage;

  // The catalogue's names synthesised before a caller needs them: all in the background now, each
  // again when an admin creates or renames it (issue 12). Never awaited.
  const catalogueSpeech = new CatalogueSpeech({
    warm: (text) => calls.speech.prepare(text),
    names: async () => [...(await units.list()).map((u) => u.name), ...(await categories.list()).map((c) => c.name)],
    logger: logger.child({ component: 'catalogue-speech' }),
  });
  closers.add('catalogue speech', () => {
    catalogueSpeech.close();
  });
  if (config.SPEECH_PREWARM) void catalogueSpeech.warmAll();
  const warmName = (name: string): void => {
    void catalogueSpeech.warm(name);
  };

  // IVR containment per node, 自助服务完成率 and 直办率 (issue 12): their own queries, beside the reports'.
  const containment = new ContainmentReports({
    queries: new SequelizeContainmentQueries(storage.db.sequelize),
    clock,
    timeZone: config.TZ,
    flow: () => {
      const flow = calls.flows.current;
      return flow === undefined ? undefined : { name: flow.name, nodes: [...flow.nodes.values()].map((n) => ({ id: n.id, type: n.type })) };
    },
  });
  const reports = new ReportService({
    selfService: (period) => containment.selfService(period),
    // Whole days from the per-day aggregates; part days and odd thresholds from the event log.
    queries: new AggregateReportQueries(storage.db.sequelize, new ReportAggregates(storage.db.sequelize, config.TZ), new SequelizeReportQueries(storage.db.sequelize, { clock })),
    clock,
    timeZone: config.TZ,
    serviceLevelS: serviceLevelOf(queues),
    options: { serviceLevelSByQueue: Object.fromEntries([...queues.values()].map((q) => [q.name, q.serviceLevelS])) },
  });

  // The open callback list changed (an agent finished one, or a caller left a new request). The
  // routes that report it are built before the agent desktops, which need the listening server those
  // routes make: so the routes only emit here, and the desktops subscribe once they exist (below,
  // before any upgrade can be read). No desktop is connected before then, so nothing is missed.
  const callbacksChanged = new TypedEmitter<{ changed: [] }>({
    onListenerError: (event, err) => {
      logger.error('callbacks listener failed', { event, error: err instanceof Error ? err.message : String(err) });
    },
  });

  // The knowledge base (知识库, issue 12): articles, notices and their search.
  const knowledge = new KnowledgeService({ articles: new SequelizeKnowledgeRepository(storage.db.sequelize), categories, units, clock, logger });

  const httpTls = await readTlsFiles({ key: 'HTTP_TLS_CERT', path: config.HTTP_TLS_CERT }, { key: 'HTTP_TLS_KEY', path: config.HTTP_TLS_KEY });
  const databaseUp = cachedProbe(durableRecords.databaseUp, { clock, maxAgeMs: 2000 });
  // The one place the HTTP server is made, with the browser workspace (dist/workspace) served at `/`.
  const web = await createHttpServer({
    callRecords: durableRecords.calls,
    recordingsDir: config.RECORDINGS_DIR,
    workspaceDir: config.WORKSPACE_DIR,
    // SIP is ready once bound and until draining starts: a load balancer stops sending calls then.
    // The database state is the last ping's (at most 2 s old): /healthz never waits on a slow database.
    health: async () => ({ sip: deps.state.accepting, database: await databaseUp(), recordBacklog: durableRecords.spool.backlog }),
    metrics: deps.registry,
    logger,
    publicApiRoutes: [createAuthRoutes(identity, { timeZone: config.TZ })],
    apiMiddleware: [createAuthenticate(identity)],
    apiRoutes: [
      createAgentsRoutes(identity),
      createTicketRoutes({ tickets }),
      createCategoryRoutes({ categories: new CategoryService({ categories, units, onNamed: warmName }) }),
      createUnitRoutes({ units: new UnitService({ units, onNamed: warmName }) }),
      createReportRoutes({ reports }),
      createContainmentReportRoutes({ reports: containment }),
      createKnowledgeRoutes({ knowledge }),
      createNoticeRoutes({ board: calls.notices.board, counts: calls.notices.repository, clock, timeZone: config.TZ }),
      createMessageRoutes({ messages: calls.messages, recordingsDir: config.RECORDINGS_DIR, queueName: (q) => queues.get(q)?.displayName ?? q }),
      createSurveyRoutes({
        tickets,
        preview,
        skillsOf: async (u) => (await identity.getUser(u.id)).skills,
        onCallbackDone: () => {
          callbacksChanged.emit('changed');
        },
      }),
    ],
  }).startWebServer({
    port: config.HTTP_PORT,
    host: config.HTTP_LISTEN,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    maxPerAddress: config.HTTP_MAX_PER_ADDRESS,
    ...(httpTls === undefined ? {} : { tls: httpTls }),
  });
  closers.add('http server', () => web.close());

  // No await from here to the return: the WebSocket servers and the guard are listening for upgrades
  // before the event loop reads the first request of the new server.
  const desktops = new AgentDesktopServer(web.server, {
    acd,
    verifyToken,
    sessions: identity,
    agentProfile: async (user) => {
      const full = await identity.getUser(user.id);
      return full.extension === null ? undefined : { extension: full.extension, skills: full.skills };
    },
    callerHistory: async (phone, viewer) => (await tickets.listByPhone(phone, viewer, { limit: 10, offset: 0 })).items.map(toTicketJson),
    openCallbacks: () => durableRecords.acd.listOpenCallbackRequests(50),
    hangupAgentCall: (agentId) => dispatcher.hangupAgentCall(agentId),
    // Without WebRTC media a browser phone cannot take a call: the desk is not told, so it does not start one by itself.
    ...(config.WEBRTC_MEDIA ? { registeredPhone: (extension: string) => calls.telephony.registeredPhone(extension) } : {}),
    preview,
    clock,
    logger,
    heartbeatMs: config.WS_HEARTBEAT_S * 1000,
    graceMs: config.WS_GRACE_S * 1000,
  });
  const broadcast = (): void => {
    void desktops.broadcastCallbacks();
  };
  const onNewCallback = (): void => {
    // The ACD writes the request in order with its other rows: wait for it, then tell every desktop.
    acd.flush().then(
      () => callbacksChanged.emit('changed'),
      (err: unknown) => {
        logger.error('callback request not flushed; desktops not told', { error: err instanceof Error ? err.message : String(err) });
      },
    );
  };
  callbacksChanged.on('changed', broadcast);
  dispatcher.events.on('callback', onNewCallback);
  closers.add('agent desktops', () => {
    dispatcher.events.off('callback', onNewCallback);
    callbacksChanged.off('changed', broadcast);
    desktops.close();
  });

  const wallboard = new WallboardServer(web.server, { board: deps.board, verifyToken, logger, sessions: identity, clock, recheckMs: config.WS_HEARTBEAT_S * 1000 });
  closers.add('wallboard', () => {
    wallboard.close();
  });
  // SIP over WebSocket (RFC 7118) for browser phones: ws:// or wss:// as the HTTP server is.
  const detachSip = calls.telephony.attachWebSocket(web.server, web.secure);
  closers.add('sip websocket', detachSip);
  // Upgrades to any other path (or with an unparsable target) are answered and closed, not left open.
  const unguard = guardUpgrades(web.server, ['/ws/agent', '/ws/wallboard', SIP_WS_PATH], logger);
  closers.add('upgrade guard', unguard);
  return { web, desktops, wallboard };
}

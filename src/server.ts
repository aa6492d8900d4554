/**
 * The composition root: config → adapters → services → servers, assembled from the modules of
 * composition/ (storage, identity, work orders, telephony, live board, web, jobs). The only module
 * (with main.ts) that knows every other. `startServer()` brings everything up; `stopServer()` drains
 * and closes.
 *
 * Every resource registers its closer in one list (composition/closers.ts) as soon as it is opened.
 * A start that fails halfway closes what it opened, in reverse, and rethrows the first error; a stop
 * drains, then closes the same list.
 */
import { Registry } from 'prom-client';
import type { Acd } from './acd/index.js';
import { CallTelemetry } from './api/call-telemetry.js';
import type { WebServer } from './api/http-server.js';
import type { QueueDispatcher } from './calls/queue-dispatcher.js';
import { Closers, describeFailures } from './composition/closers.js';
import { createIdentity } from './composition/identity.js';
import { startRecordingRetention } from './composition/data-care.js';
import { startJobs } from './composition/jobs.js';
import { startLiveBoard } from './composition/metrics.js';
import { openStorage } from './composition/storage.js';
import { startTelephony } from './composition/telephony.js';
import { startWeb } from './composition/web.js';
import { createWorkOrders } from './composition/work-orders.js';
import type { Config } from './config/config.js';
import type { Database } from './db/database.js';
import type { DurableRecords } from './db/durable-records.js';
import { DialPlan } from './dialer/index.js';
import type { FlowStore } from './ivr/index.js';
import type { SupervisionJob } from './jobs/supervision.job.js';
import type { SurveyJob } from './jobs/survey.job.js';
import type { Logger } from './logging/logger.js';
import type { ProcessMediaEngine } from './media/create-media-engine.js';
import type { LiveBoard } from './metrics/live-board.js';
import { AppError } from './shared/app-error.js';
import { offsetClock, systemClock } from './shared/clock.js';
import { fdHeadroomWarning } from './shared/fd-headroom.js';
import type { SipTelephony } from './sip/sip-telephony.js';
import type { AgentDesktopServer } from './ws/agent-desktop-server.js';
import type { WallboardServer } from './ws/wallboard-server.js';

export interface RunningServer {
  readonly telephony: SipTelephony;
  readonly media: ProcessMediaEngine;
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
  /** Everything opened, closed in reverse by stopServer(). */
  readonly closers: Closers;
  /** Stops the scheduled campaigns and closes their flows (once); stopServer() runs it before draining. */
  readonly stopJobs: () => Promise<void>;
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

  const closers = new Closers(logger);
  try {
    const base = { clock, logger, closers };
    const storage = await openStorage(config, clock, logger, closers);
    const identity = await createIdentity(config, storage.db, clock, logger);
    const workOrders = await createWorkOrders(config, storage.db, clock, logger);
    const registry = new Registry();
    const telemetry = new CallTelemetry(registry);
    const calls = await startTelephony(config, { ...base, storage, identity, tickets: workOrders.tickets, units: workOrders.units, calendar: workOrders.calendar, telemetry, dialPlan });
    const board = await startLiveBoard(config, { ...base, registry, storage, calls });
    const state = { accepting: true };
    const web = await startWeb(config, { ...base, storage, identity, workOrders, calls, board, registry, state });
    const jobs = await startJobs(config, { ...base, storage, workOrders, calls });
    startRecordingRetention(config, { ...base, registry, storage });

    logger.info('hotline server started', {
      sip: `${config.SIP_LISTEN}:${calls.telephony.port}`,
      http: `${config.HTTP_LISTEN}:${web.web.port}`,
      flow: config.IVR_FLOW,
      queues: [...calls.queues.keys()],
      database: storage.db.description,
    });
    return {
      telephony: calls.telephony,
      media: calls.media,
      flows: calls.flows,
      acd: calls.acd,
      dispatcher: calls.dispatcher,
      sessions: calls.sessions,
      desktops: web.desktops,
      wallboard: web.wallboard,
      web: web.web,
      board,
      supervision: jobs.supervision,
      supervisionFlows: jobs.supervisionFlows,
      survey: jobs.survey,
      surveyFlows: jobs.surveyFlows,
      stopJobs: jobs.stop,
      db: storage.db,
      durableRecords: storage.durableRecords,
      state,
      closers,
    };
  } catch (err) {
    logger.error('start failed; closing what was opened', { opened: closers.pending, error: err instanceof Error ? err.message : String(err) });
    // Failures here are logged by the closers; the error that stopped the start is the one to report.
    await closers.closeAll();
    throw err;
  }
}

/**
 * Stops accepting calls (/healthz reports SIP not ready), stops the campaigns, lets calls in progress
 * end for DRAIN_TIMEOUT_S (then hangs up the rest), waits for their records, then closes everything
 * in reverse order of opening: WebSocket servers, HTTP, live board, queue dispatcher, ACD (flushed),
 * IVR flow, SIP, media, record spool (up to 5 s to reach the database), database. (HTTP used to close
 * after the IVR flow; it now closes right after the sockets, before the services its routes call: the
 * reverse of opening. The rest is the order stopServer always had.) Every closer runs
 * even when one before it fails (or the drain does); the stop then rejects with AppError
 * `SHUTDOWN_INCOMPLETE` naming each failed step.
 */
export async function stopServer(running: RunningServer, config: Config, logger: Logger): Promise<void> {
  running.state.accepting = false;
  let drainError: unknown;
  try {
    await running.stopJobs();
    logger.info('draining', { activeCalls: running.telephony.activeCalls, drainSeconds: config.DRAIN_TIMEOUT_S });
    await running.telephony.drain(config.DRAIN_TIMEOUT_S * 1000);
    // Let ended calls finish writing their records before the database goes away.
    await Promise.allSettled([...running.sessions]);
  } catch (err) {
    // A failed drain still closes everything: calls left are cut by the SIP close.
    drainError = err;
    logger.error('drain failed; closing anyway', { error: err instanceof Error ? err.message : String(err) });
  }
  const failures = [...(drainError === undefined ? [] : [{ name: 'drain', error: drainError }]), ...(await running.closers.closeAll())];
  if (failures.length > 0) {
    throw new AppError('SHUTDOWN_INCOMPLETE', `stopped, but ${failures.length} step(s) failed: ${describeFailures(failures)}`, { cause: failures[0]?.error });
  }
  logger.info('stopped');
}

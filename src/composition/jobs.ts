import { OutboundIvrCall } from '../calls/outbound-ivr-call.js';
import type { Config } from '../config/config.js';
import { createJobLock } from '../db/job-lock.js';
import { CallingHours, CallSlots } from '../dialer/index.js';
import type { FlowStore } from '../ivr/index.js';
import { SupervisionJob } from '../jobs/supervision.job.js';
import { SurveyJob } from '../jobs/survey.job.js';
import { ReportReconcileJob } from '../jobs/report-reconcile.job.js';
import { ReportAggregateRebuild } from '../db/report-aggregate-rebuild.js';
import { ReportAggregates } from '../db/report-aggregates.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';
import type { Closers } from './closers.js';
import { openFlowStore } from './flows.js';
import type { Storage } from './storage.js';
import type { Telephony } from './telephony.js';
import type { WorkOrders } from './work-orders.js';

export interface Jobs {
  readonly supervision: SupervisionJob;
  readonly supervisionFlows: FlowStore;
  readonly survey: SurveyJob;
  readonly surveyFlows: FlowStore;
  /** Nightly check of yesterday's report aggregates against the event log. */
  readonly reportReconcile: ReportReconcileJob;
  /**
   * Stops both schedules (ending their calls in progress) and closes their flows, now: a stop runs
   * this before draining, so no campaign places a call while the calls drain. Once only; never rejects
   * (a failure is logged and reported by the closers' closeAll()).
   */
  readonly stop: () => Promise<void>;
}

export interface JobsDeps {
  readonly storage: Storage;
  readonly workOrders: WorkOrders;
  readonly calls: Pick<Telephony, 'media' | 'campaignPbx' | 'taskClaims'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly closers: Closers;
}

/**
 * The scheduled campaigns: automatic supervision calls (督办) to units' liaisons and satisfaction
 * callbacks (回访) by IVR, within calling hours, one process at a time (a database lock), sharing
 * OUTBOUND_MAX_CONCURRENT lines.
 */
export async function startJobs(config: Config, deps: JobsDeps): Promise<Jobs> {
  const { clock, logger, closers } = deps;
  const { tickets, calendar } = deps.workOrders;
  const { media, campaignPbx, taskClaims } = deps.calls;
  const { db } = deps.storage;
  const records = deps.storage.durableRecords.calls;
  const flowDeps = { hasPrompt: (name: string) => media.hasPrompt(name), clock, logger, closers };
  const outboundSlots = new CallSlots(config.OUTBOUND_MAX_CONCURRENT);
  const callingHours = CallingHours.parse(config.CALLING_HOURS, { timeZone: config.TZ, isCallingDay: (d) => calendar.isWorkingDay(d) });

  const supervisionFlows = await openFlowStore('supervision flow', config.SUPERVISION_FLOW, flowDeps);
  const supervision = new SupervisionJob({
    tickets,
    caller: new OutboundIvrCall({ pbx: campaignPbx.supervision, flow: () => supervisionFlows.store.current, clock, logger, records, ringTimeoutMs: config.SUPERVISION_RING_TIMEOUT_S * 1000 }),
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
  const stopSupervision = closers.add('supervision job', () => supervision.stop());
  supervision.start(config.SUPERVISION_CRON);

  const surveyFlows = await openFlowStore('survey flow', config.SURVEY_FLOW, flowDeps);
  const survey = new SurveyJob({
    tickets,
    caller: new OutboundIvrCall({
      pbx: campaignPbx.survey,
      flow: () => surveyFlows.store.current,
      clock,
      logger,
      records,
      ringTimeoutMs: config.SURVEY_RING_TIMEOUT_S * 1000,
      fromDisplayName: '12345热线回访',
    }),
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
  const stopSurvey = closers.add('survey job', () => survey.stop());
  survey.start(config.SURVEY_CRON);

  const reportReconcile = new ReportReconcileJob({
    reconciler: new ReportAggregateRebuild(db.sequelize, new ReportAggregates(db.sequelize, config.TZ)),
    lock: createJobLock(db),
    clock,
    timeZone: config.TZ,
    logger: logger.child({ job: 'report-reconcile' }),
  });
  const stopReconcile = closers.add('report reconcile job', () => reportReconcile.stop());
  reportReconcile.start(config.REPORT_RECONCILE_CRON);

  const stop = async (): Promise<void> => {
    await stopReconcile();
    await stopSupervision();
    await supervisionFlows.close();
    await stopSurvey();
    await surveyFlows.close();
  };
  return { supervision, supervisionFlows: supervisionFlows.store, survey, surveyFlows: surveyFlows.store, reportReconcile, stop };
}

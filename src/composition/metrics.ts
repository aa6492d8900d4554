import type { Registry } from 'prom-client';
import { registerAdmissionMetrics } from '../api/admission-telemetry.js';
import { registerTrunkMetrics } from '../api/trunk-telemetry.js';
import { registerLiveGauges } from '../api/live-gauges.js';
import { registerMediaGauges } from '../api/media-telemetry.js';
import { registerRecordSpoolGauges } from '../api/record-spool-gauges.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { SequelizeReportQueries } from '../db/report-queries.js';
import { acdBoardSources, LiveBoard } from '../metrics/live-board.js';
import { queueMetricsOf } from '../metrics/queue-metrics.js';
import type { Clock } from '../shared/clock.js';
import { startOfLocalDay } from '../shared/local-day.js';
import type { BoardNoticeJson } from '../shared/wire/notices.js';
import { localDay, nextDay } from '../notices/notice-hits.js';
import type { Closers } from './closers.js';
import type { Notices } from './notices.js';
import type { Storage } from './storage.js';
import type { Telephony } from './telephony.js';

/** The shortest service-level target of any queue: the board's and the summary report's. */
export function serviceLevelOf(queues: Telephony['queues']): number {
  return Math.min(...[...queues.values()].map((q) => q.serviceLevelS));
}

/**
 * The live board (waiting callers per queue, every agent's state, today's figures from stored rows;
 * pushed on every ACD change, refreshed every few seconds) and the /metrics gauges over it, media and
 * the record spool.
 */
export async function startLiveBoard(
  config: Config,
  deps: { readonly registry: Registry; readonly storage: Storage; readonly calls: Pick<Telephony, 'acd' | 'media' | 'queues' | 'admission' | 'notices' | 'telephony' | 'trunkRegistrations'>; readonly clock: Clock; readonly logger: Logger; readonly closers: Closers },
): Promise<LiveBoard> {
  const { registry, clock, logger } = deps;
  const { acd, media, queues } = deps.calls;
  registerMediaGauges(registry, media);
  registerAdmissionMetrics(registry, deps.calls.admission);
  registerTrunkMetrics(registry, { refused: () => deps.calls.telephony.sourceGate?.refused, registrations: () => deps.calls.trunkRegistrations.states() });
  registerRecordSpoolGauges(registry, deps.storage.durableRecords.spool);
  const serviceLevelS = serviceLevelOf(queues);
  // Today's figures are counted by the database (the day report's own SQL and per-queue service
  // levels, so the wall and the report agree), not by reading every queue event of the day into this
  // process: at 20 calls/s that array grew by the minute and with it the heap the collector reserved.
  const queries = new SequelizeReportQueries(deps.storage.db.sequelize, { clock });
  const countOptions = {
    serviceLevelMs: serviceLevelS * 1000,
    serviceLevelMsByQueue: Object.fromEntries([...queues.values()].map((q) => [q.name, q.serviceLevelS * 1000])),
    excludeAbandonsUnderMs: 0,
  };
  const board = new LiveBoard(
    acdBoardSources(acd, queues.values(), async (now) => {
      const [counts, notices] = await Promise.all([
        queries.queueCounts({ from: new Date(startOfLocalDay(now, config.TZ)), to: new Date(now + 1) }, countOptions),
        boardNotices(deps.calls.notices, now, config.TZ),
      ]);
      return { ...queueMetricsOf(counts), notices };
    }),
    clock,
    logger,
  );
  // Registered before start(): its refresh timer is set there.
  deps.closers.add('live board', () => {
    board.stop();
  });
  await board.start();
  // A notice published or withdrawn shows on the wall at once (its counts follow every refresh).
  const onNotices = (): void => {
    void board.refresh();
  };
  deps.calls.notices.board.observer.on('changed', onNotices);
  deps.closers.add('live board notices', () => {
    deps.calls.notices.board.observer.off('changed', onNotices);
  });
  registerLiveGauges(registry, board);
  return board;
}

/** The notices in force (from the board's cache) with today's calls about them (one GROUP BY on today's hits). */
async function boardNotices(notices: Notices, now: number, timeZone: string): Promise<BoardNoticeJson[]> {
  const live = notices.board.inForceNow();
  if (live.length === 0) return [];
  const today = localDay(now, timeZone);
  const counts = await notices.repository.countsByDay(today, nextDay(today));
  return live.map((n) => {
    const c = counts.find((x) => x.noticeId === n.id);
    return { id: n.id, title: n.title, validTo: new Date(n.validTo).toISOString(), heardToday: c?.heard ?? 0, pressedToday: c?.pressed ?? 0 };
  });
}

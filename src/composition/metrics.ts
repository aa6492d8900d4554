import type { Registry } from 'prom-client';
import { queueMetrics } from '../acd/index.js';
import { registerAdmissionMetrics } from '../api/admission-telemetry.js';
import { registerLiveGauges } from '../api/live-gauges.js';
import { registerMediaGauges } from '../api/media-telemetry.js';
import { registerRecordSpoolGauges } from '../api/record-spool-gauges.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { acdBoardSources, LiveBoard } from '../metrics/live-board.js';
import type { Clock } from '../shared/clock.js';
import { startOfLocalDay } from '../shared/local-day.js';
import type { Closers } from './closers.js';
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
  deps: { readonly registry: Registry; readonly storage: Storage; readonly calls: Pick<Telephony, 'acd' | 'media' | 'queues' | 'admission'>; readonly clock: Clock; readonly logger: Logger; readonly closers: Closers },
): Promise<LiveBoard> {
  const { registry, clock, logger } = deps;
  const { acd, media, queues } = deps.calls;
  const acdRecords = deps.storage.durableRecords.acd;
  registerMediaGauges(registry, media);
  registerAdmissionMetrics(registry, deps.calls.admission);
  registerRecordSpoolGauges(registry, deps.storage.durableRecords.spool);
  const serviceLevelS = serviceLevelOf(queues);
  const board = new LiveBoard(
    acdBoardSources(acd, queues.values(), async (now) => {
      const events = await acdRecords.listQueueEvents({ from: new Date(startOfLocalDay(now, config.TZ)), to: new Date(now + 1) });
      return queueMetrics(events, { serviceLevelS });
    }),
    clock,
    logger,
  );
  // Registered before start(): its refresh timer is set there.
  deps.closers.add('live board', () => {
    board.stop();
  });
  await board.start();
  registerLiveGauges(registry, board);
  return board;
}

import type { Config } from '../config/config.js';
import { DurableNoticeHits } from '../db/durable-notice-hits.js';
import { SequelizeNoticeRepository } from '../db/sequelize-notice-repository.js';
import type { Logger } from '../logging/logger.js';
import { NoticeBoard } from '../notices/notice-board.js';
import { NoticeCallRecorder } from '../notices/notice-call-recorder.js';
import type { Clock } from '../shared/clock.js';
import type { Closers } from './closers.js';
import type { Storage } from './storage.js';

export interface Notices {
  /** Publish / edit / withdraw, and the cache the IVR's `notices` node reads. */
  readonly board: NoticeBoard;
  /** The notices table and the counts per notice per day. */
  readonly repository: SequelizeNoticeRepository;
  /** Stores each inbound call's notice hits (through its own record spool). */
  readonly recorder: NoticeCallRecorder;
}

/**
 * Notices (公告, issue 12): the board (cache read at start, refreshed on change and every 30 s), the
 * hits' spool beside the call records' (closed with 5 s to drain, like theirs) and the recorder the
 * inbound calls use. `warm` synthesises a notice when it is published, before the first caller.
 */
export async function openNotices(
  config: Config,
  deps: { readonly storage: Storage; readonly warm: (text: string) => Promise<unknown>; readonly clock: Clock; readonly logger: Logger; readonly closers: Closers },
): Promise<Notices> {
  const { storage, clock, closers } = deps;
  const logger = deps.logger.child({ component: 'notices' });
  const repository = new SequelizeNoticeRepository(storage.db.sequelize);
  const hits = await DurableNoticeHits.open(storage.db, repository, {
    dir: config.RECORD_SPOOL_DIR,
    maxBytes: config.RECORD_SPOOL_MAX_MB * 1_048_576,
    nodeId: config.NODE_ID,
    clock,
    logger,
  });
  closers.add('notice hit spool', () => hits.close(5_000));
  const board = new NoticeBoard({ notices: repository, clock, logger, warm: deps.warm });
  closers.add('notice board', () => {
    board.stop();
  });
  await board.start();
  return { board, repository, recorder: new NoticeCallRecorder({ writer: hits, clock, timeZone: config.TZ }) };
}

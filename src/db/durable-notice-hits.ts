import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../logging/logger.js';
import type { NoticeHit } from '../notices/notice.js';
import type { NoticeHitWriter } from '../notices/notice-hits.js';
import type { Clock } from '../shared/clock.js';
import type { Database } from './database.js';
import { pingWithin, PING_TIMEOUT_MS } from './durable-records.js';
import { RecordSpool } from './record-spool.js';
import type { SequelizeNoticeRepository } from './sequelize-notice-repository.js';

/** One call's notice hits, as a line of the notice spool. */
interface NoticeHitsOp {
  readonly kind: 'notice-hits';
  readonly hits: readonly NoticeHit[];
}

const opSchema = z.strictObject({
  kind: z.literal('notice-hits'),
  hits: z
    .array(
      z.strictObject({
        key: z.string().min(1).max(64),
        noticeId: z.number().int().positive(),
        callId: z.string().max(255),
        day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        at: z.number().int(),
        pressed: z.boolean(),
      }),
    )
    .min(1)
    .max(10),
});

export interface DurableNoticeHitsOptions {
  /** The record spool folder (RECORD_SPOOL_DIR): this spool's file sits beside the call records'. */
  readonly dir: string;
  readonly maxBytes: number;
  readonly nodeId: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The notice hits of calls, written like call records (db/record-spool.ts: fsync'd to a spool file,
 * applied in order, retried until the database takes them, replayed after a crash) but through a
 * spool of their own, `notices-<node>-<database>.jsonl`, so the call-record spool's op list stays as
 * it is. Each op holds one call's hits and is idempotent (the hits' keys are unique).
 */
export class DurableNoticeHits implements NoticeHitWriter {
  private constructor(readonly spool: RecordSpool<NoticeHitsOp>) {}

  static async open(db: Database, store: SequelizeNoticeRepository, options: DurableNoticeHitsOptions): Promise<DurableNoticeHits> {
    const database = createHash('sha256').update(db.description).digest('hex').slice(0, 12);
    const spool = await RecordSpool.open<NoticeHitsOp>({
      file: join(options.dir, `notices-${options.nodeId}-${database}.jsonl`),
      maxBytes: options.maxBytes,
      apply: (op) => store.addHits(op.hits),
      parse: (value) => opSchema.parse(value),
      describe: (op) => `notice hits of call ${op.hits[0]?.callId ?? '?'}`,
      databaseUp: () => pingWithin(db, PING_TIMEOUT_MS, options.clock),
      clock: options.clock,
      logger: options.logger,
    });
    return new DurableNoticeHits(spool);
  }

  async write(hits: readonly NoticeHit[]): Promise<void> {
    if (hits.length === 0) return;
    await this.spool.submit({ kind: 'notice-hits', hits });
  }

  /** Gives the backlog `drainMs` to reach the database; the rest is replayed at the next start. */
  close(drainMs: number): Promise<void> {
    return this.spool.close(drainMs);
  }
}

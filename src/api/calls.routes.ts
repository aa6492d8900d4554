import { Router } from 'express';
import { z } from 'zod';
import type { CallRecord, CallRecordRepository } from '../metrics/call-records.js';
import { parseInput } from './parse-input.js';

export const CALLS_DEFAULT_LIMIT = 50;
export const CALLS_MAX_LIMIT = 500;

/** A query-string integer: digits only (no `1e3`, no `-1`, given once), then range-checked. */
function intParam(min: number, max: number) {
  return z
    .string({ error: 'must be a whole number, given once' })
    .regex(/^\d{1,10}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

const listQuery = z.object({
  limit: intParam(1, CALLS_MAX_LIMIT).default(CALLS_DEFAULT_LIMIT),
  offset: intParam(0, 2_147_483_647).default(0),
});

/** A call record as the API shows it: the CallRecord field names, times as ISO 8601 UTC strings. */
export interface CallRecordJson {
  readonly callId: string;
  readonly direction: CallRecord['direction'];
  readonly from: string;
  readonly to: string;
  readonly startedAt: string;
  readonly answeredAt: string | null;
  readonly endedAt: string | null;
  readonly endReason: string | null;
  readonly hungUpBy: CallRecord['hungUpBy'];
  readonly digits: string;
  readonly ivrPath: string;
}

export function toCallRecordJson(c: CallRecord): CallRecordJson {
  return {
    callId: c.callId,
    direction: c.direction,
    from: c.from,
    to: c.to,
    startedAt: c.startedAt.toISOString(),
    answeredAt: c.answeredAt?.toISOString() ?? null,
    endedAt: c.endedAt?.toISOString() ?? null,
    endReason: c.endReason,
    hungUpBy: c.hungUpBy,
    digits: c.digits,
    ivrPath: c.ivrPath,
  };
}

/** `/calls` under /api/v1: call detail records, newest first. */
export function createCallsRouter(callRecords: CallRecordRepository): Router {
  const router = Router();
  router.get('/calls', async (req, res) => {
    const { limit, offset } = parseInput(listQuery, req.query, 'query');
    const page = await callRecords.list({ limit, offset });
    res.json({ items: page.items.map(toCallRecordJson), total: page.total, limit, offset });
  });
  return router;
}

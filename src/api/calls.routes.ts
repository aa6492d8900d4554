import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve as resolvePath } from 'node:path';
import { requireRole } from './auth-context.js';
import { AppError, NotFoundError } from '../shared/app-error.js';
import { Router } from 'express';
import { z } from 'zod';
import type { CallRecord, CallRecordRepository } from '../metrics/call-records.js';
import { CALLS_MAX_LIMIT, type CallPageJson, type CallRecordJson } from '../shared/wire/calls.js';
import { parseInput } from './parse-input.js';
import { callIdParams } from './path-params.js';

export const CALLS_DEFAULT_LIMIT = 50;
export { CALLS_MAX_LIMIT };

/** A query-string integer: digits only (no `1e3`, no `-1`, given once), then range-checked. */
export function intParam(min: number, max: number) {
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

export type { CallRecordJson } from '../shared/wire/calls.js';

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
    queue: c.queue,
    queuedAt: c.queuedAt?.toISOString() ?? null,
    agentId: c.agentId,
    agentExtension: c.agentExtension,
    agentAnsweredAt: c.agentAnsweredAt?.toISOString() ?? null,
    hasRecording: c.recordingPath !== null && c.recordingExpiredAt === null,
    recordingExpiredAt: c.recordingExpiredAt?.toISOString() ?? null,
    truncated: c.truncated,
    ivrFlow: c.ivrFlow,
    ivrOutcome: c.ivrOutcome,
    ivrSelfServed: c.ivrSelfServed,
    ivrSpoken: c.ivrSpoken,
  };
}

/**
 * `/calls` under /api/v1: call detail records, newest first. Recordings are served only from inside
 * `recordingsDir` (RECORDINGS_DIR), whatever path a record holds; without it none is served.
 */
export function createCallsRouter(callRecords: CallRecordRepository, recordingsDir?: string): Router {
  const router = Router();
  router.get('/calls', requireRole('supervisor', 'admin'), async (req, res) => {
    const { limit, offset } = parseInput(listQuery, req.query, 'query');
    const page = await callRecords.list({ limit, offset });
    const body: CallPageJson = { items: page.items.map(toCallRecordJson), total: page.total, limit, offset };
    res.json(body);
  });
  // The conversation recording (stereo WAV: left caller, right agent): supervisors and admins only.
  router.get('/calls/:callId/recording', requireRole('supervisor', 'admin'), async (req, res) => {
    const { callId } = parseInput(callIdParams, req.params, 'path');
    const call = await callRecords.get(callId);
    if (!call) throw new NotFoundError(`no call ${callId}`);
    if (call.recordingPath === null) throw new NotFoundError(`call ${call.callId} has no recording`);
    if (call.recordingExpiredAt !== null) {
      throw new AppError('RECORDING_EXPIRED', `the recording of call ${call.callId} was deleted on ${call.recordingExpiredAt.toISOString()} (RECORDING_RETENTION_DAYS)`);
    }
    const file = await insideFolder(recordingsDir, call.recordingPath);
    if (file === undefined) throw new NotFoundError(`recording of call ${call.callId} is not in the recordings folder`);
    res.type('audio/wav');
    res.setHeader('Content-Disposition', `attachment; filename="${encodeURIComponent(call.callId)}.wav"`);
    await new Promise<void>((resolve, reject) => {
      res.sendFile(file, (err) => {
        if (err) reject(new NotFoundError(`recording of call ${call.callId} is missing on disk`, { cause: err }));
        else resolve();
      });
    });
  });
  return router;
}

/**
 * The real path of `file` when it lies inside `folder` (symbolic links resolved on both sides, so a
 * link cannot lead out), else undefined: a record's path is data, never trusted to stay inside.
 */
export async function insideFolder(folder: string | undefined, file: string): Promise<string | undefined> {
  if (folder === undefined || file.includes('\0')) return undefined;
  try {
    const [root, real] = await Promise.all([realpath(resolvePath(folder)), realpath(resolvePath(file))]);
    const rel = relative(root, real);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? real : undefined;
  } catch {
    // Missing on disk (or unreadable): answered as a missing recording.
    return undefined;
  }
}

import { Router } from 'express';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';

export interface HealthStatus {
  readonly sip: boolean;
  readonly database: boolean;
  /** Call and queue record writes waiting for the database (record spool); absent when not known. */
  readonly recordBacklog?: number;
}

export type HealthCheck = () => Promise<HealthStatus>;

/**
 * A yes/no probe (the database ping) answered from its last result, so /healthz never waits on a
 * slow database: a load balancer's check must answer in milliseconds even when the ping takes its
 * full 3 s timeout, or while the event loop is busy with calls. A result older than `maxAgeMs`
 * starts one refresh in the background (never two at once); only the very first call waits for a
 * result. A change of state therefore shows within `maxAgeMs` plus the probe's own time.
 */
export function cachedProbe(probe: () => Promise<boolean>, options: { readonly clock: Clock; readonly maxAgeMs: number }): () => Promise<boolean> {
  let value: boolean | undefined;
  let at = 0;
  let inflight: Promise<boolean> | undefined;
  const refresh = (): Promise<boolean> => {
    inflight ??= probe()
      .catch(() => false)
      .then((up) => {
        value = up;
        at = options.clock.now();
        inflight = undefined;
        return up;
      });
    return inflight;
  };
  return () => {
    if (value === undefined) return refresh();
    if (options.clock.now() - at >= options.maxAgeMs) void refresh();
    return Promise.resolve(value);
  };
}

/**
 * `GET /healthz`: 200 when SIP and the database are both ready, else 503 saying which is not. A record
 * backlog alone (the spool catching up after an outage) does not make it 503: calls are served meanwhile.
 */
export function createHealthRouter(health: HealthCheck, logger: Logger): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    let status: HealthStatus;
    try {
      status = await health();
    } catch (err) {
      logger.warn('health check failed', { error: err instanceof Error ? err.message : String(err) });
      status = { sip: false, database: false };
    }
    const ok = status.sip && status.database;
    res
      .status(ok ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({
        status: ok ? 'ok' : 'unavailable',
        sip: status.sip,
        database: status.database,
        ...(status.recordBacklog === undefined ? {} : { recordBacklog: status.recordBacklog }),
      });
  });
  return router;
}

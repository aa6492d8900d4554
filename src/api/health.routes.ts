import { Router } from 'express';
import type { Logger } from '../logging/logger.js';

export interface HealthStatus {
  readonly sip: boolean;
  readonly database: boolean;
  /** Call and queue record writes waiting for the database (record spool); absent when not known. */
  readonly recordBacklog?: number;
}

export type HealthCheck = () => Promise<HealthStatus>;

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

import { Router } from 'express';
import type { Logger } from '../logging/logger.js';

export interface HealthStatus {
  readonly sip: boolean;
  readonly database: boolean;
}

export type HealthCheck = () => Promise<HealthStatus>;

/** `GET /healthz`: 200 when SIP and the database are both ready, else 503 saying which is not. */
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
      .json({ status: ok ? 'ok' : 'unavailable', sip: status.sip, database: status.database });
  });
  return router;
}

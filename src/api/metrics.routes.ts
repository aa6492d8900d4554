import { Router } from 'express';
import type { Registry } from 'prom-client';

/** `GET /metrics`: the Prometheus text exposition of the given registry. */
export function createMetricsRouter(registry: Registry): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const text = await registry.metrics();
    res.status(200).set('Content-Type', registry.contentType).set('Cache-Control', 'no-store').send(text);
  });
  return router;
}

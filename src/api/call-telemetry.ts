import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import type { CallDirection } from '../metrics/call-records.js';

/** INVITE received → 200 OK sent, in seconds: 5 ms (answered by the IVR at once) to 2 s. */
export const ANSWER_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2] as const;

/**
 * Live Prometheus metrics of calls, owned per Registry (no global registry). These are for
 * dashboards and alerts only; reported figures (接通率 …) are computed from stored call records.
 * The call-glue layer calls the three methods through an interface of its own; keep their names.
 */
export class CallTelemetry {
  private readonly calls: Counter<'direction' | 'result'>;
  private readonly active: Gauge;
  private readonly answerLatency: Histogram;
  private activeCount = 0;

  constructor(registry: Registry, options: { defaultMetrics?: boolean } = {}) {
    this.calls = new Counter({
      name: 'hotline_calls_total',
      help: 'Calls ended, by direction and result',
      labelNames: ['direction', 'result'],
      registers: [registry],
    });
    this.active = new Gauge({ name: 'hotline_active_calls', help: 'Calls in progress', registers: [registry] });
    this.answerLatency = new Histogram({
      name: 'hotline_answer_latency_seconds',
      help: 'Time from INVITE received to 200 OK sent',
      buckets: [...ANSWER_LATENCY_BUCKETS],
      registers: [registry],
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  }

  /** A call began (INVITE received, or an outbound INVITE sent). `direction` is accepted for symmetry. */
  callStarted(_direction: CallDirection): void {
    this.activeCount++;
    this.active.set(this.activeCount);
  }

  callAnswered(_direction: CallDirection, latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return;
    this.answerLatency.observe(latencyMs / 1000);
  }

  /** A call ended; `result` is e.g. `answered`, `abandoned`, `rejected`, `failed`. */
  callEnded(direction: CallDirection, result: string): void {
    // Never below zero, even if an end is reported for a call whose start was not.
    this.activeCount = Math.max(0, this.activeCount - 1);
    this.active.set(this.activeCount);
    this.calls.inc({ direction, result });
  }
}

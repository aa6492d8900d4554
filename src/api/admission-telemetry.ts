import { Counter, Gauge, type Registry } from 'prom-client';

/** The reasons of sip/AdmissionController (this layer does not import sip/). */
const SHED_REASONS = ['rate', 'concurrency', 'lag'] as const;
type ShedReason = (typeof SHED_REASONS)[number];

/** What admission control reports about itself (implemented by sip/AdmissionController). */
export interface AdmissionStatsSource {
  readonly shedTotals: Readonly<Record<ShedReason, number>>;
  readonly lagMs: number;
  readonly shedShare: number;
}

/**
 * Overload control on /metrics, read at scrape time: new INVITEs refused with 503 by reason, the
 * event-loop delay the admission sees, and the share of new INVITEs it sheds for that delay
 * (0 = admitting normally, 1 = refusing every new call until the loop recovers).
 */
export function registerAdmissionMetrics(registry: Registry, admission: AdmissionStatsSource): void {
  const seen: Record<ShedReason, number> = { rate: 0, concurrency: 0, lag: 0 };
  new Counter({
    name: 'hotline_sip_shed_total',
    help: 'New INVITEs refused with 503 Service Unavailable by overload control, by reason (rate, concurrency, lag)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      for (const reason of SHED_REASONS) {
        const now = admission.shedTotals[reason];
        // Zero too, so every reason is a series from the first scrape (rate() needs a start).
        this.inc({ reason }, Math.max(0, now - seen[reason]));
        seen[reason] = now;
      }
    },
  });
  new Gauge({
    name: 'hotline_sip_event_loop_lag_seconds',
    help: 'Event-loop delay of the last sample (every 100 ms), as admission control sees it',
    registers: [registry],
    collect() {
      this.set(admission.lagMs / 1000);
    },
  });
  new Gauge({
    name: 'hotline_sip_admission_shed_share',
    help: 'Share of new INVITEs currently refused because the event loop is late (0 = admitting normally)',
    registers: [registry],
    collect() {
      this.set(admission.shedShare);
    },
  });
}

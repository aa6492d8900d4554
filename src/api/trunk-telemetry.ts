import { Counter, Gauge, type Registry } from 'prom-client';

/** What the trunks report at scrape time (sip/SourceGate's counts, the carrier registrations). */
export interface TrunkStatsSource {
  /** Out-of-dialog requests refused by source admission: 403 (no trunk, no agent) and 404 (no such DID). */
  readonly refused: () => { readonly forbidden: number; readonly notFound: number } | undefined;
  /** Each trunk with a `registration`: true while its REGISTER is accepted by the carrier. */
  readonly registrations: () => ReadonlyMap<string, boolean>;
}

/**
 * Trunks on /metrics: `hotline_sip_source_refused_total{status}` and `hotline_trunk_registered{trunk}`
 * (1 while the carrier accepts our registration, 0 while it is failing or retrying).
 */
export function registerTrunkMetrics(registry: Registry, source: TrunkStatsSource): void {
  const seen = { forbidden: 0, notFound: 0 };
  new Counter({
    name: 'hotline_sip_source_refused_total',
    help: 'Out-of-dialog SIP requests refused by source admission: 403 (not a trunk nor a registered agent), 404 (not a DID of the trunk)',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const now = source.refused() ?? seen;
      this.inc({ status: '403' }, Math.max(0, now.forbidden - seen.forbidden));
      this.inc({ status: '404' }, Math.max(0, now.notFound - seen.notFound));
      seen.forbidden = now.forbidden;
      seen.notFound = now.notFound;
    },
  });
  new Gauge({
    name: 'hotline_trunk_registered',
    help: 'Registration to the carrier per trunk with a registration: 1 accepted, 0 failing (retrying with back-off)',
    labelNames: ['trunk'],
    registers: [registry],
    collect() {
      for (const [trunk, up] of source.registrations()) this.set({ trunk }, up ? 1 : 0);
    },
  });
}

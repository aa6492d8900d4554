import { Counter, Gauge, type Registry } from 'prom-client';

/** What /metrics needs of the record spool (db/record-spool.ts). */
export interface RecordSpoolStats {
  readonly backlog: number;
  readonly backlogBytes: number;
  readonly dropped: number;
}

/**
 * The record backlog on /metrics: writes waiting for the database (non-zero while it is down or
 * catching up) and writes refused because the spool was full (each one a lost record: alert on it).
 */
export function registerRecordSpoolGauges(registry: Registry, spool: RecordSpoolStats): void {
  new Gauge({
    name: 'hotline_record_backlog',
    help: 'Call and queue record writes waiting in the spool for the database',
    registers: [registry],
    collect() {
      this.set(spool.backlog);
    },
  });
  new Gauge({
    name: 'hotline_record_backlog_bytes',
    help: 'Bytes of record writes waiting in the spool (bounded by RECORD_SPOOL_MAX_MB)',
    registers: [registry],
    collect() {
      this.set(spool.backlogBytes);
    },
  });
  let counted = 0;
  new Counter({
    name: 'hotline_record_spool_dropped_total',
    help: 'Record writes refused because the spool was full (records lost)',
    registers: [registry],
    collect() {
      this.inc(spool.dropped - counted);
      counted = spool.dropped;
    },
  });
}

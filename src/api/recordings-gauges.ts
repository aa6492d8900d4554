import { Counter, Gauge, type Registry } from 'prom-client';

/** What /metrics needs of the recordings folder (jobs/recordings-usage.ts) and the retention job. */
export interface RecordingsStats {
  /** The last measurement (taken by the retention job's runs, never by a scrape); undefined before the first. */
  readonly usage: { readonly files: number; readonly bytes: number; readonly freeBytes: number | undefined; readonly at: number } | undefined;
  readonly expiredTotal: number;
}

/**
 * Disk use of RECORDINGS_DIR on /metrics: files, bytes, the free space of its filesystem (alert on
 * it: a full disk stops recording) and the recordings deleted by RECORDING_RETENTION_DAYS.
 */
export function registerRecordingsGauges(registry: Registry, stats: () => RecordingsStats): void {
  const gauge = (name: string, help: string, read: (u: NonNullable<RecordingsStats['usage']>) => number | undefined): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const usage = stats().usage;
        const value = usage === undefined ? undefined : read(usage);
        if (value === undefined) this.reset();
        else this.set(value);
      },
    });
  };
  gauge('hotline_recordings_files', 'Recording files under RECORDINGS_DIR (measured by the retention job)', (u) => u.files);
  gauge('hotline_recordings_bytes', 'Bytes of recordings under RECORDINGS_DIR (measured by the retention job)', (u) => u.bytes);
  gauge('hotline_recordings_disk_free_bytes', 'Bytes free on the filesystem of RECORDINGS_DIR', (u) => u.freeBytes);
  gauge('hotline_recordings_measured_timestamp_seconds', 'When the recordings folder was last measured (Unix time; 0: not yet, the other recordings gauges read 0 until then)', (u) => u.at / 1000);
  let counted = 0;
  new Counter({
    name: 'hotline_recordings_expired_total',
    help: 'Recordings deleted after RECORDING_RETENTION_DAYS by this process',
    registers: [registry],
    collect() {
      const total = stats().expiredTotal;
      this.inc(total - counted);
      counted = total;
    },
  });
}

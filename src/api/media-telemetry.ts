import { Counter, Gauge, type Registry } from 'prom-client';

/** What the media engine reports about itself (implemented by media/RtpMediaEngine and media/worker/WorkerMediaEngine). */
export interface MediaStatsSource {
  readonly activeSessions: number;
  /** RTP packets dropped since start because they came from another source than the call's latched one. */
  readonly foreignPacketsDropped: number;
  /** SRTP packets of SDES legs dropped since start: failed authentication (forged, wrong key) and replays. */
  readonly srtpPacketsDropped?: { readonly auth: number; readonly replay: number };
  pacingStats(): { p50Ms: number; p99Ms: number; maxMs: number; packets: number };
  /** Each media worker's event-loop delay over its last second (engines with worker threads only). */
  workerLag?(): readonly { worker: number; p99Ms: number; maxMs: number }[];
}

/**
 * Gauges read from the media engine at scrape time: RTP streams open, and how late the shared
 * 20 ms clock sends packets (actual − ideal send time), which is what a caller hears as jitter.
 * A counter of forged/stray RTP packets dropped by the source latch (a rise means someone is
 * spraying the RTP port range: an eavesdropping or key-injection attempt).
 */
export function registerMediaGauges(registry: Registry, media: MediaStatsSource): void {
  new Gauge({
    name: 'hotline_rtp_sessions',
    help: 'RTP sessions open',
    registers: [registry],
    collect() {
      this.set(media.activeSessions);
    },
  });
  const pacing = new Gauge({
    name: 'hotline_rtp_send_lateness_seconds',
    help: 'RTP send lateness against the 20 ms schedule since start, by quantile',
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      const s = media.pacingStats();
      pacing.set({ quantile: '0.5' }, s.p50Ms / 1000);
      pacing.set({ quantile: '0.99' }, s.p99Ms / 1000);
      pacing.set({ quantile: '1' }, s.maxMs / 1000);
    },
  });
  let foreignSeen = 0;
  new Counter({
    name: 'hotline_rtp_foreign_packets_dropped_total',
    help: 'RTP packets dropped because they came from another source or SSRC than the call latched',
    registers: [registry],
    collect() {
      const now = media.foreignPacketsDropped;
      if (now > foreignSeen) this.inc(now - foreignSeen);
      foreignSeen = now;
    },
  });
  const srtpSeen = { auth: 0, replay: 0 };
  const srtpDropped = new Counter({
    name: 'hotline_srtp_packets_dropped_total',
    help: 'SRTP packets of SDES (TLS) legs dropped: reason auth = failed authentication (forged, wrong key, garbage), replay = seen before',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const now = media.srtpPacketsDropped;
      if (now === undefined) return;
      for (const reason of ['auth', 'replay'] as const) {
        if (now[reason] > srtpSeen[reason]) srtpDropped.inc({ reason }, now[reason] - srtpSeen[reason]);
        srtpSeen[reason] = now[reason];
      }
    },
  });
  const workerLag = media.workerLag?.bind(media);
  if (workerLag !== undefined) {
    const lag = new Gauge({
      name: 'hotline_media_worker_lag_seconds',
      help: 'Event-loop delay of each media worker thread over its last second, by quantile (a late worker sends late)',
      labelNames: ['worker', 'quantile'],
      registers: [registry],
      collect() {
        for (const w of workerLag()) {
          lag.set({ worker: String(w.worker), quantile: '0.99' }, w.p99Ms / 1000);
          lag.set({ worker: String(w.worker), quantile: '1' }, w.maxMs / 1000);
        }
      },
    });
  }
  new Gauge({
    name: 'hotline_rtp_packets_sent_total',
    help: 'RTP packets sent by the shared clock (pacing sample size)',
    registers: [registry],
    collect() {
      this.set(media.pacingStats().packets);
    },
  });
}

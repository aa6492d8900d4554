import { Gauge, type Registry } from 'prom-client';

/** What the media engine reports about itself (implemented by media/RtpMediaEngine). */
export interface MediaStatsSource {
  readonly activeSessions: number;
  pacingStats(): { p50Ms: number; p99Ms: number; maxMs: number; packets: number };
}

/**
 * Gauges read from the media engine at scrape time: RTP streams open, and how late the shared
 * 20 ms clock sends packets (actual − ideal send time), which is what a caller hears as jitter.
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
  new Gauge({
    name: 'hotline_rtp_packets_sent_total',
    help: 'RTP packets sent by the shared clock (pacing sample size)',
    registers: [registry],
    collect() {
      this.set(media.pacingStats().packets);
    },
  });
}

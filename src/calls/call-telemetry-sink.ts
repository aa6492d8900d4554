import type { CallDirection } from '../metrics/call-records.js';

/**
 * Where call sessions report live figures (Prometheus in production, a spy in tests).
 * The stored call records stay the source of truth for every reported metric.
 */
export interface CallTelemetrySink {
  callStarted(direction: CallDirection): void;
  /** `latencyMs`: INVITE received → 200 OK sent. */
  callAnswered(direction: CallDirection, latencyMs: number): void;
  /** `result`: the leg's end reason (`hangup`, `cancelled`, `no-ack` …). */
  callEnded(direction: CallDirection, result: string): void;
}

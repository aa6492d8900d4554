import { performance } from 'node:perf_hooks';

export interface EventLoopLagSamplerOptions {
  /** Sampling period (default 100 ms). */
  readonly intervalMs?: number;
  /** Called with each sample: how late (ms) the sampling timer fired, ≥ 0. */
  readonly onSample: (lagMs: number) => void;
}

/**
 * Event-loop delay by timer drift: a timer set for `intervalMs` that fires late by d ms means every
 * callback queued meanwhile (a datagram read, an HTTP request) waited about as long. Cheaper and
 * more immediate than reading perf_hooks' monitorEventLoopDelay histogram, and what a datagram
 * sitting in the socket buffer experiences. The timer is unref'd: it never keeps the process up.
 */
export class EventLoopLagSampler {
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private expected = 0;
  private stopped = false;

  constructor(private readonly options: EventLoopLagSamplerOptions) {
    this.intervalMs = options.intervalMs ?? 100;
  }

  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.schedule();
  }

  /** Stops sampling; safe twice. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.expected = performance.now() + this.intervalMs;
    this.timer = setTimeout(this.tick, this.intervalMs);
    this.timer.unref();
  }

  private readonly tick = (): void => {
    if (this.stopped) return;
    const lag = Math.max(0, performance.now() - this.expected);
    this.schedule();
    this.options.onSample(lag);
  };
}

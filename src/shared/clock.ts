/** Time as the domain sees it: injected so tests can use fake timers and fixed dates. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer): void;
}

export interface Timer {
  readonly __timer: unique symbol;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as Timer,
  clearTimeout: (timer) => {
    clearTimeout(timer as unknown as NodeJS.Timeout);
  },
};

/** A clock `offsetMs` ahead of `base` (timers unchanged): CLOCK_OFFSET_S, for drills and tests. */
export function offsetClock(base: Clock, offsetMs: number): Clock {
  if (offsetMs === 0) return base;
  return { now: () => base.now() + offsetMs, setTimeout: (fn, ms) => base.setTimeout(fn, ms), clearTimeout: (t) => { base.clearTimeout(t); } };
}

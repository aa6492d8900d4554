import { InvalidStateError } from '../shared/app-error.js';

/** Gives the slot back; safe to call twice. */
export type ReleaseSlot = () => void;

/**
 * A counting semaphore for outbound calls (OUTBOUND_MAX_CONCURRENT): one instance per process,
 * shared by every campaign, so supervision and survey calls together never exceed the trunk's
 * channels. Waiters are served first come, first served.
 */
export class CallSlots {
  private used = 0;
  private readonly waiters: { grant: (release: ReleaseSlot) => void }[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`call slots must be a whole number ≥ 1, not ${max}`);
  }

  get inUse(): number {
    return this.used;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<ReleaseSlot> {
    if (signal?.aborted === true) return Promise.reject(new InvalidStateError('call slot request aborted'));
    if (this.used < this.max) {
      this.used++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: (release: ReleaseSlot) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new InvalidStateError('call slot request aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter: `used` stays the same.
      if (next !== undefined) next.grant(this.releaser());
      else this.used--;
    };
  }
}

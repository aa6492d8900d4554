/** A held job lock; `release()` gives it back (safe to call twice). */
export interface JobLockHandle {
  release(): Promise<void>;
}

/**
 * ARCHITECTURE.md "Scale": several processes may share one database, and each scheduled job must
 * run in one of them only. db/job-lock.ts implements this (MySQL `GET_LOCK`, or an in-process
 * mutex on SQLite) structurally, without importing jobs/.
 */
export interface JobLock {
  /** Takes the lock named `name` without waiting; undefined when someone else holds it. */
  tryAcquire(name: string): Promise<JobLockHandle | undefined>;
}

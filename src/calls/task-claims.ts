/**
 * Who is working on which outbound task right now: a survey order (`survey:<code>`) or a queue
 * callback request (`callback:<id>`), held by an agent (preview dialing) or a campaign (`survey-job`).
 * One instance per process, shared by the survey job and the preview tasks, so an agent is never
 * offered an order the IVR campaign is calling and two agents never get the same task.
 *
 * In memory, per process: claiming is a synchronous check-and-set, so it is atomic within the
 * process. Across processes of a cluster, callback requests are also marked `dialing` in the
 * database when dialled; survey orders are protected by the order's version (the second rating of
 * the same order is refused VERSION_CONFLICT / INVALID_TRANSITION).
 */
export class TaskClaims {
  private readonly held = new Map<string, string>();

  /** True when `owner` now holds `key` (also when it already did); false when someone else does. */
  tryClaim(key: string, owner: string): boolean {
    const holder = this.held.get(key);
    if (holder !== undefined) return holder === owner;
    this.held.set(key, owner);
    return true;
  }

  /** Gives `key` back; with `owner`, only when that owner holds it. */
  release(key: string, owner?: string): void {
    if (owner !== undefined && this.held.get(key) !== owner) return;
    this.held.delete(key);
  }

  holder(key: string): string | undefined {
    return this.held.get(key);
  }

  /** Keys held by `owner`. */
  heldBy(owner: string): string[] {
    return [...this.held].filter(([, o]) => o === owner).map(([k]) => k);
  }
}

export const surveyTaskKey = (code: string): string => `survey:${code}`;
export const callbackTaskKey = (id: number): string => `callback:${id}`;

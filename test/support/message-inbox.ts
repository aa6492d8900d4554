/**
 * Messages a test peer received, in order, with waiting for the next one that matches: each message
 * is handed out by next() once. Shared by the raw UDP/TCP SIP client and the WebSocket one.
 */
export class MessageInbox<T> {
  readonly received: T[] = [];
  private readonly consumed = new Set<T>();
  private readonly waiters = new Set<() => void>();

  push(message: T): void {
    this.received.push(message);
    this.wakeAll();
  }

  /** The next not-yet-consumed message matching `match`, waiting up to `timeoutMs`; the error says `what` timed out. */
  async next(match: (m: T) => boolean, timeoutMs: number, what = 'a message'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find((m) => !this.consumed.has(m) && match(m));
      if (found !== undefined) {
        this.consumed.add(found);
        return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(t);
          this.waiters.delete(wake);
          resolve();
        };
        const t = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** Wakes every waiter (e.g. the peer closed: they look once more, then time out). */
  wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}

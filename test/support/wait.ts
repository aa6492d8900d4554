/** Test waits shared by the end-to-end and browser tests. */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `check` is true (polled every `everyMs`), or rejects after `timeoutMs` naming the check. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not true within ${timeoutMs} ms: ${check.toString().slice(0, 200)}`);
    await sleep(everyMs);
  }
}

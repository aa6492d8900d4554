/**
 * Key press → queue entry (issue 12 wants it under 1 s), measured on the real server: sipp callers
 * (the default flow) press 0 with an RFC 2833 capture during the welcome and hang up 2 s later; the
 * server logs, per call, `keyToQueueMs` — from the moment the IVR received the key (the media worker
 * decoded the RTP event and handed it to the main thread) to the caller's entry in the ACD queue
 * (calls/inbound-call-session.ts). The RTP → worker → main-thread hop before it is not in the figure.
 *
 *   npx tsx scripts/bench/key-to-queue.ts [--calls 20] [--rate 2]
 *
 * Short on purpose: the machine is shared; say how loaded it was next to any figure (printed).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { freePortRange } from '../../test/support/ports.js';
import { startServer } from '../../test/support/server-process.js';
import { describeSipp, runSipp, SCENARIOS } from '../../test/support/sipp.js';
import { percentile } from './measure.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { calls: { type: 'string', default: '20' }, rate: { type: 'string', default: '2' } } });
  const calls = Number(values.calls);
  const rate = Number(values.rate);
  const loadBefore = loadavg()[0] ?? 0;
  const server = await startServer({ LOG_LEVEL: 'info', DRAIN_TIMEOUT_S: '2' }, { readyTimeoutMs: 90_000 });
  try {
    const result = await runSipp({
      scenario: SCENARIOS.uacDtmfBye,
      target: `127.0.0.1:${server.sipPort}`,
      mediaPort: await freePortRange(4),
      calls,
      rate,
      concurrency: calls,
      dtmf: '0',
      timeoutS: 60,
    });
    if (result.exitCode !== 0) console.error(`sipp: ${describeSipp(result)}`);
    // The last call's record is written after its BYE: give the log a moment.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const ms = server
      .logs()
      .split('\n')
      .filter((l) => l.includes('"ivr handed the caller to the queue"'))
      .map((l) => (JSON.parse(l) as { keyToQueueMs?: number }).keyToQueueMs)
      .filter((v): v is number => typeof v === 'number');
    const fmt = (v: number | undefined): string => (v === undefined ? '—' : `${v.toFixed(1)} ms`);
    console.log(
      JSON.stringify({
        calls,
        rate,
        measured: ms.length,
        p50: fmt(percentile(ms, 50)),
        p99: fmt(percentile(ms, 99)),
        max: fmt(percentile(ms, 100)),
        under1s: ms.filter((v) => v < 1000).length,
        loadavg1: { before: loadBefore, after: loadavg()[0] ?? 0 },
        cores: (await import('node:os')).cpus().length,
      }),
    );
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});

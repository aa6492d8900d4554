/**
 * Markdown output of the benchmark, and docs/bench-results.md upkeep: the file keeps one section per
 * mode (full, quick) between HTML comment markers, so a quick run does not erase the full results.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Cell = string | number;

/** A Markdown table; numbers are printed as they are (format them before). */
export function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const esc = (c: Cell): string => String(c).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [`| ${header.map(esc).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(esc).join(' | ')} |`);
  return lines.join('\n');
}

/** "12.3" style, or "n/a" for undefined/NaN. */
export function fmt(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toFixed(digits);
}

/** Seconds → "1.23 ms" (or "n/a"). */
export function ms(seconds: number | undefined, digits = 2): string {
  return seconds === undefined || !Number.isFinite(seconds) ? 'n/a' : `${(seconds * 1000).toFixed(digits)} ms`;
}

/** Bytes → "12.3 MiB". */
export function mib(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Bytes → "123 KiB". */
export function kib(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? 'n/a' : `${(bytes / 1024).toFixed(0)} KiB`;
}

const HEADER = `# Benchmark results

Produced by \`npm run bench\` (\`scripts/bench.ts\`): the real server (\`node --import tsx src/main.ts\`,
SQLite, \`LOG_LEVEL=warn\`, 2000 RTP ports) loaded by sipp on 127.0.0.1 with
\`scripts/bench/uac-load.xml\` (INVITE offering PCMU → 200 → ACK → hold while the server streams its
IVR prompts over RTP → BYE → 200). A fresh server is started for every step, so RSS, CPU and the
since-start RTP pacing gauge cover that step only. sipp runs on the same 2-core machine and competes
with the server for CPU: the figures are a floor for the server, not a ceiling.

How each figure is obtained:

- **Sustained calls/s**: sipp \`-r R -m R×T -l cap -d hold\` at increasing R (the ladder stops at
  the first failure); the highest R whose step ended with sipp exit 0, 0 failed calls, no call left
  active on the server afterwards (\`hotline_active_calls\` back to 0), and, once stored, one call
  record per call ended by the caller's BYE.
- **Call records complete after**: call records are written asynchronously; seconds from sipp's end
  until \`GET /api/v1/calls\` (signed in as the first admin) lists one ended record per call. A
  growing figure means the store falls behind the call rate.
- **Max concurrent calls**: sipp places N calls (ramp ≤ 80 calls/s) held long enough for a plateau;
  the highest N with every call successful and \`hotline_active_calls\` = \`hotline_rtp_sessions\` = N
  at the plateau.
- **INVITE→200**: client side from sipp \`-trace_rtt\` (response time 1, INVITE sent → 200 received;
  sipp's clock has 1 ms resolution); server side from the \`hotline_answer_latency_seconds\` histogram
  (difference of two scrapes; interpolated inside buckets of 5/10/25/50 ms…, so coarse).
- **RTP send lateness**: \`hotline_rtp_send_lateness_seconds\` quantiles read at the plateau (since the
  fresh server started: idle + ramp + plateau).
- **Memory per call**: (RSS at plateau − RSS idle before the step) / N; same for V8 heap used.
- **CPU**: \`process_cpu_seconds_total\` delta / wall time over the plateau window, as % of one core;
  sipp's own CPU from /proc for comparison.
- **ACD → agent INVITE** (\`scripts/bench/acd-phase.ts\`, own server with \`scripts/bench/acd-queues.yaml\`
  and \`acd-flow.yaml\`, \`LOG_LEVEL=info\`): N agents created with \`POST /api/v1/agents\`, registered with
  digest by one Node UDP UAS (\`agent-uas.ts\`, answers after 50 ms, hangs up after 1.5 s), desktops on
  \`/ws/agent\`; 2N sipp callers (\`uac-queue.xml\`) press 0 into the queue. Measured at the UAS:
  \`ready\` sent → INVITE with 2N waiting; \`end-wrap-up\` sent → INVITE with N waiting; the server's
  'caller queued' log time → INVITE with N idle agents. Full: N = 50, quick: N = 10.

How to reproduce:

\`\`\`sh
apt-get install -y sip-tester   # sipp
npm ci
npm run bench                   # full run, < 10 min; rewrites the "full" section below
npm run bench -- --quick        # smoke run, < 2 min; rewrites the "quick" section below
\`\`\`
`;

function marker(mode: string, end: boolean): string {
  return `<!-- bench:${end ? '/' : ''}${mode} -->`;
}

/** The section of `mode` in an existing results file, markers included, or undefined. */
function existingSection(text: string, mode: string): string | undefined {
  const start = text.indexOf(marker(mode, false));
  const end = text.indexOf(marker(mode, true));
  if (start < 0 || end < start) return undefined;
  return text.slice(start, end + marker(mode, true).length);
}

/** Writes `file` with the fixed header, then the full and quick sections (replacing `mode`'s). */
export function writeResults(file: string, mode: 'full' | 'quick', body: string): void {
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const mine = `${marker(mode, false)}\n${body.trim()}\n${marker(mode, true)}`;
  const sections = (['full', 'quick'] as const).map((m) => (m === mode ? mine : existingSection(previous, m)));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${HEADER}\n${sections.filter((s): s is string => s !== undefined).join('\n\n')}\n`);
}

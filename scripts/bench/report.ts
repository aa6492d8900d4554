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

Produced by \`npm run bench\` (\`scripts/bench.ts\`, modules in \`scripts/bench/\`): issue 15's
measurements of this server and of reference SIP servers on the same machine, sipp on the same cores.
Traffic stays on 127.0.0.1. The server is the real one (\`node --import tsx src/main.ts\`, SQLite,
\`LOG_LEVEL=warn\`, 4400 RTP ports), started fresh for every step so its counters and since-start
gauges cover that step only. sipp competes with the server for the two cores: the figures are a floor
for the server, not a ceiling, and numbers taken while other work runs on the machine are noise.

## Method

### 1. Set-up ladder (\`setup-ladder.ts\`, caller \`uac-setup.xml\`)

- sipp \`-r R -m R×20 -d 1000\` at R = 100, 200, 300, 400, 600, 800, 1000, 1200, 1600 calls/s (\`--quick\`: 50, 100
  for 5 s): INVITE (PCMU) → 200 → ACK → 1 s hold while the server plays its default IVR's first prompt
  → BYE → 200. Every call makes a call record. \`-recv_timeout 10000\` (a 200 or BYE answer later than
  10 s fails the call), \`-l\` high enough never to throttle the offered rate before a collapse.
- A **503** is an expected outcome, not a failure: the scenario ACKs it and counts it in sipp's generic
  counter \`refused\`; answered calls count in \`answered\`. Reported per step: calls **ok / failed /
  refused with 503**, sipp's **retransmissions**, **INVITE→200 p50/p99** from sipp (\`-trace_rtt\`,
  INVITE sent → 200 received; sipp's clock ticks in whole ms) and from the server's
  \`hotline_answer_latency_seconds\` histogram (difference of two scrapes, interpolated in buckets),
  the INVITEs the server counts as shed, **CPU ms per call** (user + system CPU of the server process,
  every thread, from /proc, from sipp's start to its end, divided by the calls placed; it includes
  what the idle server spends anyway, which weighs at low rates), **calls
  hanging** (\`hotline_active_calls\` 10 s after sipp ended) and how long until \`GET /api/v1/calls\`
  counts one record per answered call (bound 20 s).
- Admission for the ladder: the rate limit off (\`SIP_MAX_CALLS_PER_S=0\`: capacity is what is measured),
  the event-loop lag admission at the server's default (\`SIP_OVERLOAD_LAG_MS\`), so a server that
  protects itself shows 503s instead of failures.
- Each step is **clean** (0 failed, 0 refused, sipp p99 < 1 s, no call hanging, records complete, server
  exit 0), **degraded** (anything between) or a **collapse** (sipp killed at its time limit, ≥ 1 % of
  the calls failed, p99 ≥ 5 s, or \`/metrics\` unanswered afterwards); the ladder stops at the first
  collapse. The **clean ceiling** is the highest rate whose step and every lower step were clean.

### 2. References, side by side with the ladder (\`ref/\`)

- **Kamailio** (Debian package \`kamailio\`, installed by the benchmark when missing), configuration
  \`ref/kamailio.cfg\`: a stateless 200 OK (with a Contact) to every INVITE, 200 to BYE, ACK dropped;
  two worker processes, 127.0.0.1 on a free port, one instance for the whole ladder. The same sipp
  ladder, scenario and flags. CPU is that of the whole process tree. It is the floor of what answering
  a call costs in C: no transaction, no dialog, no media, no record.
- **drachtio-server + a drachtio-srf UAS**: not re-measured. drachtio-server is a C++ daemon that is
  neither a Debian package nor on npm (\`drachtio-srf\` on npm is the Node framework that needs the
  daemon), and this machine reaches only the npm registry and Debian, so it can be neither installed
  nor built here. Its figures come from issue 15, measured on this machine by the session that filed
  it with the same ladder (1 s hold, 20 s per step): drachtio-server built from source, a drachtio-srf
  app answering every INVITE with 200 — clean up to 800 calls/s (p99 4 ms at 200), 3.6 %
  retransmissions at 1,200, 2.3 ms CPU per call. They are printed as "issue 15, not re-measured".
- Ratios: clean ceiling of this server ÷ the reference's, and CPU per call ÷ the reference's at the
  same rate (issue 15's goal: ≥ 1.0× drachtio's clean ceiling, ≥ 800 calls/s).

### 3. Overload (\`overload.ts\`)

- A fresh server with its **default** admission control (rate limit \`SIP_MAX_CALLS_PER_S\` and lag
  threshold \`SIP_OVERLOAD_LAG_MS\` as shipped) is offered **2× the clean ceiling** (2× the first
  ladder step when none was clean) for 20 s (\`--quick\`: 8 s) with the ladder's scenario; then the load
  stops (the moment sipp has placed its last call, read from its statistics file, which sipp rewrites
  every second: the moment is known to within about a second).
- Reported: calls placed / answered / refused with 503 / failed; the share of **admitted** calls (placed
  − 503) that were answered; the server's shed counter by reason (\`hotline_sip_shed_total\`);
  **retransmissions per call placed** (a storm shows here); INVITE→200 of the admitted calls;
  **GET /healthz every 100 ms** during the load, each probe on its own with a 2 s timeout: p50/p99/max
  and how many took over 100 ms or got no answer; **recovery**: seconds from the load's end until a
  normal call (\`uac-load.xml\`, one call, where a 503 is a failure; retried every 200 ms) succeeds, and
  until the shed counter stops growing (no growth for 3 s); calls hanging 10 s later.

### 4. Media: concurrent IVR calls with caller RTP (\`media-step.ts\`, \`rtp-capture.ts\`, \`pcap.ts\`)

- N = 500, 1000, 1500, 2000 (\`--quick\`: 200) calls ramped at 100 calls/s (\`--quick\`: 50) into
  \`media-flow.yaml\` (the default flow's welcome and menu prompts, then up to 120 s waiting for a key,
  comfort silence meanwhile), so the server streams 50 packets/s to every caller for the whole step.
  Every caller streams RTP too, as real callers do: \`uac-media.xml\` streams, with sipp's
  \`rtp_stream\` (RTPSTREAM build), 10 s of A-law audio the benchmark writes, looped (50 packets/s);
  sipp sends all calls' RTP from a few threads (\`-rtp_threadtasks 200\`). Until 2026-12-02 the step
  used \`play_pcap_audio\`, which starts a thread per call: at 1,000 calls sipp then took 160-190 % of
  the two cores (load average 239) and the server was measured starved, not loaded. Admission as in
  the ladder.
- Two seconds after sipp has placed its last call, a window of 10 s (\`--quick\`: 5 s):
  - **from outside**: \`tcpdump -i lo\` (Debian package \`tcpdump\`, installed when missing) captures
    every UDP datagram from the server's RTP ports to sipp's media port; each server port is a stream.
    Per stream: packets received against 50/s over the window (+1), the worst stream and the 1st
    percentile, streams below 95 %; **missing** packets: per stream, how many fewer than ⌊50 × window⌋
    (a stream sending every 20 ms has 500 or 501 packets in 10.0 s, depending on its phase), summed; inter-arrival intervals across all streams p50/p99/max, their
    **jitter** (each interval's distance from 20 ms, what a caller's jitter buffer absorbs: issue 15's
    goal is p99 ≤ 5 ms) and how many exceed 40 ms (a gap a caller hears). On loopback the kernel
    delivers (and tcpdump timestamps) a packet in the sender's softirq: a machine busy with other work
    shows as jitter here even when the server sent on time, so the step is only meaningful on a quiet
    machine. tcpdump's "dropped by kernel" count is printed apart, so
    a capture that could not keep up is not taken for the server's loss;
  - **from the server**: \`hotline_rtp_send_lateness_seconds\` p50/p99/max (since the server started:
    ramp included), the main event loop's delay p99/max over the window (prom-client's
    \`nodejs_eventloop_lag_*\`, reset by each scrape), **RSS per call** ((RSS in the window − RSS of
    the idle server) / active calls, /proc), CPU of the server (every thread) and of sipp.
- Afterwards: calls hanging, and the call records by end reason (every call should end with
  \`hangup/caller\`; \`no-ack\` means the server did not read the ACK in time).
- Every server of the run gets \`MEDIA_WORKERS=auto\` (the server's default, one worker thread per CPU;
  the test harness that starts the servers would otherwise pin 1); \`--media-workers=N\` passes
  \`MEDIA_WORKERS=N\` instead (0 = media on the main thread). The report prints what was used and any
  \`*media_worker*\` series the server exports.

### 5. ACD (\`acd-phase.ts\`)

Own server with \`acd-queues.yaml\` and \`acd-flow.yaml\`, \`LOG_LEVEL=info\`: N agents created with
\`POST /api/v1/agents\`, registered with digest by one Node UDP UAS (\`agent-uas.ts\`, answers after
50 ms, hangs up after 1.5 s), desktops on \`/ws/agent\`; 2N sipp callers (\`uac-queue.xml\`) press 0 into
the queue. Measured at the UAS: \`ready\` sent → INVITE with 2N waiting; \`end-wrap-up\` sent → INVITE
with N waiting; the server's 'caller queued' log time → INVITE with N idle agents. Full: N = 50,
quick: N = 10.

### Bounds and clean-up

Each sipp run has a hard time limit; the run has a budget (full 30 min, quick 8 min: a step that would
not fit is skipped and named); the ladders stop at their first collapse and the media steps at theirs
(fewer than 90 % of the calls up when the window starts, ≥ 1 % failed, or \`/metrics\` unanswered). A
server that does not start (a port taken by another process meanwhile) is started once more on fresh
ports, noted with its step. Every child process (servers, sipp, Kamailio with its workers, tcpdump) is killed when
the benchmark ends, fails or is interrupted (Ctrl-C).

## How to reproduce

\`\`\`sh
apt-get install -y sip-tester      # sipp; kamailio and tcpdump are installed by the benchmark if missing
npm ci
npm run bench                      # full run, about 15 min on a quiet 2-core machine; rewrites "Full run"
npm run bench -- --quick           # smoke run, about 3 min; rewrites "Quick run"
npm run bench -- --media-workers=0 # media on the main thread (compare with the default)
npm run bench -- --only=ladder,kamailio --rates=100,200,400   # a part of the run
npm run bench -- --server-env=SIP_OVERLOAD_LAG_MS=0   # any server setting, for the ladder, overload and media servers
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

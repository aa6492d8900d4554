/**
 * The Markdown of one benchmark run: summary against issue 15's goals, the set-up ladder side by side
 * with the references, this server's ladder in detail, the overload step, the media steps, the ACD
 * phase, and what the servers logged.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { mediaWorkerCount } from '../../src/media/create-media-engine.js';
import { REPO_ROOT } from '../../test/support/server-process.js';
import type { AcdPhaseResult, LatencyStats } from './acd-phase.js';
import type { MediaStep } from './media-step.js';
import { sippVersion } from './measure.js';
import type { OverloadResult } from './overload.js';
import type { Plan } from './plan.js';
import { DRACHTIO_ISSUE_15, KAMAILIO_ISSUE_15, SERVER_ISSUE_15 } from './ref/issue-15.js';
import { fmt, mib, table, type Cell } from './report.js';
import type { ServerFindings } from './server.js';
import { cleanCeiling, type LadderStep } from './setup-ladder.js';

export interface RunResults {
  plan: Plan;
  rates: readonly number[];
  mediaLevels: readonly number[];
  mediaWorkers: string;
  serverEnv: Readonly<Record<string, string>>;
  admissionDefaults: { maxCallsPerS: number; overloadLagMs: number };
  ladder: LadderStep[];
  kamailio: LadderStep[];
  kamailioVersion?: string | undefined;
  kamailioError?: string | undefined;
  overload?: OverloadResult | undefined;
  overloadSkipped?: string | undefined;
  media: MediaStep[];
  acd?: AcdPhaseResult | undefined;
  skipped: string[];
  /** Phases run (all unless --only). */
  phases: readonly string[];
  elapsedS: number;
  load0: number;
}

const n0 = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? 'n/a' : Math.round(v).toLocaleString('en-US'));
const msOf = (v: number | undefined, digits = 0): string => (v === undefined || !Number.isFinite(v) ? 'n/a' : `${fmt(v, digits)} ms`);
/** Seconds → ms text. */
const sMs = (v: number | undefined, digits = 1): string => (v === undefined || !Number.isFinite(v) ? 'n/a' : `${fmt(v * 1000, digits)} ms`);
const ratio = (a: number | undefined, b: number | undefined, digits = 2): string =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? 'n/a' : `${fmt(a / b, digits)}×`;

function machine(load0: number): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', 'src'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    if (dirty.length > 0) commit += ' + uncommitted changes in src/';
  } catch {
    // not a git checkout
  }
  return `${os.cpus().length} cores (${cpu}), ${mib(os.totalmem())} RAM, ${os.type()} ${os.release()}, Node ${process.version}, ${sippVersion()}, commit ${commit}; load average ${fmt(load0, 1)} at start, ${fmt(os.loadavg()[0], 1)} at end`;
}

/** One ladder step in a sentence-like cell. */
function stepCell(s: LadderStep | undefined): string {
  if (s === undefined) return 'not run';
  const sipp = s.sipp;
  if (sipp === undefined) return `**${s.verdict}**: ${s.reason}`;
  const parts = [`${n0(sipp.answered)} ok`];
  if (sipp.failed > 0) parts.push(`${n0(sipp.failed)} failed`);
  if (sipp.refused > 0) parts.push(`${n0(sipp.refused)} × 503`);
  if (sipp.retransmissions > 0) parts.push(`${n0(sipp.retransmissions)} retrans`);
  parts.push(`p99 ${msOf(s.sippP99)}`, `${fmt(s.cpuMsPerCall, 2)} ms CPU/call`);
  return `${s.verdict === 'clean' ? 'clean' : `**${s.verdict}**`}: ${parts.join(', ')}`;
}

function summary(r: RunResults): string {
  const ours = cleanCeiling(r.ladder);
  const kam = cleanCeiling(r.kamailio);
  const at100 = r.ladder.find((s) => s.rate === 100);
  const cpuOurs = ours ?? r.ladder[0];
  const cpuKam = r.kamailio.find((s) => s.rate === cpuOurs?.rate) ?? kam;
  const firstBad = r.ladder.find((s) => s.verdict !== 'clean');
  const o = r.overload;
  const rows: Cell[][] = [
    [
      'Clean ceiling (set-up ladder)',
      ours === undefined ? 'none (first step not clean)' : `${ours.rate} calls/s`,
      `Kamailio ${kam === undefined ? (r.kamailioError !== undefined ? 'not run' : 'none') : `${kam.rate} calls/s`} (this ÷ Kamailio ${ratio(ours?.rate, kam?.rate)}); ` +
        `drachtio ${DRACHTIO_ISSUE_15.cleanCeiling} calls/s from issue 15, not re-measured (this ÷ drachtio ${ratio(ours?.rate, DRACHTIO_ISSUE_15.cleanCeiling)}; goal ≥ 1.0×)` +
        (firstBad === undefined ? '' : `; first step not clean: ${firstBad.rate} calls/s (${firstBad.reason})`),
    ],
    [
      'INVITE→200 p50 / p99 at 100 calls/s',
      at100 === undefined ? 'not run' : `sipp ${msOf(at100.sippP50)} / ${msOf(at100.sippP99)}; server ${sMs(at100.serverP50)} / ${sMs(at100.serverP99)}`,
      'goal p99 < 20 ms measured from the packet\'s arrival; sipp ticks in whole ms',
    ],
    [
      'Server CPU per call',
      cpuOurs === undefined ? 'n/a' : `${fmt(cpuOurs.cpuMsPerCall, 2)} ms at ${cpuOurs.rate} calls/s`,
      `Kamailio ${fmt(cpuKam?.cpuMsPerCall, 3)} ms at ${cpuKam?.rate ?? 'n/a'} calls/s (this ÷ Kamailio ${ratio(cpuOurs?.cpuMsPerCall, cpuKam?.cpuMsPerCall, 1)}); ` +
        `drachtio ${DRACHTIO_ISSUE_15.cpuMsPerCall} ms from issue 15 (this ÷ drachtio ${ratio(cpuOurs?.cpuMsPerCall, DRACHTIO_ISSUE_15.cpuMsPerCall)})`,
    ],
  ];
  if (o !== undefined) {
    const admitted = o.sipp === undefined ? undefined : o.sipp.created - o.sipp.refused;
    rows.push([
      `Overload (${o.rate} calls/s offered for ${o.seconds} s)`,
      o.sipp === undefined
        ? `**not run**: ${o.reason}`
        : `${n0(o.sipp.refused)} × 503; admitted ${n0(admitted)}, ${fmt(admitted === undefined || admitted === 0 ? undefined : (o.sipp.answered / admitted) * 100, 1)} % answered; ` +
          `/healthz p99 ${msOf(o.health?.p99, 1)} (max ${msOf(o.health?.max, 0)}); ${fmt(o.sipp.retransmissions / Math.max(1, o.sipp.created), 3)} retrans/call; ` +
          `normal call again after ${o.recoveryCallS === undefined ? `> ${r.plan.recoveryBoundS} s` : `${fmt(o.recoveryCallS, 1)} s`}`,
      `goal: 503 + Retry-After to the excess, /healthz within 100 ms, admitted calls served, no retransmission storm, normal within seconds${o.ok ? '' : `; **not met**: ${o.reason}`}`,
    ]);
  }
  for (const m of r.media) {
    const c = m.capture;
    rows.push([
      `Media: ${m.level} IVR calls with caller RTP`,
      c === undefined
        ? `**${m.reason}**`
        : `${fmt((c.packets / Math.max(1, c.expected)) * 100, 1)} % of packets; jitter (deviation from 20 ms) p99 ${msOf(c.jitterP99, 1)} (max ${msOf(c.jitterMax, 0)}); RSS ${fmtKib(perCall(m))}/call`,
      `goal: every packet, jitter p99 ≤ 5 ms from a capture; 1,000 per core used, 2,000 on 2 cores${mediaGoalMissed(m)}`,
    ]);
  }
  return table(['Measure', 'This server', 'Reference / goal (issue 15)'], rows);
}

function perCall(m: MediaStep): number | undefined {
  const active = m.activeAtWindow ?? m.level;
  return m.rssIdle === undefined || m.rssWindow === undefined || active <= 0 ? undefined : (m.rssWindow - m.rssIdle) / active;
}

function fmtKib(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? 'n/a' : `${fmt(bytes / 1024, 0)} KiB`;
}

function ladderComparison(r: RunResults): string {
  const rates = [...new Set([...r.rates, ...r.ladder.map((s) => s.rate), ...r.kamailio.map((s) => s.rate)])].sort((a, b) => a - b);
  const rows = rates.map((rate): Cell[] => {
    const ours = r.ladder.find((s) => s.rate === rate);
    const kam = r.kamailio.find((s) => s.rate === rate);
    const dr = DRACHTIO_ISSUE_15.byRate.get(rate);
    return [
      rate,
      stepCell(ours),
      r.kamailioError !== undefined ? `not run: ${r.kamailioError}` : stepCell(kam),
      dr ?? (rate > DRACHTIO_ISSUE_15.cleanCeiling ? `not reported (ok up to ${DRACHTIO_ISSUE_15.cleanCeiling}; ${DRACHTIO_ISSUE_15.beyond})` : 'not reported'),
      ratio(ours?.cpuMsPerCall, kam?.cpuMsPerCall, 1),
    ];
  });
  return table(['calls/s', 'this server', `Kamailio${r.kamailioVersion === undefined ? '' : ` ${r.kamailioVersion}`} (stateless 200, measured)`, 'drachtio-server + drachtio-srf (issue 15, not re-measured)', 'CPU/call this ÷ Kamailio'], rows);
}

function ladderDetail(steps: readonly LadderStep[]): string {
  const rows = steps.map((s): Cell[] => [
    s.rate,
    s.verdict === 'clean' ? 'clean' : `**${s.verdict}**: ${s.reason}`,
    s.sipp === undefined ? 'n/a' : `${n0(s.sipp.answered)} / ${n0(s.sipp.failed)} / ${n0(s.sipp.refused)}`,
    s.sipp === undefined ? 'n/a' : n0(s.sipp.retransmissions),
    `${msOf(s.sippP50)} / ${msOf(s.sippP99)}`,
    `${sMs(s.serverP50)} / ${sMs(s.serverP99)} (${n0(s.serverCount)} answers)`,
    n0(s.serverShed),
    `${fmt(s.cpuMsPerCall, 2)} ms (${fmt(s.cpuPct, 0)} % of a core)`,
    s.hanging === undefined ? 'n/a' : String(s.hanging),
    s.recordsAfterS === undefined ? `incomplete (${n0(s.recordsTotal)})` : `${fmt(s.recordsAfterS, 1)} s`,
  ]);
  return table(
    ['calls/s', 'verdict', 'ok / failed / 503', 'retrans', 'INVITE→200 p50/p99 (sipp)', 'INVITE→200 p50/p99 (server histogram)', 'shed (server)', 'server CPU per call', 'hanging after', 'records complete after'],
    rows,
  );
}

function overloadSection(r: RunResults): string[] {
  const o = r.overload;
  if (o === undefined) return r.overloadSkipped === undefined ? [] : ['### Overload', '', `Not run: ${r.overloadSkipped}.`, ''];
  const s = o.sipp;
  const h = o.health;
  const admitted = s === undefined ? undefined : s.created - s.refused;
  const shed = o.shedByReason === undefined ? 'n/a' : Object.entries(o.shedByReason).map(([k, v]) => `${k} ${n0(v)}`).join(', ');
  return [
    '### Overload',
    '',
    `${o.rate} calls/s offered for ${o.seconds} s (${o.basis}), calls held ${r.plan.holdMs / 1000} s; server admission as shipped (unless --server-env): SIP_MAX_CALLS_PER_S=${o.admission.maxCallsPerS}, SIP_OVERLOAD_LAG_MS=${o.admission.overloadLagMs}. ${o.ok ? 'Goal met.' : `**Not met**: ${o.reason}.`}`,
    '',
    table(
      ['Measure', 'Result'],
      [
        ['calls placed / answered / refused with 503 / failed', s === undefined ? 'n/a' : `${n0(s.created)} / ${n0(s.answered)} / ${n0(s.refused)} / ${n0(s.failed)}`],
        ['admitted calls answered', admitted === undefined || admitted <= 0 ? 'n/a' : `${fmt(((s?.answered ?? 0) / admitted) * 100, 2)} % of ${n0(admitted)}`],
        ['shed by the server, by reason (hotline_sip_shed_total)', shed],
        ['INVITE→200 of admitted calls p50 / p99 (sipp)', `${msOf(o.sippP50)} / ${msOf(o.sippP99)}`],
        ['retransmissions (per call placed)', s === undefined ? 'n/a' : `${n0(s.retransmissions)} (${fmt(s.retransmissions / Math.max(1, s.created), 3)})`],
        ['GET /healthz every 100 ms: p50 / p99 / max', h === undefined ? 'n/a' : `${msOf(h.p50, 1)} / ${msOf(h.p99, 1)} / ${msOf(h.max, 0)}`],
        ['/healthz probes over 100 ms or unanswered', h === undefined ? 'n/a' : `${h.over100ms} of ${h.probes} (${h.probes - h.answered} unanswered within 2 s)`],
        ['load gone → a normal call succeeds', o.recoveryCallS === undefined ? `not within ${r.plan.recoveryBoundS} s` : `${fmt(o.recoveryCallS, 1)} s`],
        ['load gone → shed counter stops growing', o.shedStopS === undefined ? `not within ${r.plan.recoveryBoundS} s` : `${fmt(o.shedStopS, 1)} s`],
        ['server CPU during the load', `${fmt(o.cpuPct, 0)} % of a core`],
        ['calls left active 10 s after', o.hanging === undefined ? 'n/a' : String(o.hanging)],
      ],
    ),
    '',
  ];
}

/** '' when a media step meets issue 15's goal (no failure, every packet, jitter p99 ≤ 5 ms), else why not. */
function mediaGoalMissed(m: RunResults['media'][number]): string {
  const c = m.capture;
  const why: string[] = [];
  if (!m.ok) why.push(m.reason);
  if (c !== undefined && c.missing > 0) why.push(`${n0(c.missing)} packets missing`);
  if (c?.jitterP99 !== undefined && c.jitterP99 > 5) why.push(`jitter p99 ${msOf(c.jitterP99, 1)}`);
  return why.length === 0 ? '; met' : `; **not met**: ${why.join(', ')}`;
}

function mediaSection(r: RunResults): string[] {
  if (r.media.length === 0) return [];
  const workers = r.mediaWorkers === 'auto'
    ? `MEDIA_WORKERS=auto (the server's default: ${mediaWorkerCount('auto')} worker threads on this machine's ${os.availableParallelism()} CPUs)`
    : `MEDIA_WORKERS=${r.mediaWorkers}`;
  const series = r.media.find((m) => Object.keys(m.workerSeries).length > 0)?.workerSeries;
  const outside = r.media.map((m): Cell[] => {
    const c = m.capture;
    return [
      m.level,
      m.ok ? 'yes' : `**no**: ${m.reason}`,
      `${n0(m.activeAtWindow)} / ${n0(m.rtpSessionsAtWindow)}`,
      c === undefined ? (m.captureError ?? 'n/a') : `${c.streams} streams, ${fmt(c.windowS, 1)} s`,
      c === undefined ? 'n/a' : `${n0(c.packets)} / ${n0(c.expected)} (${fmt((c.packets / Math.max(1, c.expected)) * 100, 1)} %)`,
      c === undefined ? 'n/a' : `${n0(c.perStreamMin)} / ${n0(c.perStreamP1)} / ${n0(c.perStreamP50)} (${c.streamsShort} below 95 %)`,
      c === undefined ? 'n/a' : `${msOf(c.intervalP50, 1)} / ${msOf(c.intervalP99, 1)} / ${msOf(c.intervalMax, 0)}`,
      c === undefined ? 'n/a' : `${msOf(c.jitterP50, 1)} / ${msOf(c.jitterP99, 1)} / ${msOf(c.jitterMax, 0)}`,
      c === undefined ? 'n/a' : n0(c.intervalsOver40),
      c === undefined ? 'n/a' : `${c.kernelDrops === undefined ? 'n/a' : n0(c.kernelDrops)}${c.truncated ? ', file truncated' : ''}`,
    ];
  });
  const inside = r.media.map((m): Cell[] => [
    m.level,
    `${sMs(m.latenessP50, 2)} / ${sMs(m.latenessP99, 2)} / ${sMs(m.latenessMax, 0)}`,
    `${sMs(m.loopLagP99, 1)} / ${sMs(m.loopLagMax, 0)}`,
    `${fmtKib(perCall(m))} (${mib(m.rssIdle)} → ${mib(m.rssWindow)})`,
    `${fmt(m.cpuPct, 0)} % (sipp ${fmt(m.sippCpuPct, 0)} %)`,
    m.sipp === undefined ? 'n/a' : `${n0(m.sipp.answered)} / ${n0(m.sipp.failed)} / ${n0(m.sipp.refused)}`,
    m.hanging === undefined ? 'n/a' : String(m.hanging),
    m.endReasons === undefined ? 'n/a' : Object.entries(m.endReasons).map(([k, v]) => `${k} ×${v}`).join(', '),
  ]);
  return [
    '### Media: concurrent IVR calls with caller RTP',
    '',
    `Media engine: ${workers}${series === undefined ? '' : `; the server reports ${Object.entries(series).map(([k, v]) => `\`${k}\` = ${v}`).join(', ')}`}. ` +
      `Ramp ${r.media[0]?.rampRate ?? r.plan.mediaRampRate} calls/s, every caller streams PCMA for the whole hold; window of ${r.plan.captureS} s once all calls are up.`,
    '',
    'Measured from outside (tcpdump on lo, server → sipp):',
    '',
    table(['calls', 'no failure', 'active / RTP sessions', 'capture', 'packets received / expected', 'per stream min / p1 / p50', 'interval p50 / p99 / max', 'jitter (deviation from 20 ms) p50 / p99 / max', 'intervals > 40 ms', 'capture drops (kernel)'], outside),
    '',
    'Measured by the server, and the calls afterwards:',
    '',
    table(['calls', 'RTP send lateness p50 / p99 / max (since start)', 'event-loop delay p99 / max (window)', 'RSS per call', 'CPU in the window', 'sipp ok / failed / 503', 'hanging after', 'call records by end'], inside),
    '',
  ];
}

function latencyCell(l: LatencyStats | undefined): string {
  return l === undefined ? 'n/a' : `${msOf(l.p50)} / ${msOf(l.p99)} (max ${msOf(l.max)}, ${l.count}/${l.expected})`;
}

function acdSection(acd: AcdPhaseResult | undefined): string[] {
  if (acd === undefined) return [];
  const n = acd.agents;
  return [
    '### ACD: agent ready / caller queued → agent INVITE',
    '',
    `${n} agents (registered with digest from one UDP UAS, desktops on /ws/agent), ${acd.callers} callers from sipp pressing 0 into queue \`bench\`; ${fmt(acd.wallS, 0)} s; ${acd.ok ? 'no failure' : `**failed**: ${acd.reason}`}.`,
    '',
    table(
      ['Measure', 'p50 / p99 (max, samples)', 'Conditions'],
      [
        ['agent `ready` sent → INVITE at the phone', latencyCell(acd.readyToInvite), `${acd.callers} callers waiting, agents ready one every 20 ms`],
        ['agent `end-wrap-up` sent → INVITE', latencyCell(acd.wrapUpToInvite), `${n} callers waiting, ${n} conversations just ended`],
        ["server 'caller queued' log → INVITE", latencyCell(acd.enqueueToInvite), `${n} callers arriving at 25/s, ${n} agents ready and idle`],
      ],
    ),
    '',
    ...(acd.warnLines.length > 0 ? [`${acd.warnLines.length} warn/error server log lines; last: \`${(acd.warnLines.at(-1) ?? '').slice(0, 300)}\``, ''] : []),
  ];
}

function findingsSection(steps: readonly { label: string; findings?: ServerFindings | undefined }[]): string {
  const lines: string[] = [];
  for (const step of steps) {
    const f = step.findings;
    if (f === undefined) continue;
    // The calendar warning is printed by every start in 2026 and says nothing about the load.
    const logLines = f.logLines.filter((l) => !l.includes('working-day calendar'));
    if (f.notes.length === 0 && logLines.length === 0) continue;
    lines.push(`- **${step.label}**: ${f.notes.length > 0 ? f.notes.map((p) => p.split('\n')[0] ?? '').join('; ') : 'no problem noted'}` +
      (logLines.length > 0 ? `; ${logLines.length} warn/error log lines, last ones:` : ''));
    if (logLines.length > 0) lines.push('', '  ```', ...logLines.slice(-6).map((l) => `  ${l.slice(0, 300)}`), '  ```');
  }
  return lines.length === 0 ? 'No server warnings or errors, every server stopped cleanly.' : lines.join('\n');
}

function sippErrors(r: RunResults): string[] {
  const out: string[] = [];
  const add = (label: string, errors: string | undefined): void => {
    if (errors !== undefined && errors.length > 0) out.push(`- ${label}: \`${errors.split('\n').slice(0, 3).join(' ⏎ ').slice(0, 400)}\``);
  };
  for (const s of r.ladder) if (s.verdict !== 'clean') add(`this server, ${s.rate} calls/s`, s.sipp?.errors);
  for (const s of r.kamailio) if (s.verdict !== 'clean') add(`Kamailio, ${s.rate} calls/s`, s.sipp?.errors);
  if (r.overload !== undefined && !r.overload.ok) add('overload', r.overload.sipp?.errors);
  for (const m of r.media) if (!m.ok) add(`media ${m.level}`, m.sipp?.errors);
  return out.length === 0 ? [] : ['### sipp errors of steps that were not clean', '', ...out, ''];
}

export function render(r: RunResults): string {
  return [
    `## ${r.plan.mode === 'full' ? 'Full run' : 'Quick run (`--quick`, smoke only: short steps, numbers not comparable)'}`,
    '',
    `${new Date().toISOString()}, ${fmt(r.elapsedS, 0)} s. Machine: ${machine(r.load0)}.`,
    `Admission: ladder and media steps with the rate limit off and the event-loop lag threshold at ${r.admissionDefaults.overloadLagMs} ms; ` +
      `overload step with SIP_MAX_CALLS_PER_S=${r.admissionDefaults.maxCallsPerS} and the same threshold.`,
    `Ladder ${r.rates.join('/')} calls/s × ${r.plan.rateStepS} s, calls held ${r.plan.holdMs / 1000} s; media ${r.mediaLevels.join('/')} calls; media engine: MEDIA_WORKERS=${r.mediaWorkers}; phases: ${r.phases.join(', ')}` +
      `${Object.keys(r.serverEnv).length === 0 ? '' : `; every server also got ${Object.entries(r.serverEnv).map(([k, v]) => `\`${k}=${v}\``).join(' ')} (--server-env)`}.`,
    '',
    summary(r),
    '',
    '### Set-up ladder, side by side',
    '',
    ladderComparison(r),
    '',
    `Issue 15's figures for comparison: Kamailio clean up to ${KAMAILIO_ISSUE_15.cleanCeiling} calls/s, ${KAMAILIO_ISSUE_15.cpuMsPerCall} ms CPU per call; ` +
      `this server before the issue's work clean up to ${SERVER_ISSUE_15.cleanCeiling} calls/s, ${SERVER_ISSUE_15.cpuMsPerCall} ms CPU per call ` +
      `(${[...SERVER_ISSUE_15.byRate].map(([rate, text]) => `${rate}/s: ${text}`).join('; ')}).`,
    '',
    '### Set-up ladder, this server in detail',
    '',
    r.ladder.length === 0 ? 'Not run.' : ladderDetail(r.ladder),
    '',
    ...overloadSection(r),
    ...mediaSection(r),
    ...acdSection(r.acd),
    ...(r.skipped.length > 0 ? [`Skipped to stay within the time budget (${r.plan.budgetS} s): ${r.skipped.join(', ')}.`, ''] : []),
    ...sippErrors(r),
    '### Server findings',
    '',
    findingsSection([
      ...r.ladder.map((s) => ({ label: `ladder ${s.rate} calls/s`, findings: s.findings })),
      ...(r.overload === undefined ? [] : [{ label: 'overload', findings: r.overload.findings }]),
      ...r.media.map((m) => ({ label: `media ${m.level}`, findings: m.findings })),
    ]),
  ].join('\n');
}

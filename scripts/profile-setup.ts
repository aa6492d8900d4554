/**
 * `npx tsx scripts/profile-setup.ts [options]`: what one call set-up costs the server's process.
 *
 * For each offered rate a fresh server (test/support/server-process.ts: SQLite, LOG_LEVEL=warn, the
 * default IVR) is loaded by sipp with scripts/bench/uac-load.xml (INVITE → 200 → ACK, hold, BYE) and
 * the step reports: calls ok/failed, 503s from admission control (hotline_sip_shed_total), sipp's
 * retransmissions, INVITE→200 p50/p99/max (sipp -trace_rtt), and the server's CPU time (/proc) per
 * call, with the idle CPU of the same server subtracted. With `--cpu-prof` the server runs under
 * `node --cpu-prof` and the profile of each step is summarised: top self time by function, and self
 * time by area (SIP parse/serialise, transactions, dialogs and legs, IVR, logging, records, media…).
 *
 * Options:
 *   --rates 200,400        offered calls/s, one fresh server each (default 200,400)
 *   --seconds 20           seconds of calls per step (default 20)
 *   --hold-ms 1000         how long sipp holds each call (default 1000)
 *   --repeat 1             runs of the whole list (spread on a shared machine)
 *   --lag-ms 0             SIP_OVERLOAD_LAG_MS of the server (0 = lag shedding off, as in tests)
 *   --max-cps 100000       SIP_MAX_CALLS_PER_S of the server (raise it to see the real ceiling)
 *   --cpu-prof             profile the server and summarise it (profiles kept under --out)
 *   --out DIR              where profiles go (default a temp dir)
 *   --top 30               functions listed per profile
 *   --stop-on-fail         stop the ladder at the first step with a failed call
 *   --summarize FILE       only summarise an existing .cpuprofile and exit
 *   --micro N              no server: CPU µs of the SIP message work of one call, over N calls (×5)
 *   --callers REGEX        with --summarize: the call chains (--depth frames) leading to matching functions
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServer, type ServerHandle } from '../test/support/server-process.js';
import { startSipp } from '../test/support/sipp.js';
import { REPO_ROOT } from '../test/support/server-process.js';

const SCENARIO = path.join(REPO_ROOT, 'scripts', 'bench', 'uac-load.xml');
const RTP_PORTS = 4000;

// ---------------------------------------------------------------------------------------------
// .cpuprofile summary

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function isCpuProfile(value: unknown): value is CpuProfile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.nodes) && Array.isArray(v.samples) && Array.isArray(v.timeDeltas);
}

/** Areas of the code, matched on a frame's URL (first match wins); order: most specific first. */
const AREAS: readonly (readonly [string, RegExp])[] = [
  ['logging', /\/src\/logging\/|node_modules\/(winston|logform|winston-transport|triple-beam|safe-stable-stringify|@colors|colorspace|fecha|one-time|@dabh)\//],
  ['records (db)', /\/src\/db\/|node_modules\/(sequelize|sqlite3|mysql2|lodash|moment|moment-timezone|dottie|wkx|inflection|retry-as-promised|umzug|toposort-class|validator)\//],
  ['sip parse/validate', /\/src\/sip\/(sip-parser|request-validator)\.ts/],
  ['sip package (stringify/parseUri)', /node_modules\/sip\//],
  ['sip transport', /\/src\/sip\/(sip-transport|udp-transport|tcp-transport|stream-framer)\.ts/],
  ['sip transactions/timers', /\/src\/sip\/(server-transaction|server-transaction-layer|invite-ok-retransmitter|client-transaction-layer|non-invite-client-transaction|invite-client-transaction|invite-admission|admission-controller|shed-memory)\.ts/],
  ['sip messages', /\/src\/sip\/sip-message\.ts/],
  ['sip dialog/leg/engine', /\/src\/sip\//],
  ['media', /\/src\/media\/|node_modules\/sdp-transform\//],
  ['ivr', /\/src\/ivr\//],
  ['call session', /\/src\/calls\//],
  ['acd', /\/src\/acd\//],
  ['metrics', /\/src\/metrics\/|\/src\/api\/.*telemetry|node_modules\/prom-client\//],
  ['http/api', /\/src\/api\/|\/src\/ws\/|node_modules\/(express|ws|router|body-parser)\//],
  ['shared', /\/src\/shared\//],
  ['other app code', /\/src\//],
  ['loader (tsx/esbuild)', /node_modules\/(tsx|esbuild|get-tsconfig)\//],
  ['other packages', /node_modules\//],
];

function areaOfUrl(url: string): string | undefined {
  for (const [name, re] of AREAS) if (re.test(url)) return name;
  return undefined;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self ms by area: a sample goes to the deepest frame of its stack that is ours or a known package. */
  areas: [string, number][];
  /** Self ms by function (name, file:line). */
  top: { name: string; where: string; selfMs: number; totalMs: number }[];
}

export function summarizeProfile(profile: CpuProfile, topN: number): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const delta = profile.timeDeltas[i + 1] ?? 0;
    if (id === undefined) continue;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, delta));
  }
  const areaUs = new Map<string, number>();
  const fnSelf = new Map<string, number>();
  const fnTotal = new Map<string, number>();
  const keyOf = (f: CallFrame): string => `${f.functionName || '(anonymous)'}\t${shortUrl(f.url)}:${f.lineNumber + 1}`;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    totalUs += us;
    const leaf = byId.get(id);
    if (!leaf) continue;
    fnSelf.set(keyOf(leaf.callFrame), (fnSelf.get(keyOf(leaf.callFrame)) ?? 0) + us);
    let area: string | undefined;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (!frame) break;
      area ??= areaOfUrl(frame.url);
      const key = keyOf(frame);
      if (!seen.has(key)) {
        seen.add(key);
        fnTotal.set(key, (fnTotal.get(key) ?? 0) + us);
      }
    }
    const leafName = leaf.callFrame.functionName;
    if (area === undefined) {
      if (leafName === '(garbage collector)' || leafName === '(idle)' || leafName === '(program)') area = leafName;
      else if (leaf.callFrame.url.startsWith('node:')) area = 'node internals (no app frame)';
      else area = leafName === '' ? '(native, no app frame)' : `(native) ${leafName}`;
    }
    areaUs.set(area, (areaUs.get(area) ?? 0) + us);
  }
  const top = [...fnSelf]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([key, us]) => {
      const [name = '', where = ''] = key.split('\t');
      return { name, where, selfMs: us / 1000, totalMs: (fnTotal.get(key) ?? us) / 1000 };
    });
  return {
    totalMs: totalUs / 1000,
    areas: [...areaUs].map(([a, us]): [string, number] => [a, us / 1000]).sort((a, b) => b[1] - a[1]),
    top,
  };
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

export function printSummary(label: string, summary: ProfileSummary, busyMs?: number): void {
  const busy = busyMs ?? summary.totalMs - (summary.areas.find(([a]) => a === '(idle)')?.[1] ?? 0);
  const pct = (ms: number): string => `${((ms / busy) * 100).toFixed(1)} %`;
  console.log(`\n### ${label}: ${(summary.totalMs / 1000).toFixed(1)} s profiled, ${(busy / 1000).toFixed(1)} s busy (not idle)`);
  console.log('\n| area (self time, % of busy) | ms | share |\n|---|---:|---:|');
  for (const [area, ms] of summary.areas) if (area !== '(idle)') console.log(`| ${area} | ${ms.toFixed(0)} | ${pct(ms)} |`);
  console.log('\n| function | where | self ms | self % | total ms |\n|---|---|---:|---:|---:|');
  for (const f of summary.top) {
    if (f.name === '(idle)') continue;
    console.log(`| ${f.name} | ${f.where} | ${f.selfMs.toFixed(0)} | ${pct(f.selfMs)} | ${f.totalMs.toFixed(0)} |`);
  }
}

/**
 * Where the time of functions named like `pattern` comes from: self time under each distinct chain of
 * the nearest few frames above the first matching frame (the matching function and what it calls included).
 */
export function callersOf(profile: CpuProfile, pattern: RegExp, depth: number, topN: number): { chain: string; ms: number }[] {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const chains = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const us = Math.max(0, profile.timeDeltas[i + 1] ?? 0);
    let cur = id;
    // The outermost matching frame of the stack, so recursion is counted once.
    let match: number | undefined;
    for (; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)?.callFrame;
      if (f && pattern.test(`${f.functionName} ${f.url}`)) match = cur;
    }
    if (match === undefined) continue;
    const names: string[] = [];
    for (let up: number | undefined = match; up !== undefined && names.length < depth; up = parent.get(up)) {
      const f = byId.get(up)?.callFrame;
      if (!f || f.functionName === '(root)') break;
      names.push(`${f.functionName || '(anon)'}@${shortUrl(f.url).replace(/^.*\//, '')}:${f.lineNumber + 1}`);
    }
    const chain = names.join(' ← ');
    chains.set(chain, (chains.get(chain) ?? 0) + us);
  }
  return [...chains].sort((a, b) => b[1] - a[1]).slice(0, topN).map(([chain, us]) => ({ chain, ms: us / 1000 }));
}

function readProfile(file: string): CpuProfile {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isCpuProfile(parsed)) throw new Error(`${file}: not a .cpuprofile (no nodes/samples/timeDeltas)`);
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// in-process micro benchmark of the SIP messages of one call

const SDP = ['v=0', 'o=bench 53655765 2353687637 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 6000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000', 'a=ptime:20', 'a=sendrecv', ''].join('\r\n');

/** The three requests of one sipp uac-load call (INVITE, ACK, BYE), as sipp writes them. */
function callMessages(n: number, toTag: string): Buffer[] {
  const common = (method: string, seq: number, tag: string): string =>
    `Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-${n}-${seq}-${method}\r\n` +
    `From: "bench" <sip:bench@127.0.0.1:5061>;tag=4242SIPpTag00${n}\r\n` +
    `To: <sip:12345@127.0.0.1:5060>${tag}\r\n` +
    `Call-ID: ${n}-4242@127.0.0.1\r\nCSeq: ${seq} ${method}\r\n` +
    'Contact: <sip:bench@127.0.0.1:5061;transport=UDP>\r\nMax-Forwards: 70\r\n';
  const invite = `INVITE sip:12345@127.0.0.1:5060 SIP/2.0\r\n${common('INVITE', 1, '')}User-Agent: sipp-bench\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`;
  const ack = `ACK sip:12345@127.0.0.1:5060 SIP/2.0\r\n${common('ACK', 1, `;tag=${toTag}`)}Content-Length: 0\r\n\r\n`;
  const bye = `BYE sip:12345@127.0.0.1:5060 SIP/2.0\r\n${common('BYE', 2, `;tag=${toTag}`)}Content-Length: 0\r\n\r\n`;
  return [invite, ack, bye].map((m) => Buffer.from(m, 'latin1'));
}

/**
 * CPU µs per call of the SIP message work alone: the INVITE, ACK and BYE validated, 100 / 200 (with
 * SDP) / 200 to BYE built and serialised, and the info lines a call logs written to a logger at warn
 * (which must cost nothing). No network, no media, no database.
 */
async function micro(calls: number): Promise<void> {
  // Imported here, so the load steps also run from a checkout that predates these modules (before/after runs).
  const { createLogger } = await import('../src/logging/logger.js');
  const { validateMessage } = await import('../src/sip/request-validator.js');
  const { buildResponse, newTag } = await import('../src/sip/sip-message.js');
  const { serializeSipMessage } = await import('../src/sip/sip-serializer.js');
  const source = { transport: 'udp', address: '127.0.0.1', port: 5061 } as const;
  const logger = createLogger('warn');
  const child = logger.child({ component: 'sip' });
  let bytes = 0;
  let count = 0;
  const one = (n: number): void => {
    count++;
    const toTag = newTag();
    const [invite, ack, bye] = callMessages(n, toTag);
    if (!invite || !ack || !bye) throw new Error('no messages');
    const inv = validateMessage(invite, source);
    if (inv.kind !== 'request') throw new Error(`INVITE: ${inv.kind}`);
    const leg = child.child({ callId: inv.request.callId });
    leg.info('sip: inbound call', { from: 'bench', to: '12345', transport: 'udp' });
    bytes += Buffer.from(serializeSipMessage(buildResponse(inv.request, 100, 'Trying')), 'latin1').length;
    const ok = buildResponse(inv.request, 200, 'OK', {
      toTag,
      headers: { contact: '<sip:12345@127.0.0.1:5060>', allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO', supported: 'replaces', 'content-type': 'application/sdp' },
      body: SDP,
    });
    bytes += Buffer.from(serializeSipMessage(ok), 'latin1').length;
    const a = validateMessage(ack, source);
    if (a.kind !== 'request') throw new Error(`ACK: ${a.kind}`);
    const b = validateMessage(bye, source);
    if (b.kind !== 'request') throw new Error(`BYE: ${b.kind}`);
    bytes += Buffer.from(serializeSipMessage(buildResponse(b.request, 200, 'OK')), 'latin1').length;
    leg.info('sip: leg ended', { reason: 'hangup', by: 'remote', sipStatus: undefined });
    leg.debug('sip: event ignored by server transaction', { method: 'BYE', state: 'completed', event: 'ACK' });
  };
  for (let i = 0; i < Math.min(calls, 20_000); i++) one(i);
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < calls; i++) one(i);
    const used = process.cpuUsage(cpu);
    rounds.push((used.user + used.system) / calls);
  }
  rounds.sort((x, y) => x - y);
  console.log(`SIP messages of one call (INVITE/100/200/ACK/BYE/200 + 3 log calls at a disabled level): CPU µs per call over ${calls} calls ×5: min ${fmt(rounds[0], 2)}, median ${fmt(rounds[2], 2)}, max ${fmt(rounds[4], 2)} (${Math.round(bytes / count)} bytes written per call)`);
}

// ---------------------------------------------------------------------------------------------
// load steps

interface StepResult {
  rate: number;
  calls: number;
  successful: number;
  failed: number;
  shed503: number;
  retransmissions: number;
  p50?: number | undefined;
  p99?: number | undefined;
  max?: number | undefined;
  cpuS: number;
  idleCpuPerS: number;
  cpuMsPerCall: number;
  profile?: string | undefined;
}

/**
 * Node 20 refuses `--cpu-prof` in NODE_OPTIONS, and the server is started by the test harness: a
 * module preloaded with `--import` runs the V8 profiler through node:inspector instead and writes
 * `<dir>/main.cpuprofile`. It profiles between two SIGUSR2 (sent around the load), so start-up and
 * module loading stay out of the profile.
 */
function writePreload(dir: string): string {
  const file = path.join(dir, 'cpu-prof-preload.mjs');
  writeFileSync(
    file,
    [
      "import { Session } from 'node:inspector';",
      "import { writeFileSync } from 'node:fs';",
      "import { isMainThread } from 'node:worker_threads';",
      'if (isMainThread) {',
      '  const session = new Session();',
      '  session.connect();',
      "  session.post('Profiler.enable');",
      "  session.post('Profiler.setSamplingInterval', { interval: 1000 });",
      '  let running = false;',
      "  process.on('SIGUSR2', () => {",
      '    if (!running) {',
      "      session.post('Profiler.start');",
      '      running = true;',
      '      return;',
      '    }',
      '    running = false;',
      "    session.post('Profiler.stop', (err, result) => {",
      `      if (!err) writeFileSync(${JSON.stringify(path.join(dir, 'main.cpuprofile'))}, JSON.stringify(result.profile));`,
      '    });',
      '  });',
      '}',
      '',
    ].join('\n'),
  );
  return file;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100;
}

function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

function rttValues(dir: string): number[] {
  const values: number[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('_rtt.csv'))) {
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      const [, time, no] = line.trim().split(';');
      if (no === '1' && time !== undefined && Number.isFinite(Number(time))) values.push(Number(time));
    }
  }
  return values;
}

async function shedTotal(server: ServerHandle): Promise<number> {
  try {
    const res = await fetch(`${server.baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    let sum = 0;
    for (const m of text.matchAll(/^hotline_sip_shed_total\{[^}]*\}\s+(\S+)/gm)) sum += Number(m[1]);
    return sum;
  } catch {
    return NaN;
  }
}

async function runStep(rate: number, opts: { seconds: number; holdMs: number; lagMs: number; maxCps: number; profDir?: string | undefined }): Promise<StepResult> {
  const calls = rate * opts.seconds;
  const stepProf = opts.profDir === undefined ? undefined : mkdtempSync(path.join(opts.profDir, `r${rate}-`));
  const env: Record<string, string> = {
    LOG_LEVEL: 'warn',
    SIP_OVERLOAD_LAG_MS: String(opts.lagMs),
    SIP_MAX_CALLS_PER_S: String(opts.maxCps),
  };
  if (stepProf !== undefined) env.NODE_OPTIONS = `--import=${writePreload(stepProf)}`;
  const server = await startServer(env, { rtpPorts: RTP_PORTS, readyTimeoutMs: 60_000 });
  let result: StepResult;
  try {
    await sleep(1000);
    const idle0 = cpuSeconds(server.pid);
    await sleep(3000);
    const idleCpuPerS = (cpuSeconds(server.pid) - idle0) / 3;
    const shedBefore = await shedTotal(server);
    if (stepProf !== undefined) process.kill(server.pid ?? 0, 'SIGUSR2');
    const cpu0 = cpuSeconds(server.pid);
    const t0 = Date.now();
    const sipp = await startSipp({
      scenario: SCENARIO,
      target: `127.0.0.1:${server.sipPort}`,
      calls,
      rate,
      concurrency: Math.ceil(rate * (opts.holdMs / 1000 + 3) * 2),
      pauseMs: opts.holdMs,
      timeoutS: Math.ceil(opts.seconds + opts.holdMs / 1000 + 30),
      extraArgs: ['-trace_rtt', '-rtt_freq', '1', '-recv_timeout', '10000'],
    });
    const done = await sipp.done;
    // Let the last BYEs and call records finish before reading the CPU.
    await sleep(2000);
    const wallS = (Date.now() - t0) / 1000;
    const cpuS = cpuSeconds(server.pid) - cpu0;
    if (stepProf !== undefined) {
      process.kill(server.pid ?? 0, 'SIGUSR2');
      await sleep(1000);
    }
    const shed503 = (await shedTotal(server)) - shedBefore;
    const rtt = rttValues(done.dir);
    const successful = done.stats?.successful ?? NaN;
    const answered = successful + (done.stats?.failed ?? 0) - shed503;
    result = {
      rate,
      calls,
      successful,
      failed: done.stats?.failed ?? NaN,
      shed503,
      retransmissions: done.stats?.retransmissions ?? NaN,
      p50: percentile(rtt, 50),
      p99: percentile(rtt, 99),
      max: percentile(rtt, 100),
      cpuS,
      idleCpuPerS,
      cpuMsPerCall: ((cpuS - idleCpuPerS * wallS) / Math.max(1, answered)) * 1000,
    };
    if (done.exitCode === 0) rmSync(done.dir, { recursive: true, force: true });
    else console.error(`[profile] rate ${rate}: sipp exit ${String(done.exitCode)}, files in ${done.dir}\n${done.errors.split('\n').slice(0, 5).join('\n')}`);
  } finally {
    await server.stop('SIGTERM');
  }
  if (stepProf !== undefined) {
    const file = path.join(stepProf, 'main.cpuprofile');
    result.profile = existsSync(file) ? file : undefined;
  }
  return result;
}

function fmt(n: number | undefined, digits = 1): string {
  return n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rates: { type: 'string', default: '200,400' },
      seconds: { type: 'string', default: '20' },
      'hold-ms': { type: 'string', default: '1000' },
      repeat: { type: 'string', default: '1' },
      'lag-ms': { type: 'string', default: '0' },
      'max-cps': { type: 'string', default: '100000' },
      'cpu-prof': { type: 'boolean', default: false },
      out: { type: 'string' },
      top: { type: 'string', default: '30' },
      'stop-on-fail': { type: 'boolean', default: false },
      summarize: { type: 'string' },
      callers: { type: 'string' },
      micro: { type: 'string' },
      depth: { type: 'string', default: '8' },
    },
  });
  const top = Number(values.top);
  if (values.micro !== undefined) {
    await micro(Number(values.micro));
    return;
  }
  if (values.summarize !== undefined) {
    const profile = readProfile(values.summarize);
    if (values.callers !== undefined) {
      for (const c of callersOf(profile, new RegExp(values.callers), Number(values.depth), top)) console.log(`${c.ms.toFixed(0).padStart(6)} ms  ${c.chain}`);
      return;
    }
    printSummary(path.basename(values.summarize), summarizeProfile(profile, top));
    return;
  }
  const rates = values.rates.split(',').map(Number);
  if (rates.some((r) => !Number.isInteger(r) || r <= 0)) throw new Error(`--rates: positive integers, got ${values.rates}`);
  const opts = {
    seconds: Number(values.seconds),
    holdMs: Number(values['hold-ms']),
    lagMs: Number(values['lag-ms']),
    maxCps: Number(values['max-cps']),
    profDir: values['cpu-prof'] ? (values.out ?? mkdtempSync(path.join(tmpdir(), 'profile-setup-'))) : undefined,
  };
  if (opts.profDir !== undefined) mkdirSync(opts.profDir, { recursive: true });
  const results: StepResult[] = [];
  for (let run = 1; run <= Number(values.repeat); run++) {
    for (const rate of rates) {
      console.error(`[profile ${new Date().toISOString().slice(11, 19)}] run ${run}, ${rate} calls/s for ${opts.seconds} s`);
      const r = await runStep(rate, opts);
      results.push(r);
      console.error(`[profile] ${JSON.stringify(r)}`);
      if (r.profile !== undefined) printSummary(`${rate} calls/s (run ${run})`, summarizeProfile(readProfile(r.profile), top));
      if (values['stop-on-fail'] && r.failed > 0) break;
    }
  }
  console.log(`\nconditions: ${opts.seconds} s per step, hold ${opts.holdMs} ms, SIP_OVERLOAD_LAG_MS=${opts.lagMs}, SIP_MAX_CALLS_PER_S=${opts.maxCps}, LOG_LEVEL=warn, SQLite, sipp on the same host${opts.profDir ? ', under --cpu-prof' : ''}`);
  console.log('\n| calls/s | calls | ok | failed | 503 | retrans | p50 ms | p99 ms | max ms | CPU s | idle CPU/s | CPU ms/call |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.rate} | ${r.calls} | ${r.successful} | ${r.failed} | ${r.shed503} | ${r.retransmissions} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${fmt(r.cpuS, 2)} | ${fmt(r.idleCpuPerS, 3)} | ${fmt(r.cpuMsPerCall, 2)} |`);
  }
  if (opts.profDir !== undefined) console.log(`\nprofiles under ${opts.profDir}`);
}

await main();

/**
 * `npm run soak [-- --minutes 30 --db mariadb]`: the hotline under a steady load for a long time, with
 * an attacker beside it, measured from outside and from the server's own gauges.
 *
 * Load (defaults): 16 IVR calls/s (sipp streams 7 s of speech, stays 12 s in the IVR, hangs up) and
 * 4 queue calls/s (press 0, stream speech, wait for an agent) = 20 calls/s; 50 agents registered with
 * digest by one UDP UAS (scripts/bench/agent-uas.ts: answers after 50 ms, hangs up after 6 s), their
 * desktops on /ws/agent, wrap-up 1 s; MariaDB (or SQLite with --db sqlite).
 * Attacker (scripts/soak/fuzz-traffic.ts): malformed and oversized SIP datagrams, INVITEs that never
 * ACK and whose SDP names a victim address, forged RTP into the RTP range, idle TCP connections.
 *
 * Measured: RSS and open descriptors of the server (/proc) every 10 s, active calls and any record
 * backlog from /metrics, the victim's received bytes, the server's error/warn lines (whole log file),
 * and at the end every sipp call against the `calls` table (one row each, none left open).
 * Printed as Markdown and written to docs/soak-results.md. Exit 0 when the run completed and held
 * (flat RSS/fds, no error line, every call recorded and closed), 1 otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { openDatabase } from '../src/db/database.js';
import { createMysqlDatabase, dropMysqlDatabase } from '../src/db/mysql-admin.js';
import { silentLogger } from '../src/logging/logger.js';
import { freePort, freePortRange } from '../test/support/ports.js';
import { startSipp, type SippProcess, type SippResult } from '../test/support/sipp.js';
import { AgentUas } from './bench/agent-uas.js';
import { BENCH_ADMIN } from './bench/api.js';
import { FuzzTraffic } from './soak/fuzz-traffic.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(here, '..');
const RESULTS_FILE = path.join(REPO_ROOT, 'docs', 'soak-results.md');
const REALM = 'hotline12345';
const MARIADB_SERVER = 'mysql://root@127.0.0.1:3306';
const RTP_PORTS = 2000;
const IVR_PREFIX = '1380000';
const QUEUE_PREFIX = '1390000';

interface Options {
  minutes: number;
  db: 'sqlite' | 'mariadb';
  ivrRate: number;
  queueRate: number;
  agents: number;
  fuzz: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { minutes: 30, db: 'mariadb', ivrRate: 16, queueRate: 4, agents: 50, fuzz: true };
  for (let i = 0; i < argv.length; i += 1) {
    const name = argv[i];
    const value = argv[i + 1];
    const num = (): number => {
      const n = Number(value);
      if (value === undefined || !Number.isFinite(n) || n <= 0) throw new Error(`${String(name)} needs a positive number, got ${String(value)}`);
      i += 1;
      return n;
    };
    switch (name) {
      case '--minutes': options.minutes = num(); break;
      case '--ivr-rate': options.ivrRate = num(); break;
      case '--queue-rate': options.queueRate = num(); break;
      case '--agents': options.agents = Math.round(num()); break;
      case '--no-fuzz': options.fuzz = false; break;
      case '--db':
        if (value !== 'sqlite' && value !== 'mariadb') throw new Error(`--db is sqlite or mariadb, got ${String(value)}`);
        options.db = value;
        i += 1;
        break;
      default:
        throw new Error(`unknown argument ${String(name)} (known: --minutes, --db, --ivr-rate, --queue-rate, --agents, --no-fuzz)`);
    }
  }
  return options;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const log = (m: string): void => { console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${m}`); };

interface Sample {
  atS: number;
  rssMiB: number;
  /** V8 heap in use (nodejs_heap_size_used_bytes): swings with GC; its floor is what a leak raises. */
  heapUsedMiB: number | undefined;
  /** V8 heap reserved from the system (nodejs_heap_size_total_bytes): what of RSS the collector holds. */
  heapTotalMiB: number | undefined;
  /** Memory of Buffers/ArrayBuffers outside the V8 heap (nodejs_external_memory_bytes). */
  externalMiB: number | undefined;
  fds: number;
  activeCalls: number | undefined;
  backlog: number | undefined;
  victimBytes: number;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb === undefined ? NaN : Number(kb) / 1024;
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${String(pid)}/fd`).length;
}

function gauge(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const v = Number(line.split(' ').at(-1));
    if (Number.isFinite(v)) sum = (sum ?? 0) + v;
  }
  return sum;
}

async function fetchJson(url: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const body = (await res.json());
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} → ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

async function post(url: string, body: unknown, token?: string): Promise<unknown> {
  return fetchJson(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
}

function tokenOf(body: unknown): string {
  const token = (body as { token?: unknown }).token;
  if (typeof token !== 'string') throw new Error('login answered no token');
  return token;
}

interface Server {
  child: ChildProcess;
  pid: number;
  sipPort: number;
  httpPort: number;
  rtpMin: number;
  logFile: string;
}

async function startSoakServer(dir: string, databaseUrl: string): Promise<Server> {
  const sipPort = await freePort('both');
  const httpPort = await freePort('tcp');
  const rtpMin = await freePortRange(RTP_PORTS);
  const logFile = path.join(dir, 'server.log');
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      SIP_LISTEN: '127.0.0.1',
      SIP_PUBLIC_ADDRESS: '127.0.0.1',
      HTTP_LISTEN: '127.0.0.1',
      LOG_LEVEL: 'info',
      ADMIN_USER: BENCH_ADMIN.username,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
      QUEUES_FILE: path.join(here, 'soak', 'soak-queues.yaml'),
      IVR_FLOW: path.join(here, 'soak', 'soak-flow.yaml'),
      SIP_REALM: REALM,
      RECORDINGS_DIR: path.join(dir, 'recordings'),
      SIP_PORT: String(sipPort),
      HTTP_PORT: String(httpPort),
      RTP_PORT_MIN: String(rtpMin),
      RTP_PORT_MAX: String(rtpMin + RTP_PORTS - 1),
      DATABASE_URL: databaseUrl,
    },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error('the server did not start');
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${String(child.exitCode)}; see ${logFile}`);
    try {
      const res = await fetch(`http://127.0.0.1:${String(httpPort)}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`the server was not healthy within 60 s; see ${logFile}`);
    await sleep(250);
  }
  return { child, pid: child.pid, sipPort, httpPort, rtpMin, logFile };
}

interface Desk {
  extension: string;
  password: string;
  ws: WebSocket;
  closed: number;
}

async function connectDesk(httpPort: number, token: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${String(httpPort)}/ws/agent?token=${encodeURIComponent(token)}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => { resolve(); });
    ws.once('error', reject);
  });
  return ws;
}

interface RecordCheck {
  ivrRows: number;
  queueRows: number;
  open: number;
  withoutEnd: string[];
}

async function checkRecords(databaseUrl: string): Promise<RecordCheck> {
  const db = await openDatabase(databaseUrl, silentLogger());
  try {
    const [rows] = await db.sequelize.query(
      `SELECT SUM(CASE WHEN from_number LIKE '${IVR_PREFIX}%' THEN 1 ELSE 0 END) AS ivr,
              SUM(CASE WHEN from_number LIKE '${QUEUE_PREFIX}%' THEN 1 ELSE 0 END) AS queue,
              SUM(CASE WHEN ended_at IS NULL THEN 1 ELSE 0 END) AS open_rows
         FROM calls`,
    );
    const row = (rows as Record<string, unknown>[])[0] ?? {};
    const [openRows] = await db.sequelize.query('SELECT call_id FROM calls WHERE ended_at IS NULL LIMIT 5');
    return {
      ivrRows: Number(row.ivr ?? 0),
      queueRows: Number(row.queue ?? 0),
      open: Number(row.open_rows ?? 0),
      withoutEnd: (openRows as { call_id: string }[]).map((r) => r.call_id),
    };
  } finally {
    await db.close();
  }
}

function sippLine(name: string, r: SippResult): string {
  const s = r.stats;
  return `${name}: exit ${String(r.exitCode)}, created ${String(s?.created ?? '?')}, successful ${String(s?.successful ?? '?')}, failed ${String(s?.failed ?? '?')}` +
    (s === undefined ? '' : ` (recv timeouts ${String(s.failedTimeoutOnRecv)}, unexpected ${String(s.failedUnexpectedMessage)}, max retrans ${String(s.failedMaxUdpRetrans)})`);
}

function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const runS = Math.round(options.minutes * 60);
  const started = Date.now();
  const dir = path.join(os.tmpdir(), `soak-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let databaseUrl: string;
  let dropDb = async (): Promise<void> => {};
  if (options.db === 'mariadb') {
    const name = `soak_${randomBytes(4).toString('hex')}`;
    databaseUrl = await createMysqlDatabase(MARIADB_SERVER, name);
    dropDb = () => dropMysqlDatabase(MARIADB_SERVER, name);
  } else {
    databaseUrl = `sqlite:${path.join(dir, 'soak.sqlite')}`;
  }
  log(`run ${String(runS)} s on ${options.db}, logs in ${dir}`);
  const server = await startSoakServer(dir, databaseUrl);
  const api = `http://127.0.0.1:${String(server.httpPort)}/api/v1`;
  const admin = tokenOf(await post(`${api}/auth/login`, BENCH_ADMIN));
  const uas = new AgentUas({ serverPort: server.sipPort, realm: REALM, answerDelayMs: 50, talkMs: 6000 });
  await uas.start();
  const desks: Desk[] = [];
  const samples: Sample[] = [];
  const problems: string[] = [];
  const fuzz = new FuzzTraffic({ sipPort: server.sipPort, rtpMin: server.rtpMin, rtpMax: server.rtpMin + RTP_PORTS - 1 });
  let sippIvr: SippProcess | undefined;
  let sippQueue: SippProcess | undefined;
  let resultIvr: SippResult | undefined;
  let resultQueue: SippResult | undefined;
  let records: RecordCheck | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let reRegister: NodeJS.Timeout | undefined;
  try {
    log(`creating, registering and connecting ${String(options.agents)} agents`);
    for (let i = 0; i < options.agents; i += 1) {
      const extension = String(7001 + i);
      const password = `agent-${randomBytes(6).toString('hex')}`;
      await post(`${api}/agents`, { username: `soak${extension}`, password, extension, skills: ['soak'], sipPassword: password }, admin);
      await uas.register(extension, password);
      const token = tokenOf(await post(`${api}/auth/login`, { username: `soak${extension}`, password }));
      const ws = await connectDesk(server.httpPort, token);
      const desk: Desk = { extension, password, ws, closed: 0 };
      ws.on('close', (code) => {
        desk.closed += 1;
        problems.push(`desktop ${extension} closed (${String(code)})`);
      });
      ws.send(JSON.stringify({ type: 'ready' }));
      desks.push(desk);
    }
    reRegister = setInterval(() => {
      void (async () => {
        for (const d of desks) {
          await uas.register(d.extension, d.password).catch((err: unknown) => {
            problems.push(`re-REGISTER ${d.extension}: ${err instanceof Error ? err.message : String(err)}`);
          });
        }
      })();
    }, 300_000);

    const sample = async (): Promise<void> => {
      let metrics = '';
      try {
        metrics = await (await fetch(`http://127.0.0.1:${String(server.httpPort)}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      } catch (err) {
        problems.push(`/metrics at ${String(Math.round((Date.now() - started) / 1000))} s: ${err instanceof Error ? err.message : String(err)}`);
      }
      samples.push({
        atS: Math.round((Date.now() - started) / 1000),
        rssMiB: rssMiB(server.pid),
        heapUsedMiB: ((h) => (h === undefined ? undefined : h / 1048576))(gauge(metrics, 'nodejs_heap_size_used_bytes')),
        heapTotalMiB: ((h) => (h === undefined ? undefined : h / 1048576))(gauge(metrics, 'nodejs_heap_size_total_bytes')),
        externalMiB: ((h) => (h === undefined ? undefined : h / 1048576))(gauge(metrics, 'nodejs_external_memory_bytes')),
        fds: openFds(server.pid),
        activeCalls: gauge(metrics, 'hotline_active_calls'),
        backlog: gauge(metrics, 'hotline_record_backlog'),
        victimBytes: fuzz.victimBytes,
      });
    };
    await sample();
    sampler = setInterval(() => { void sample(); }, 10_000);

    log(`load: ${String(options.ivrRate)} IVR + ${String(options.queueRate)} queue calls/s for ${String(runS)} s${options.fuzz ? ', fuzzer on' : ''}`);
    const common = { target: `127.0.0.1:${String(server.sipPort)}`, timeoutS: runS + 180, extraArgs: ['-recv_timeout', '90000'] };
    sippIvr = await startSipp({
      ...common,
      scenario: path.join(here, 'soak', 'uac-soak-ivr.xml'),
      calls: Math.round(options.ivrRate * runS),
      rate: options.ivrRate,
      concurrency: Math.ceil(options.ivrRate * 40),
      pauseMs: 12_000,
      keys: { prefix: IVR_PREFIX },
      mediaPort: await freePort('udp'),
    });
    sippQueue = await startSipp({
      ...common,
      scenario: path.join(here, 'soak', 'uac-soak-queue.xml'),
      calls: Math.round(options.queueRate * runS),
      rate: options.queueRate,
      concurrency: Math.ceil(options.queueRate * 60),
      keys: { prefix: QUEUE_PREFIX },
      mediaPort: await freePort('udp'),
    });
    if (options.fuzz) fuzz.start();
    [resultIvr, resultQueue] = await Promise.all([sippIvr.done, sippQueue.done]);
    fuzz.stop();
    log('load done; waiting for the calls to end and the records to be written');
    const drainDeadline = Date.now() + 120_000;
    for (;;) {
      await sample();
      const last = samples.at(-1);
      if (last !== undefined && last.activeCalls === 0 && (last.backlog ?? 0) === 0) break;
      if (Date.now() > drainDeadline) {
        problems.push(`calls/backlog did not drain within 120 s (active ${String(last?.activeCalls)}, backlog ${String(last?.backlog)})`);
        break;
      }
      await sleep(2000);
    }
    await sleep(3000);
    records = await checkRecords(databaseUrl);
  } catch (err) {
    problems.push(`the soak could not complete: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  } finally {
    fuzz.stop();
    if (sampler !== undefined) clearInterval(sampler);
    if (reRegister !== undefined) clearInterval(reRegister);
    for (const d of desks) d.ws.removeAllListeners('close').terminate();
    uas.close();
    await sippIvr?.stop();
    await sippQueue?.stop();
    server.child.kill('SIGTERM');
    await new Promise((resolve) => { server.child.once('exit', resolve); setTimeout(resolve, 15_000); });
    await dropDb().catch(() => undefined);
  }

  // ---- evaluate
  const logText = readFileSync(server.logFile, 'utf8');
  const lines = logText.split('\n').filter((l) => l.length > 0);
  const errorLines = lines.filter((l) => l.includes('"level":"error"'));
  const warnCounts = new Map<string, number>();
  for (const l of lines) {
    if (!l.includes('"level":"warn"')) continue;
    const msg = /"message":"([^"]{0,80})/.exec(l)?.[1] ?? l.slice(0, 80);
    warnCounts.set(msg, (warnCounts.get(msg) ?? 0) + 1);
  }
  const warmS = Math.min(300, runS / 4);
  const steady = samples.filter((s) => s.atS >= warmS && s.atS <= runS + 60);
  const third = Math.max(1, Math.floor(steady.length / 3));
  const earlyRss = mean(steady.slice(0, third).map((s) => s.rssMiB));
  const lateRss = mean(steady.slice(-third).map((s) => s.rssMiB));
  const heapFloor = (part: Sample[]): number => Math.min(...part.map((s) => s.heapUsedMiB ?? Infinity));
  const earlyHeap = heapFloor(steady.slice(0, third));
  const lateHeap = heapFloor(steady.slice(-third));
  // Where RSS goes: the V8 heap the collector reserved, external (Buffer) memory, and the rest (native:
  // malloc arenas of libuv/sqlite/zlib, code, stacks), each averaged over the early and late third.
  const part = (pick: (s: Sample) => number | undefined, slice: Sample[]): number => mean(slice.map(pick).filter((x): x is number => x !== undefined));
  const early = steady.slice(0, third);
  const late = steady.slice(-third);
  const native = (s: Sample): number | undefined => (s.heapTotalMiB === undefined || s.externalMiB === undefined ? undefined : s.rssMiB - s.heapTotalMiB - s.externalMiB);
  const breakdown = {
    heapTotal: [part((s) => s.heapTotalMiB, early), part((s) => s.heapTotalMiB, late)],
    external: [part((s) => s.externalMiB, early), part((s) => s.externalMiB, late)],
    native: [part(native, early), part(native, late)],
  };
  const earlyFds = mean(steady.slice(0, third).map((s) => s.fds));
  const lateFds = mean(steady.slice(-third).map((s) => s.fds));
  const first = samples[0];
  const last = samples.at(-1);
  const maxRss = Math.max(...samples.map((s) => s.rssMiB));
  const maxFds = Math.max(...samples.map((s) => s.fds));
  const maxActive = Math.max(...samples.map((s) => s.activeCalls ?? 0));
  const maxBacklog = Math.max(...samples.map((s) => s.backlog ?? 0));
  const rssGrowth = lateRss - earlyRss;
  const fdGrowth = lateFds - earlyFds;
  // Flat: the late third of the steady phase within 10 % (RSS) / 5 % + 10 (fds) of the early third, and
  // the heap's floor (its lowest sample, just after a major GC) within 20 % + 16 MiB: RSS follows the
  // collector's high-water mark, so the floor is what tells a leak from a lazy GC.
  if (!(rssGrowth <= earlyRss * 0.1)) problems.push(`RSS grew ${rssGrowth.toFixed(1)} MiB (${earlyRss.toFixed(1)} → ${lateRss.toFixed(1)})`);
  if (Number.isFinite(earlyHeap) && !(lateHeap <= earlyHeap * 1.2 + 16)) problems.push(`heap floor grew ${earlyHeap.toFixed(1)} → ${lateHeap.toFixed(1)} MiB`);
  if (!(fdGrowth <= earlyFds * 0.05 + 10)) problems.push(`open descriptors grew ${fdGrowth.toFixed(0)} (${earlyFds.toFixed(0)} → ${lateFds.toFixed(0)})`);
  if (errorLines.length > 0) problems.push(`${String(errorLines.length)} error lines in the server log (first: ${errorLines[0]?.slice(0, 300) ?? ''})`);
  if (fuzz.victimBytes > 0) problems.push(`the victim address received ${String(fuzz.victimBytes)} bytes`);
  const ivrOk = resultIvr?.stats?.successful ?? 0;
  const queueOk = resultQueue?.stats?.successful ?? 0;
  const ivrCreated = resultIvr?.stats?.created ?? 0;
  const queueCreated = resultQueue?.stats?.created ?? 0;
  if (resultIvr !== undefined && resultIvr.exitCode !== 0) problems.push(sippLine('IVR callers', resultIvr));
  if (resultQueue !== undefined && resultQueue.exitCode !== 0) problems.push(sippLine('queue callers', resultQueue));
  if (records !== undefined) {
    if (records.ivrRows < ivrOk || records.ivrRows > ivrCreated) problems.push(`IVR call rows ${String(records.ivrRows)} for ${String(ivrOk)} successful / ${String(ivrCreated)} created calls`);
    if (records.queueRows < queueOk || records.queueRows > queueCreated) problems.push(`queue call rows ${String(records.queueRows)} for ${String(queueOk)} successful / ${String(queueCreated)} created calls`);
    if (records.open > 0) problems.push(`${String(records.open)} call rows left open (e.g. ${records.withoutEnd.join(', ')})`);
  } else {
    problems.push('the call records could not be checked');
  }

  const f = (n: number | undefined, d = 1): string => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(d));
  const commit = (() => {
    try {
      return readFileSync(path.join(REPO_ROOT, '.git', 'HEAD'), 'utf8').trim();
    } catch {
      return 'unknown';
    }
  })();
  const report = [
    `## Soak run ${new Date(started).toISOString()}`,
    '',
    `${String(options.minutes)} min of load on ${options.db}; machine ${String(os.cpus().length)} cores, Node ${process.version}; ${commit}.`,
    `Load: ${String(options.ivrRate)} IVR calls/s (12 s in the IVR, 7 s of PCMA speech streamed) + ${String(options.queueRate)} queue calls/s`,
    `(press 0, speech, an agent answers after 50 ms and hangs up after 6 s, wrap-up 1 s), ${String(options.agents)} agents;`,
    options.fuzz ? `fuzzer beside it: ${fuzz.summary()}.` : 'no fuzzer.',
    '',
    '| Measure | Result |',
    '|---|---|',
    `| ${sippLine('IVR callers (sipp)', resultIvr ?? ({ exitCode: null } as SippResult)).replace(/\|/g, '/')} | ${String(ivrOk)} ok |`,
    `| ${sippLine('Queue callers (sipp)', resultQueue ?? ({ exitCode: null } as SippResult)).replace(/\|/g, '/')} | ${String(queueOk)} ok |`,
    `| Call rows (IVR / queue), rows left open | ${String(records?.ivrRows ?? '–')} / ${String(records?.queueRows ?? '–')}, ${String(records?.open ?? '–')} open |`,
    `| RSS: start / steady early third / steady late third / max / end (MiB) | ${f(first?.rssMiB)} / ${f(earlyRss)} / ${f(lateRss)} / ${f(maxRss)} / ${f(last?.rssMiB)} |`,
    `| V8 heap in use, lowest sample (after GC): steady early third / late third (MiB) | ${f(earlyHeap)} / ${f(lateHeap)} |`,
    `| RSS by part, mean of the early / late third (MiB): V8 heap reserved · external (Buffers) · native rest | ${f(breakdown.heapTotal[0])} / ${f(breakdown.heapTotal[1])} · ${f(breakdown.external[0])} / ${f(breakdown.external[1])} · ${f(breakdown.native[0])} / ${f(breakdown.native[1])} |`,
    `| Open descriptors: start / early / late / max / end | ${f(first?.fds, 0)} / ${f(earlyFds, 0)} / ${f(lateFds, 0)} / ${f(maxFds, 0)} / ${f(last?.fds, 0)} |`,
    `| Max active calls, max record backlog | ${String(maxActive)}, ${String(maxBacklog)} |`,
    `| Bytes received by the victim address (SDP of never-ACKed INVITEs) | ${String(fuzz.victimBytes)} |`,
    `| Error lines / warn lines in the server log | ${String(errorLines.length)} / ${String([...warnCounts.values()].reduce((a, b) => a + b, 0))} |`,
    `| Desktop sockets closed during the run | ${String(desks.reduce((a, d) => a + d.closed, 0))} |`,
    '',
    `Warn lines by message: ${[...warnCounts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([m, n]) => `${m} ×${String(n)}`).join('; ') || 'none'}.`,
    '',
    problems.length === 0 ? '**Held**: RSS and descriptors flat, no error line, every call recorded and closed.' : `**Did not hold**:\n${problems.slice(0, 20).map((p) => `- ${p}`).join('\n')}`,
    '',
    `Samples (s: RSS / V8 heap reserved / external MiB / fds / active calls): ${samples.filter((_, i) => i % 6 === 0).map((s) => `${String(s.atS)}: ${f(s.rssMiB, 0)}/${f(s.heapTotalMiB, 0)}/${f(s.externalMiB, 0)}/${String(s.fds)}/${String(s.activeCalls ?? '–')}`).join(', ')}`,
    '',
  ].join('\n');
  console.log(`\n${report}`);
  writeFileSync(RESULTS_FILE, `# Soak results\n\nProduced by \`npm run soak\` (scripts/soak.ts); see the header of that file for what is measured.\n\n${report}`);
  log(`written to ${RESULTS_FILE}; server log ${server.logFile}`);
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => { process.exit(code); },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

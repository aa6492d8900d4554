/**
 * ACD phase of the benchmark: how long from "a caller enters the queue" or "an agent becomes ready"
 * to the agent's phone receiving the INVITE, with N agents and 2N callers.
 *
 * 1. A server with scripts/bench/acd-queues.yaml + acd-flow.yaml (menu 0 → queue `bench`, wrap-up
 *    600 s so agents leave it only when told), LOG_LEVEL=info (its 'caller queued' lines are read).
 * 2. N agents created with POST /api/v1/agents, registered with digest by one UDP UAS (agent-uas.ts),
 *    connected to /ws/agent, not ready.
 * 3. (b, 2N waiting) sipp places 2N callers (press 0, wait for the server's BYE); once all are
 *    queued, the agents send `ready` one after another: ready sent → INVITE at the UAS. The UAS
 *    answers after 50 ms and hangs up after a short talk: agents go to wrap-up, callers get BYE.
 * 4. (b, N waiting) each agent sends `end-wrap-up`: the N callers still waiting are offered.
 * 5. (a) agents end wrap-up with nobody waiting; sipp places N more callers: 'caller queued' log
 *    time → INVITE at the UAS.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { startServer, type ServerHandle } from '../../test/support/server-process.js';
import { startSipp } from '../../test/support/sipp.js';
import { AgentUas } from './agent-uas.js';
import { BENCH_ADMIN } from './api.js';
import { percentile } from './measure.js';
import { makeTempDir, removeTempDir } from './runtime.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REALM = 'hotline12345';

export interface LatencyStats {
  count: number;
  expected: number;
  p50: number | undefined;
  p99: number | undefined;
  max: number | undefined;
}

export interface AcdPhaseResult {
  agents: number;
  callers: number;
  ok: boolean;
  reason: string;
  /** Agent `ready` sent over /ws/agent → INVITE at the agent's phone, with 2N callers waiting. */
  readyToInvite?: LatencyStats;
  /** Agent `end-wrap-up` sent → INVITE, with N callers waiting. */
  wrapUpToInvite?: LatencyStats;
  /** Server's 'caller queued' log time → INVITE, agents ready and idle. */
  enqueueToInvite?: LatencyStats;
  wallS: number;
  warnLines: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function stats(values: number[], expected: number): LatencyStats {
  return { count: values.length, expected, p50: percentile(values, 50), p99: percentile(values, 99), max: percentile(values, 100) };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out (${timeoutMs} ms) waiting for ${what}`);
    await sleep(20);
  }
}

async function postJson(url: string, body: unknown, token?: string): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await res.json());
  if (!res.ok) throw new Error(`POST ${url} → ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

function tokenOf(body: unknown): string {
  const token = (body as { token?: unknown }).token;
  if (typeof token !== 'string') throw new Error('login answered no token');
  return token;
}

/** 'caller queued' lines of the ACD (they carry `caller`), as call id → epoch ms. */
function queuedTimes(logs: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of logs.split('\n')) {
    if (!line.includes('"caller queued"') || !line.includes('"caller"')) continue;
    try {
      const entry = JSON.parse(line) as { callId?: string; timestamp?: string };
      if (entry.callId !== undefined && entry.timestamp !== undefined) out.set(entry.callId, Date.parse(entry.timestamp));
    } catch {
      // not a JSON line
    }
  }
  return out;
}

interface Desk {
  extension: string;
  ws: WebSocket;
  states: string[];
}

export async function runAcdPhase(plan: { agents: number; rtpMin: number; rtpPorts: number; log: (m: string) => void }): Promise<AcdPhaseResult> {
  const started = Date.now();
  const agents = plan.agents;
  const callers = agents * 2;
  const base: AcdPhaseResult = { agents, callers, ok: false, reason: '', wallS: 0, warnLines: [] };
  let server: ServerHandle | undefined;
  let uas: AgentUas | undefined;
  const desks: Desk[] = [];
  let result: AcdPhaseResult = base;
  const recordingsDir = makeTempDir('bench-rec-');
  try {
    server = await startServer(
      {
        LOG_LEVEL: 'info',
        ADMIN_USER: BENCH_ADMIN.username,
        ADMIN_PASSWORD: BENCH_ADMIN.password,
        QUEUES_FILE: path.join(here, 'acd-queues.yaml'),
        IVR_FLOW: path.join(here, 'acd-flow.yaml'),
        SIP_REALM: REALM,
        RECORDINGS_DIR: recordingsDir,
        RTP_PORT_MIN: String(plan.rtpMin),
        RTP_PORT_MAX: String(plan.rtpMin + plan.rtpPorts - 1),
      },
      { rtpPorts: plan.rtpPorts },
    );
    const api = `${server.baseUrl}/api/v1`;
    const admin = tokenOf(await postJson(`${api}/auth/login`, BENCH_ADMIN));
    uas = new AgentUas({ serverPort: server.sipPort, realm: REALM, answerDelayMs: 50, talkMs: 1500 });
    await uas.start();
    plan.log(`acd: creating, registering and connecting ${agents} agents`);
    for (let i = 0; i < agents; i++) {
      const extension = String(7001 + i);
      const password = `agent-${randomBytes(6).toString('hex')}`;
      await postJson(`${api}/agents`, { username: `bench${extension}`, password, extension, skills: ['bench'], sipPassword: password }, admin);
      await uas.register(extension, password);
      const token = tokenOf(await postJson(`${api}/auth/login`, { username: `bench${extension}`, password }));
      const ws = new WebSocket(`ws://127.0.0.1:${server.httpPort}/ws/agent?token=${encodeURIComponent(token)}`);
      const desk: Desk = { extension, ws, states: [] };
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString('utf8')) as { type?: string; state?: string };
        if (frame.type === 'state' && frame.state !== undefined) desk.states.push(frame.state);
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => { resolve(); });
        ws.once('error', reject);
      });
      desks.push(desk);
    }

    // (b) 2N callers waiting, then agents become ready one by one.
    plan.log(`acd: ${callers} callers enter the queue`);
    const sipp1 = await startSipp({
      scenario: path.join(here, 'uac-queue.xml'),
      target: `127.0.0.1:${server.sipPort}`,
      calls: callers,
      rate: 50,
      concurrency: callers,
      pauseMs: 300,
      timeoutS: 150,
    });
    await until(() => queuedTimes(server?.logs() ?? '').size >= callers, 30_000, `${callers} callers queued`);
    const firstPid = sipp1.pid;
    const readySent = new Map<string, number>();
    const invitesBefore = uas.invites.length;
    for (const desk of desks) {
      readySent.set(desk.extension, Date.now());
      desk.ws.send(JSON.stringify({ type: 'ready' }));
      await sleep(20);
    }
    await until(() => (uas?.invites.length ?? 0) >= invitesBefore + agents, 20_000, `${agents} agent INVITEs after ready`);
    const readyLat = uas.invites.slice(invitesBefore, invitesBefore + agents).map((inv) => inv.at - (readySent.get(inv.extension) ?? NaN));

    // (b') N still waiting: every agent in wrap-up ends it.
    await until(() => desks.every((d) => d.states.at(-1) === 'wrap-up'), 20_000, 'every agent in wrap-up');
    const wrapSent = new Map<string, number>();
    const before2 = uas.invites.length;
    for (const desk of desks) {
      wrapSent.set(desk.extension, Date.now());
      desk.ws.send(JSON.stringify({ type: 'end-wrap-up' }));
      await sleep(20);
    }
    await until(() => (uas?.invites.length ?? 0) >= before2 + agents, 20_000, `${agents} agent INVITEs after end-wrap-up`);
    const wrapLat = uas.invites.slice(before2, before2 + agents).map((inv) => inv.at - (wrapSent.get(inv.extension) ?? NaN));
    const r1 = await sipp1.done;

    // (a) agents ready and idle, N callers arrive.
    await until(() => desks.every((d) => d.states.at(-1) === 'wrap-up'), 20_000, 'every agent in wrap-up again');
    for (const desk of desks) desk.ws.send(JSON.stringify({ type: 'end-wrap-up' }));
    await until(() => desks.every((d) => d.states.at(-1) === 'ready'), 10_000, 'every agent ready');
    plan.log(`acd: ${agents} callers arrive with ${agents} agents ready`);
    const before3 = uas.invites.length;
    const sipp2 = await startSipp({
      scenario: path.join(here, 'uac-queue.xml'),
      target: `127.0.0.1:${server.sipPort}`,
      calls: agents,
      rate: 25,
      concurrency: agents,
      pauseMs: 300,
      timeoutS: 60,
    });
    await until(() => (uas?.invites.length ?? 0) >= before3 + agents, 30_000, `${agents} INVITEs for arriving callers`);
    const r2 = await sipp2.done;
    const queued = queuedTimes(server.logs());
    const enqueueLat: number[] = [];
    for (const inv of uas.invites.slice(before3)) {
      const n = /^1390000(\d+)$/.exec(inv.fromUser)?.[1];
      const at = n === undefined ? undefined : queued.get(`${n}-${String(sipp2.pid)}@127.0.0.1`);
      if (at !== undefined) enqueueLat.push(inv.at - at);
    }
    const problems = [
      r1.exitCode === 0 ? '' : `sipp (${callers} callers, pid ${String(firstPid)}) exit ${String(r1.exitCode)}: ${r1.errors.split('\n').slice(0, 2).join(' ')}`,
      r2.exitCode === 0 ? '' : `sipp (${agents} callers) exit ${String(r2.exitCode)}: ${r2.errors.split('\n').slice(0, 2).join(' ')}`,
      enqueueLat.length === agents ? '' : `${enqueueLat.length}/${agents} arriving callers matched to their agent INVITE`,
    ].filter((p) => p.length > 0);
    result = {
      ...base,
      ok: problems.length === 0,
      reason: problems.length === 0 ? 'ok' : problems.join('; '),
      readyToInvite: stats(readyLat, agents),
      wrapUpToInvite: stats(wrapLat, agents),
      enqueueToInvite: stats(enqueueLat, agents),
    };
  } catch (err) {
    result = { ...base, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    for (const d of desks) d.ws.terminate();
    uas?.close();
    if (server !== undefined) {
      await server.stop('SIGTERM');
      result.warnLines = server
        .logs()
        .split('\n')
        .filter((l) => l.includes('"level":"warn"') || l.includes('"level":"error"'));
    }
    removeTempDir(recordingsDir);
    result.wallS = (Date.now() - started) / 1000;
  }
  return result;
}

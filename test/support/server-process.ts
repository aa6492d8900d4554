/**
 * Runs the real server (`node --import tsx src/main.ts`, or `npm start` when asked) for end-to-end tests, on free ports, with
 * its output kept in memory so a failing test can print it (`handle.logs()`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freePortRange } from './ports.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Repository root: the server is started from here. */
export const REPO_ROOT = path.resolve(here, '../..');

/** A row of `GET /api/v1/calls` (dates are ISO strings or null). */
export interface CallRecordJson {
  callId: string;
  /** 'inbound' or 'outbound'. */
  direction: string;
  from: string;
  to: string;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  endReason: 'hangup' | 'cancelled' | 'rejected' | 'no-ack' | 'max-duration' | 'shutdown' | 'media-failure' | null;
  hungUpBy: 'caller' | 'callee' | 'system' | null;
  digits: string;
  ivrPath: string;
  queue: string | null;
  queuedAt: string | null;
  agentId: number | null;
  agentExtension: string | null;
  agentAnsweredAt: string | null;
  hasRecording: boolean;
  recordingExpiredAt: string | null;
  truncated: boolean;
  /** Issue 12 (migration 0024): the IVR flow, how its run ended, self-service, what the synthesiser said. */
  ivrFlow?: string | null;
  ivrOutcome?: string | null;
  ivrSelfServed?: boolean;
  ivrSpoken?: string | null;
}

export interface ServerHandle {
  sipPort: number;
  httpPort: number;
  rtpMin: number;
  rtpMax: number;
  /** http://127.0.0.1:<httpPort> */
  baseUrl: string;
  databaseUrl: string;
  pid: number | undefined;
  /** GET /api/v1/calls items, newest first. */
  calls(): Promise<CallRecordJson[]>;
  /** Polls calls() every 200 ms until one matches; rejects after timeoutMs with the calls seen. */
  waitForCall(predicate: (call: CallRecordJson) => boolean, timeoutMs?: number): Promise<CallRecordJson>;
  /** Sends `signal`, waits up to 10 s (then SIGKILL); resolves with the exit code (null if killed). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Everything the server wrote to stdout and stderr, interleaved. */
  logs(): string;
  /** The last `n` log lines. */
  tail(n?: number): string;
}

export interface StartServerOptions {
  /** Default: a fresh `sqlite:` file under the temp dir. */
  databaseUrl?: string;
  /** Default 30 000. */
  readyTimeoutMs?: number;
  /** Count of RTP ports (RTP_PORT_MIN..MAX), default 100. */
  rtpPorts?: number;
  /**
   * How the server is started: `tsx` (default) runs the TypeScript sources; `npm-start` runs README's
   * command (`npm start`: the compiled dist/main.js, built first when stale), and `pid` is npm's.
   */
  command?: 'tsx' | 'npm-start';
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const MAX_LOG = 4 * 1024 * 1024;

/** The first admin every test server is started with (unless `env` says otherwise). */
export const ADMIN = { username: 'admin', password: 'admin-e2e-secret' } as const;

/** A fresh SQLite URL under the temp directory. */
export function tempSqliteUrl(): string {
  return `sqlite:${path.join(tmpdir(), `hotline-e2e-${randomBytes(6).toString('hex')}.sqlite`)}`;
}

/** A MySQL URL with a database name of its own (the server or the test must create it). */
export function uniqueMysqlUrl(): string {
  return `mysql://root@127.0.0.1:3306/e2e_${randomBytes(6).toString('hex')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts the server. `env` overrides the defaults below (e.g. SIP_ANSWER_DELAY_MS, IVR_FLOW); ports
 * given in `env` are used as they are. Resolves once GET /healthz answers 200; rejects with the last
 * log lines when the server exits or is not ready in time.
 */
export async function startServer(env: Record<string, string> = {}, options: StartServerOptions = {}): Promise<ServerHandle> {
  const sipPort = env.SIP_PORT !== undefined ? Number(env.SIP_PORT) : await freePort('both');
  const httpPort = env.HTTP_PORT !== undefined ? Number(env.HTTP_PORT) : await freePort('tcp');
  const rtpCount = options.rtpPorts ?? 100;
  const rtpMin = env.RTP_PORT_MIN !== undefined ? Number(env.RTP_PORT_MIN) : await freePortRange(rtpCount);
  const rtpMax = env.RTP_PORT_MAX !== undefined ? Number(env.RTP_PORT_MAX) : rtpMin + rtpCount - 1;
  const databaseUrl = env.DATABASE_URL ?? options.databaseUrl ?? tempSqliteUrl();
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    SIP_LISTEN: '127.0.0.1',
    SIP_PUBLIC_ADDRESS: '127.0.0.1',
    HTTP_LISTEN: '127.0.0.1',
    LOG_LEVEL: 'debug',
    ADMIN_USER: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    // Test servers are judged on what they do, not on how busy the machine running the suite is: the
    // event-loop-lag admission (503s when the loop runs late) is off unless a test turns it on.
    SIP_OVERLOAD_LAG_MS: '0',
    // Each test server synthesises afresh (a test may count syntheses or make them fail); a test that
    // checks the disk cache names its own folder.
    SPEECH_CACHE_DIR: path.join(tmpdir(), `hotline-e2e-speech-${randomBytes(6).toString('hex')}`),
    // Most tests queue callers with nobody logged in; night mode (issue 12) would offer them a message
    // instead. Its own tests turn it on.
    QUEUE_CLOSED_WHEN_UNSTAFFED: 'false',
    // Seventy-odd catalogue names synthesised at every test server's start would load the shared machine.
    SPEECH_PREWARM: 'false',
    // WebRTC media costs start-up (a DTLS certificate, werift in every media worker): on unless a test
    // needs it off would slow every e2e server on the shared machine, so tests with a browser turn it on.
    WEBRTC_MEDIA: 'false',
    // One media worker (what `auto` gave on 2 cores until 2026-12-03): every worker adds start-up time
    // to each of the suite's many servers on the shared machine; tests of several workers set it.
    MEDIA_WORKERS: '1',
    ...env,
    SIP_PORT: String(sipPort),
    HTTP_PORT: String(httpPort),
    RTP_PORT_MIN: String(rtpMin),
    RTP_PORT_MAX: String(rtpMax),
    DATABASE_URL: databaseUrl,
  };

  const [file, args] = options.command === 'npm-start' ? ['npm', ['start', '--silent']] : [process.execPath, ['--import', 'tsx', 'src/main.ts']];
  const child = spawn(file, args, {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let log = '';
  const append = (chunk: string): void => {
    log += chunk;
    if (log.length > MAX_LOG) log = log.slice(log.length - MAX_LOG);
  };
  child.stdout.setEncoding('utf8').on('data', append);
  child.stderr.setEncoding('utf8').on('data', append);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (err) => {
      append(`\n[harness] spawn failed: ${err.message}\n`);
      exitCode = null;
      running.delete(child);
      resolve(null);
    });
    child.once('exit', (code) => {
      exitCode = code;
      running.delete(child);
      resolve(code);
    });
  });

  const tail = (n = 40): string => log.split('\n').slice(-n).join('\n');

  // The API wants a token: the harness signs in as the first admin (ADMIN_USER / ADMIN_PASSWORD).
  let token: string | undefined;
  const adminToken = async (): Promise<string> => {
    if (token !== undefined) return token;
    const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: childEnv.ADMIN_USER, password: childEnv.ADMIN_PASSWORD }),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json()) as { token?: string };
    if (!res.ok || body.token === undefined) throw new Error(`admin login → ${res.status}: ${JSON.stringify(body)}`);
    token = body.token;
    return token;
  };

  const fetchJson = async (urlPath: string): Promise<unknown> => {
    const res = await fetch(`${baseUrl}${urlPath}`, { signal: AbortSignal.timeout(5000), headers: { authorization: `Bearer ${await adminToken()}` } });
    if (!res.ok) throw new Error(`GET ${urlPath} → ${res.status}: ${await res.text()}`);
    return res.json();
  };

  const calls = async (): Promise<CallRecordJson[]> => {
    const body = (await fetchJson('/api/v1/calls')) as { items?: unknown };
    if (!Array.isArray(body.items)) throw new Error('GET /api/v1/calls: no items array');
    return body.items as CallRecordJson[];
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (exitCode !== undefined) return exitCode;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  const handle: ServerHandle = {
    sipPort,
    httpPort,
    rtpMin,
    rtpMax,
    baseUrl,
    databaseUrl,
    pid: child.pid,
    calls,
    waitForCall: async (predicate, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      let seen: CallRecordJson[] = [];
      for (;;) {
        try {
          seen = await calls();
          const match = seen.find(predicate);
          if (match !== undefined) return match;
        } catch {
          // the server may be busy or restarting; keep polling until the deadline
        }
        if (Date.now() > deadline) {
          throw new Error(`waitForCall: no matching call within ${timeoutMs} ms; calls: ${JSON.stringify(seen, null, 1)}`);
        }
        await sleep(200);
      }
    },
    stop,
    logs: () => log,
    tail,
  };

  // 45 s: a start takes 3-8 s, but at a load average of 20 (parallel runs on 2 cores) starts near 30 s were seen.
  const readyTimeoutMs = options.readyTimeoutMs ?? 45_000;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`server exited with ${String(exitCode)} before /healthz was ready:\n${tail()}`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return handle;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(`server not ready (GET /healthz != 200) within ${readyTimeoutMs} ms:\n${tail()}`);
    }
    await sleep(200);
  }
}

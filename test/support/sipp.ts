/**
 * Drives sipp (package sip-tester) from tests: builds the command line, enforces a hard timeout,
 * reads the statistics CSV, and rewrites the DTMF block of a scenario (sipp does not substitute
 * -key values inside <exec play_pcap_audio>, so digits are chosen by writing a temporary copy).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPortFree } from './ports.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Directory of the e2e scenarios. */
export const SCENARIO_DIR = path.resolve(here, '../e2e/scenarios');

/** Paths of the shipped scenarios. */
export const SCENARIOS = {
  uacDtmf: path.join(SCENARIO_DIR, 'uac-dtmf.xml'),
  /** Keys, 2 s more, then the caller's BYE (a caller left waiting in a queue). */
  uacDtmfBye: path.join(SCENARIO_DIR, 'uac-dtmf-bye.xml'),
  /** Keys, 7 s more (an agent answers and talks), then the caller's BYE. */
  uacDtmfTalkBye: path.join(SCENARIO_DIR, 'uac-dtmf-talk-bye.xml'),
  /** Keys, then waits for the server's BYE and answers it. */
  uacDtmfAwaitBye: path.join(SCENARIO_DIR, 'uac-dtmf-await-bye.xml'),
  /** PCMA only: presses 0, speaks (g711a.pcap twice), BYE once the -d pause after the second play is over. */
  uacPcmaTalkBye: path.join(SCENARIO_DIR, 'uac-pcma-talk-bye.xml'),
  /** PCMA only: presses 0, speaks (g711a.pcap once) while it waits for the server's BYE, and answers it. */
  uacPcmaAwaitBye: path.join(SCENARIO_DIR, 'uac-pcma-await-bye.xml'),
  uacCancel: path.join(SCENARIO_DIR, 'uac-cancel.xml'),
  uacByeEarly: path.join(SCENARIO_DIR, 'uac-bye-early.xml'),
  uacNoAck: path.join(SCENARIO_DIR, 'uac-no-ack.xml'),
  options: path.join(SCENARIO_DIR, 'options.xml'),
  uasAnswer: path.join(SCENARIO_DIR, 'uas-answer.xml'),
} as const;

/** RFC 2833 captures shipped with sip-tester: payload type 101, one 140 ms event per file. */
export const DTMF_PCAP_DIR = '/usr/share/sip-tester';

export type SippTransport = 'u1' | 'un' | 't1' | 'tn';

export interface SippOptions {
  /** Path of the scenario XML. */
  scenario: string;
  /** 'host:port' of the remote side; omit for a UAS scenario. */
  target?: string;
  /** Own SIP port (-p); random when omitted (required to know when a UAS is listening). */
  localPort?: number;
  /** Own media port (-mp); needed when the scenario plays pcaps. */
  mediaPort?: number;
  /** Calls to place before exiting (-m), default 1. */
  calls?: number;
  /** Calls per second (-r). */
  rate?: number;
  /** Period of the rate in ms (-rp). */
  ratePeriodMs?: number;
  /** Maximum simultaneous calls (-l). */
  concurrency?: number;
  /** -t, default 'u1'. */
  transport?: SippTransport;
  /**
   * Seconds, default 30: passed as -timeout and as -recv_timeout (each <recv> fails the call after
   * this long; -timeout alone does not end a call stuck in a recv or retransmission, which then runs
   * until Timer B, 32 s). The process is killed 5 s later regardless.
   */
  timeoutS?: number;
  /** Length of every <pause/> without milliseconds (-d). */
  pauseMs?: number;
  /** -key name value pairs, used as [name] in message text. */
  keys?: Record<string, string>;
  /** Request-URI user (-s), default '12345'. */
  service?: string;
  /**
   * Digits to play where the scenario has its DTMF <nop> block: '1234#' or ['3', 'pound'].
   * '#' → pound, '*' → star.
   */
  dtmf?: string | string[];
  /** Pause after each digit in ms, default 500 (each capture lasts 140 ms). */
  dtmfGapMs?: number;
  /** Writes every SIP message to `<dir>/messages.log` (-trace_msg), returned as `messages`. */
  traceMessages?: boolean;
  /** Own address (-i and -mi), default 127.0.0.1: another 127.0.0.x to call from a non-trunk address. */
  localIp?: string;
  extraArgs?: string[];
}

export interface SippStats {
  created: number;
  successful: number;
  failed: number;
  retransmissions: number;
  failedTimeoutOnRecv: number;
  failedUnexpectedMessage: number;
  failedMaxUdpRetrans: number;
  /** Every cumulative column of the -trace_stat CSV, by its name without "(C)". */
  counters: Record<string, string>;
}

export interface SippResult {
  /** 0: every call succeeded; 1: some failed; 97/99: internal/no call; -1/-2 (255/254): fatal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when the harness had to kill sipp. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Contents of the -trace_err file ('' when none). */
  errors: string;
  /** Contents of the -trace_msg file when traceMessages was set. */
  messages: string;
  stats?: SippStats;
  args: string[];
  /** Working directory holding the CSV, error and message files. */
  dir: string;
}

export interface SippProcess {
  pid: number | undefined;
  dir: string;
  /** Resolves when sipp exits. */
  done: Promise<SippResult>;
  /** Kills sipp (SIGTERM, then SIGKILL after 2 s) and resolves with its result. */
  stop(): Promise<SippResult>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function digitName(digit: string): string {
  if (digit === '#') return 'pound';
  if (digit === '*') return 'star';
  if (!/^(?:[0-9]|pound|star)$/.test(digit)) throw new Error(`not a DTMF digit with a capture: ${digit}`);
  return digit;
}

/** Splits '12#' into ['1', '2', 'pound']; arrays pass through normalised. */
export function dtmfNames(digits: string | string[]): string[] {
  const list = typeof digits === 'string' ? (digits.match(/[0-9#*]|pound|star/g) ?? []) : digits;
  return list.map(digitName);
}

const DTMF_BLOCK = /<nop>\s*<action>\s*<exec play_pcap_audio="[^"]*dtmf_2833_[^"]*\.pcap"\s*\/>\s*<\/action>\s*<\/nop>/;

/**
 * Writes a copy of `scenarioPath` whose DTMF <nop> block plays `digits` in order, each followed by a
 * `gapMs` pause (a new play_pcap_audio cancels one still playing). Returns the copy's path.
 * The captures come from one recorded stream: each digit has its own RTP timestamp, so repeating a
 * digit ('11') repeats the timestamp and a receiver may drop the second as a retransmitted event.
 */
export function withDtmf(scenarioPath: string, digits: string | string[], gapMs = 500, dir?: string): string {
  const xml = readFileSync(scenarioPath, 'utf8');
  if (!DTMF_BLOCK.test(xml)) throw new Error(`${scenarioPath} has no DTMF <nop> block to rewrite`);
  const blocks = dtmfNames(digits)
    .map(
      (name) =>
        `<nop>\n    <action>\n      <exec play_pcap_audio="${DTMF_PCAP_DIR}/dtmf_2833_${name}.pcap"/>\n    </action>\n  </nop>\n` +
        `  <pause milliseconds="${gapMs}"/>`,
    )
    .join('\n  ');
  const outDir = dir ?? mkdtempSync(path.join(tmpdir(), 'sipp-scn-'));
  const out = path.join(outDir, path.basename(scenarioPath));
  writeFileSync(out, xml.replace(DTMF_BLOCK, blocks));
  return out;
}

function parseStatCsv(csv: string): SippStats | undefined {
  const lines = csv.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const header = lines[0];
  const last = lines[lines.length - 1];
  if (header === undefined || last === undefined || last === header) return undefined;
  const names = header.split(';');
  const values = last.split(';');
  const counters: Record<string, string> = {};
  names.forEach((name, i) => {
    const value = values[i];
    if (value === undefined || name.endsWith('(P)')) return;
    counters[name.replace(/\(C\)$/, '')] = value;
  });
  const num = (key: string): number => Number(counters[key] ?? 'NaN');
  return {
    created: num('TotalCallCreated'),
    successful: num('SuccessfulCall'),
    failed: num('FailedCall'),
    retransmissions: num('Retransmissions'),
    failedTimeoutOnRecv: num('FailedTimeoutOnRecv'),
    failedUnexpectedMessage: num('FailedUnexpectedMessage'),
    failedMaxUdpRetrans: num('FailedMaxUDPRetrans'),
    counters,
  };
}

/** Fallback when no CSV was written: the final statistics screen sipp prints on stdout. */
function parseScreen(stdout: string): SippStats | undefined {
  const cumulative = (label: string): number | undefined => {
    const matches = [...stdout.matchAll(new RegExp(`${label}\\s*\\|[^|]*\\|\\s*(\\d+)`, 'g'))];
    const last = matches[matches.length - 1];
    return last?.[1] === undefined ? undefined : Number(last[1]);
  };
  const successful = cumulative('Successful call');
  const failed = cumulative('Failed call');
  if (successful === undefined || failed === undefined) return undefined;
  return {
    created: cumulative('Total Calls created') ?? successful + failed,
    successful,
    failed,
    retransmissions: NaN,
    failedTimeoutOnRecv: NaN,
    failedUnexpectedMessage: NaN,
    failedMaxUdpRetrans: NaN,
    counters: {},
  };
}

function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** The sipp command line for `options` (files go to `dir`). */
export function sippArgs(options: SippOptions, dir: string, scenarioPath: string): string[] {
  const args = ['-sf', scenarioPath];
  if (options.target !== undefined) args.push(options.target);
  const localIp = options.localIp ?? '127.0.0.1';
  args.push('-nostdin', '-i', localIp, '-mi', localIp);
  args.push('-t', options.transport ?? 'u1');
  args.push('-s', options.service ?? '12345');
  args.push('-m', String(options.calls ?? 1));
  args.push('-timeout', `${options.timeoutS ?? 30}s`, '-recv_timeout', String((options.timeoutS ?? 30) * 1000));
  args.push('-trace_err', '-error_file', path.join(dir, 'errors.log'));
  args.push('-trace_stat', '-stf', path.join(dir, 'stat.csv'), '-fd', '1');
  if (options.traceMessages === true) args.push('-trace_msg', '-message_file', path.join(dir, 'messages.log'));
  if (options.localPort !== undefined) args.push('-p', String(options.localPort));
  if (options.mediaPort !== undefined) args.push('-mp', String(options.mediaPort));
  if (options.rate !== undefined) args.push('-r', String(options.rate));
  if (options.ratePeriodMs !== undefined) args.push('-rp', String(options.ratePeriodMs));
  if (options.concurrency !== undefined) args.push('-l', String(options.concurrency));
  if (options.pauseMs !== undefined) args.push('-d', String(options.pauseMs));
  for (const [key, value] of Object.entries(options.keys ?? {})) args.push('-key', key, value);
  args.push(...(options.extraArgs ?? []));
  return args;
}

/**
 * Starts sipp and returns at once (for a UAS with `localPort`, once that UDP port is bound).
 * Use for counterparts that must run alongside something else; `runSipp` for the usual case.
 */
export async function startSipp(options: SippOptions): Promise<SippProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sipp-'));
  const scenarioPath =
    options.dtmf === undefined ? options.scenario : withDtmf(options.scenario, options.dtmf, options.dtmfGapMs, dir);
  const args = sippArgs(options, dir, scenarioPath);
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const kill = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), 2000);
  };
  const hardTimer = setTimeout(() => {
    timedOut = true;
    kill();
  }, ((options.timeoutS ?? 30) + 5) * 1000);
  const done = new Promise<SippResult>((resolve) => {
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(hardTimer);
      if (killTimer !== undefined) clearTimeout(killTimer);
      running.delete(child);
      resolve({
        exitCode,
        signal,
        timedOut,
        stdout,
        stderr,
        errors: readIfExists(path.join(dir, 'errors.log')),
        messages: readIfExists(path.join(dir, 'messages.log')),
        stats: parseStatCsv(readIfExists(path.join(dir, 'stat.csv'))) ?? parseScreen(stdout),
        args,
        dir,
      });
    };
    child.once('error', (err) => {
      stderr += `\nspawn failed: ${err.message}`;
      finish(null, null);
    });
    child.once('close', finish);
  });
  if (options.target === undefined && options.localPort !== undefined) {
    const port = options.localPort;
    const deadline = Date.now() + 5000;
    const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
    while (Date.now() < deadline && !exited() && (await isPortFree(port, 'udp'))) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    pid: child.pid,
    dir,
    done,
    stop: () => {
      kill();
      return done;
    },
  };
}

/** Runs sipp to completion (or until timeoutS + 5 s, when it is killed). */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  const proc = await startSipp(options);
  return proc.done;
}

/** One-line summary of a result for assertion messages. */
export function describeSipp(result: SippResult): string {
  const s = result.stats;
  const counts = s === undefined ? 'no stats' : `ok=${s.successful} failed=${s.failed} created=${s.created}`;
  return `sipp exit=${String(result.exitCode)} ${counts} timedOut=${result.timedOut}\n${result.errors}\n${result.stderr.slice(-2000)}`;
}

/**
 * Sends one UDP datagram to 127.0.0.1:`port` from an ephemeral port and resolves with the first reply
 * received within `waitReplyMs` (undefined when none came). `bytes` may be a function of the local port,
 * so a Via can name the port replies must come back to.
 */
export function sendRawUdp(
  port: number,
  bytes: string | Buffer | ((localPort: number) => string | Buffer),
  waitReplyMs = 1000,
  host = '127.0.0.1',
): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    let settled = false;
    const done = (reply: Buffer | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => { done(undefined); }, waitReplyMs);
    socket.on('message', (msg) => { done(msg); });
    socket.once('error', (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.bind(0, host, () => {
      const payload = typeof bytes === 'function' ? bytes(socket.address().port) : bytes;
      socket.send(typeof payload === 'string' ? Buffer.from(payload) : payload, port, host);
    });
  });
}

/**
 * An INVITE a parser must refuse without crashing: no Call-ID, a CSeq that is not a number, a Via
 * without branch and a Content-Length larger than the body. The Via names `replyPort` (pass the
 * local port given by sendRawUdp) so a 400 (RFC 3261 §21.4.1) can reach the sender.
 */
export function malformedInvite(port: number, replyPort = 5999): string {
  return [
    `INVITE sip:12345@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${replyPort};rport`,
    'From: <sip:bad@127.0.0.1>;tag=x',
    'To: <sip:12345@127.0.0.1>',
    'CSeq: abc INVITE',
    'Content-Type: application/sdp',
    'Content-Length: 9999',
    '',
    'v=0\r\no=garbage',
  ].join('\r\n');
}

/** Random bytes that are not SIP at all (a second kind of garbage datagram). */
export function garbageDatagram(size = 200): Buffer {
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) buf[i] = Math.floor(Math.random() * 256);
  return buf;
}

/**
 * Headless baresip for end-to-end tests: writes `config` and `accounts` into a temp dir, starts
 * `baresip -f <dir> -t <s>`, and drives it over ctrl_tcp (netstring-framed JSON).
 *
 * What baresip 1.0 sends on ctrl_tcp (each frame `<len>:<json>,`):
 *   responses: {"response":true,"ok":true,"data":"","token":"t3"}
 *              {"response":true,"ok":false,"data":"command not found (noop)\n","token":"t0"}
 *   events:    {"event":true,"type":"CALL_ESTABLISHED","class":"call","accountaor":"sip:b@127.0.0.1",
 *               "direction":"outgoing","peeruri":"sip:a@127.0.0.1:45060","id":"13bceb0e8b38b2bd",
 *               "param":"sip:a@127.0.0.1:45060"}
 *   types seen on a call: CALL_LOCAL_SDP / CALL_REMOTE_SDP (class "other", param "offer"|"answer"),
 *   CALL_INCOMING (manual answer), CALL_RINGING, CALL_ESTABLISHED, CALL_RTPESTAB (param "audio"),
 *   CALL_RTCP (with rtcp_stats), CALL_DTMF_START (param = digit) and CALL_DTMF_END (receiver side),
 *   CALL_CLOSED (param = reason, e.g. "Connection reset by user"); REGISTER_OK / REGISTER_FAIL.
 *
 * sndfile writes, per call, `<snd_path>/dump-YYYY-MM-DD-HH-MM-SS-dec.wav` (what baresip heard,
 * decoded) and `…-enc.wav` (what it sent): RIFF, 16-bit PCM, mono, at the codec rate (8000 Hz for
 * G.711). Names have one-second resolution: two calls started in the same second share a file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePortRange } from './ports.js';

export interface BaresipAccount {
  user: string;
  password?: string;
  /** 'host:port' of the registrar (the server); the AOR host is 127.0.0.1 when omitted. */
  registrar?: string;
  /** REGISTER every 60 s when true (regint=60), never when false (regint=0). */
  register: boolean;
  answerMode: 'auto' | 'manual';
  /** audio_codecs, default 'PCMU,PCMA'. */
  codecs?: string;
  /** SIP over TLS to the registrar (`;transport=tls` in the account URI); needs `sip_cafile` in extraConfig for a self-signed server. */
  transport?: 'tls';
  /**
   * Media encryption (account `;mediaenc=`, baresip's srtp module, loaded when an account asks for it):
   * `srtp` offers RTP/AVP with a=crypto (best effort) and takes plain answers; `srtp-mand` offers and
   * accepts only RTP/SAVP with a=crypto (SDES, RFC 4568).
   */
  mediaenc?: 'srtp' | 'srtp-mand';
}

export interface BaresipOptions {
  /** SIP port (UDP+TCP); baresip also listens on port+1 (TLS), so both must be free. */
  sipPort?: number;
  ctrlPort?: number;
  /** [first, last] RTP ports. */
  rtpRange?: [number, number];
  /** 8 kHz mono 16-bit WAV played as the microphone; default a 440 Hz tone (makeToneWav). */
  audioSource?: string;
  /** snd_path of sndfile; default `<dir>/recordings`. */
  recordDir?: string;
  account: BaresipAccount;
  /** More accounts in the same baresip: it answers calls to any of their users (e.g. several residents' numbers). */
  moreAccounts?: BaresipAccount[];
  /** baresip -t: it quits by itself after this many seconds, default 300 (a guard against leaks). */
  lifetimeS?: number;
  /** More config lines, e.g. `sip_cafile <pem>` to trust a test server's self-signed certificate. */
  extraConfig?: string[];
  /** baresip -s: every SIP message it sends and receives, with its transport, goes to its output (`logs()`). */
  sipTrace?: boolean;
}

export interface BaresipEvent {
  event: true;
  type: string;
  class: string;
  accountaor?: string;
  direction?: 'incoming' | 'outgoing';
  peeruri?: string;
  id?: string;
  param?: string;
  [key: string]: unknown;
}

export interface BaresipResponse {
  response: true;
  ok: boolean;
  data: string;
  token?: string;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Writes a sine tone WAV (8 kHz, mono, 16-bit) with sox and returns its path. */
export function makeToneWav(file?: string, options: { frequency?: number; seconds?: number; volume?: number } = {}): string {
  const out = file ?? path.join(mkdtempSync(path.join(tmpdir(), 'tone-')), 'tone.wav');
  const { frequency = 440, seconds = 120, volume = 0.5 } = options;
  const res = spawnSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', out, 'synth', String(seconds), 'sine', String(frequency), 'vol', String(volume)]);
  if (res.status !== 0) throw new Error(`sox failed: ${res.stderr.toString()}`);
  return out;
}

function accountLine(account: BaresipAccount): string {
  const host = account.registrar ?? '127.0.0.1';
  const params = [
    `<sip:${account.user}@${host}${account.transport === 'tls' ? ';transport=tls' : ''}>`,
    ...(account.password !== undefined ? [`auth_user=${account.user}`, `auth_pass=${account.password}`] : []),
    `regint=${account.register ? 60 : 0}`,
    `audio_codecs=${account.codecs ?? 'PCMU,PCMA'}`,
    `answermode=${account.answerMode}`,
    ...(account.mediaenc === undefined ? [] : [`mediaenc=${account.mediaenc}`]),
  ];
  return params.join(';');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class Baresip {
  readonly events: BaresipEvent[] = [];
  private readonly socket: net.Socket;
  private readonly pending = new Map<string, (res: BaresipResponse) => void>();
  private readonly waiters = new Set<() => void>();
  private buffer = Buffer.alloc(0);
  private nextToken = 0;
  private exited = false;

  constructor(
    readonly child: ChildProcess,
    socket: net.Socket,
    readonly sipPort: number,
    readonly ctrlPort: number,
    readonly dir: string,
    readonly recordDir: string,
    private readonly output: () => string,
  ) {
    this.socket = socket;
    socket.on('data', (chunk) => { this.onData(chunk); });
    socket.on('error', () => undefined); // the process exit is what tests care about
    child.once('exit', () => {
      this.exited = true;
      this.notify();
    });
  }

  /** `sip:<user>@127.0.0.1:<sipPort>`: where to dial this instance directly. */
  uri(user: string): string {
    return `sip:${user}@127.0.0.1:${this.sipPort}`;
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const colon = this.buffer.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.buffer.subarray(0, colon).toString('ascii'));
      if (!Number.isInteger(length)) throw new Error(`ctrl_tcp: bad netstring length in ${this.buffer.toString()}`);
      const end = colon + 1 + length;
      if (this.buffer.length < end + 1) return;
      const json = this.buffer.subarray(colon + 1, end).toString('utf8');
      this.buffer = this.buffer.subarray(end + 1); // skip the trailing ','
      this.onFrame(JSON.parse(json) as Record<string, unknown>);
    }
  }

  private onFrame(frame: Record<string, unknown>): void {
    if (frame.event === true) {
      this.events.push(frame as BaresipEvent);
      this.notify();
    } else if (frame.response === true && typeof frame.token === 'string') {
      const resolve = this.pending.get(frame.token);
      this.pending.delete(frame.token);
      resolve?.(frame as unknown as BaresipResponse);
    }
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Sends one ctrl_tcp command and resolves with its response (rejects after timeoutMs). */
  command(command: string, params?: string, timeoutMs = 5000): Promise<BaresipResponse> {
    const token = `t${this.nextToken++}`;
    const json = JSON.stringify(params === undefined ? { command, token } : { command, params, token });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`baresip ${command}: no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      this.socket.write(`${Buffer.byteLength(json)}:${json},`);
    });
  }

  private async must(command: string, params?: string): Promise<void> {
    const res = await this.command(command, params);
    if (!res.ok) throw new Error(`baresip ${command} ${params ?? ''} failed: ${res.data}`);
  }

  dial(uri: string): Promise<void> {
    return this.must('dial', uri);
  }

  /** One RFC 4733 digit (0-9, *, #, A-D) on the current call. */
  sendDtmf(digit: string): Promise<void> {
    return this.must('sndcode', digit);
  }

  /** Sends digits one by one, `gapMs` apart (baresip needs a gap to end each event). */
  async sendDigits(digits: string, gapMs = 300): Promise<void> {
    for (const digit of digits) {
      await this.sendDtmf(digit);
      await sleep(gapMs);
    }
  }

  hangup(): Promise<void> {
    return this.must('hangup');
  }

  accept(): Promise<void> {
    return this.must('accept');
  }

  /** Index of the next event, to wait only for events after this point (`since`). */
  mark(): number {
    return this.events.length;
  }

  /**
   * Resolves with the first event from index `since` matching `predicate` (or whose type equals it),
   * waiting up to timeoutMs for one to arrive.
   */
  waitForEvent(predicate: string | ((e: BaresipEvent) => boolean), timeoutMs = 10_000, since = 0): Promise<BaresipEvent> {
    const match = typeof predicate === 'string' ? (e: BaresipEvent) => e.type === predicate : predicate;
    return new Promise((resolve, reject) => {
      let checked = since;
      const check = (): void => {
        for (; checked < this.events.length; checked += 1) {
          const event = this.events[checked];
          if (event !== undefined && match(event)) {
            finish();
            resolve(event);
            return;
          }
        }
        if (this.exited) {
          finish();
          reject(new Error(`baresip exited while waiting for an event:\n${this.tail()}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        const types = this.events.slice(since).map((e) => `${e.type}(${e.param ?? ''})`).join(', ');
        reject(new Error(`baresip: no matching event within ${timeoutMs} ms; got: ${types}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** sndfile dumps, sorted by name (= start time): 'dec' what was heard, 'enc' what was sent. */
  recordings(kind: 'dec' | 'enc' | 'all' = 'dec'): string[] {
    if (!existsSync(this.recordDir)) return [];
    return readdirSync(this.recordDir)
      .filter((name) => name.endsWith('.wav') && (kind === 'all' || name.endsWith(`-${kind}.wav`)))
      .sort()
      .map((name) => path.join(this.recordDir, name));
  }

  /** baresip's stdout+stderr. */
  logs(): string {
    return this.output();
  }

  tail(n = 30): string {
    return this.output().replace(/\r/g, '\n').split('\n').filter((l) => l.trim() !== '').slice(-n).join('\n');
  }

  /** Ends baresip (SIGTERM, SIGKILL after 3 s); closes the control socket. Idempotent. */
  async stop(): Promise<void> {
    this.socket.destroy();
    if (this.exited) return;
    const exit = new Promise<void>((resolve) => this.child.once('exit', () => { resolve(); }));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exit;
    clearTimeout(timer);
  }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { resolve(socket); });
    socket.once('error', reject);
  });
}

/** Starts baresip and connects to its ctrl_tcp port (within 10 s). */
export async function startBaresip(options: BaresipOptions): Promise<Baresip> {
  const dir = mkdtempSync(path.join(tmpdir(), 'baresip-'));
  const sipPort = options.sipPort ?? (await freePortRange(2, 'both'));
  const ctrlPort = options.ctrlPort ?? (await freePortRange(1, 'tcp'));
  const rtpBase = options.rtpRange === undefined ? await freePortRange(20) : options.rtpRange[0];
  const rtpFirst = rtpBase;
  const rtpLast = options.rtpRange === undefined ? rtpBase + 19 : options.rtpRange[1];
  const recordDir = options.recordDir ?? path.join(dir, 'recordings');
  mkdirSync(recordDir, { recursive: true });
  const audioSource = options.audioSource ?? makeToneWav(path.join(dir, 'tone.wav'));
  const config = [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${sipPort}`,
    'net_interface 127.0.0.1',
    'audio_player null', // no sound card: sndfile still sees the decoded audio
    `audio_source aufile,${audioSource}`,
    'ausrc_srate 8000',
    'ausrc_channels 1',
    'auplay_srate 8000',
    'auplay_channels 1',
    `rtp_ports ${rtpFirst}-${rtpLast}`,
    'module_path /usr/lib/baresip/modules',
    'module g711.so',
    'module aufile.so',
    'module sndfile.so',
    ...([options.account, ...(options.moreAccounts ?? [])].some((a) => a.mediaenc !== undefined) ? ['module srtp.so'] : []),
    `snd_path ${recordDir}`,
    'module_app account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
    ...(options.extraConfig ?? []),
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'config'), config);
  writeFileSync(path.join(dir, 'accounts'), [options.account, ...(options.moreAccounts ?? [])].map((a) => `${accountLine(a)}\n`).join(''));

  const child = spawn('baresip', ['-f', dir, '-t', String(options.lifetimeS ?? 300), ...(options.sipTrace === true ? ['-s'] : [])], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const append = (chunk: string): void => {
    output += chunk;
    if (output.length > 1_000_000) output = output.slice(-1_000_000);
  };
  child.stdout.setEncoding('utf8').on('data', append);
  child.stderr.setEncoding('utf8').on('data', append);

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`baresip exited during startup:\n${output}`);
    }
    if (output.includes('baresip is ready')) {
      try {
        const socket = await connect(ctrlPort);
        return new Baresip(child, socket, sipPort, ctrlPort, dir, recordDir, () => output);
      } catch {
        // ctrl_tcp not listening yet
      }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`baresip not ready within 10 s:\n${output}`);
    }
    await sleep(100);
  }
}

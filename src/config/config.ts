import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from '../shared/app-error.js';

/**
 * Every configuration key of the server, with its default. The names are a public contract
 * (README.md and .env.example list them); values come only from the environment and an optional `.env`.
 */
const port = z.coerce.number().int().min(1).max(65535);
const seconds = z.coerce.number().min(0);
const ipLiteral = z.string().refine((s) => isIP(s) !== 0, 'must be an IP address literal (the SIP stack does not use /etc/hosts)');

export const configSchema = z
  .object({
    // This machine only by default (issue 13): a wildcard bind needs an advertised address (below).
    SIP_LISTEN: ipLiteral.default('127.0.0.1'),
    SIP_PORT: port.default(5060),
    SIP_PUBLIC_ADDRESS: ipLiteral.optional(),
    // RTP sockets' bind address (default SIP_LISTEN) and the address written in SDP c= (default SIP_PUBLIC_ADDRESS).
    RTP_LISTEN: ipLiteral.optional(),
    RTP_PUBLIC_ADDRESS: ipLiteral.optional(),
    // Lab machine: a wildcard bind without an advertised address starts, advertising loopback.
    SIP_LAB: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    RTP_PORT_MIN: port.default(20000),
    RTP_PORT_MAX: port.default(20999),
    RTP_RELATCH_SILENCE_MS: z.coerce.number().int().min(200).max(60000).default(2000),
    // RTP in worker threads (issue 15): 0 = on the main thread, auto = one per CPU beyond the first (1-4), or 1-16.
    MEDIA_WORKERS: z
      .string()
      .regex(/^(auto|\d{1,2})$/, 'must be auto or a number of media worker threads 0-16')
      .transform((v) => (v === 'auto' ? 'auto' : Number(v)))
      .refine((v) => v === 'auto' || v <= 16, 'must be auto or a number of media worker threads 0-16')
      .default('auto'),
    // WebRTC media (ICE-lite, DTLS-SRTP) for browser phones (issue 11): a DTLS certificate at start.
    WEBRTC_MEDIA: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    HTTP_LISTEN: ipLiteral.default('0.0.0.0'),
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: z
      .string()
      .regex(/^(sqlite:|mysql:\/\/|mariadb:\/\/)/, 'must start with sqlite: or mysql:// or mariadb://')
      .default('sqlite:data/hotline.sqlite'),
    IVR_FLOW: z.string().min(1).default('ivr-flows/default.yaml'),
    PROMPTS_DIR: z.string().min(1).default('ivr-flows/prompts'),
    LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
    // Unset: logs go to stdout (journald). Set: to this file instead, rotated at LOG_FILE_MAX_MB, LOG_FILE_MAX_FILES kept.
    LOG_FILE: z.string().min(1).optional(),
    LOG_FILE_MAX_MB: z.coerce.number().min(1).max(10_240).default(100),
    LOG_FILE_MAX_FILES: z.coerce.number().int().min(1).max(1000).default(10),
    TZ: z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as Asia/Shanghai')
      .default('Asia/Shanghai'),
    SIP_ANSWER_DELAY_MS: z.coerce.number().int().min(0).max(60000).default(0),
    MAX_CALL_DURATION_S: seconds.default(3600),
    DRAIN_TIMEOUT_S: seconds.default(30),
    RECORDINGS_DIR: z.string().min(1).default('data/recordings'),
    // Recordings of calls started longer ago are deleted (the call rows say "expired"); 0 keeps them for ever.
    RECORDING_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(0),
    // When the retention job runs (and RECORDINGS_DIR is measured for /metrics): node-cron, read in TZ.
    RECORDING_RETENTION_CRON: z.string().min(9).default('7 * * * *'),
    WORKSPACE_DIR: z.string().min(1).default('dist/workspace'),
    ADMIN_USER: z.string().regex(/^[A-Za-z0-9_.-]{3,64}$/, 'must be 3-64 letters, digits, _ . -').default('admin'),
    ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    AUTH_TOKEN_TTL_H: z.coerce.number().min(0.1).max(720).default(12),
    SIP_REALM: z.string().min(1).default('hotline12345'),
    SIP_REGISTER_MAX_EXPIRES_S: z.coerce.number().int().min(60).max(86400).default(3600),
    SIP_OUTBOUND_PROXY: z
      .string()
      .regex(/^sips?:[^@]*@?(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])(:\d+)?(;.*)?$/, 'must be a SIP URI with an IP literal, e.g. sip:10.0.0.5:5060')
      .optional(),
    SIP_TRUNK_USER: z.string().min(1).optional(),
    SIP_TRUNK_PASSWORD: z.string().min(1).optional(),
    // Overload control of new calls (INVITEs out of a dialog; nothing else is shed): 503 + Retry-After beyond these.
    SIP_MAX_CALLS_PER_S: z.coerce.number().min(0).max(100_000).default(200),
    // Unset: one per even RTP port (each leg holds one); 0: no cap.
    SIP_MAX_CALLS: z.coerce.number().int().min(0).max(1_000_000).optional(),
    SIP_OVERLOAD_LAG_MS: z.coerce
      .number()
      .int()
      .refine((ms) => ms === 0 || (ms >= 20 && ms <= 10_000), 'must be 0 (off) or 20-10000 ms')
      .default(100),
    SIP_TCP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(2000),
    SIP_TCP_MAX_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(200),
    SIP_TCP_IDLE_S: z.coerce.number().min(0.1).max(600).default(30),
    SIP_TCP_ESTABLISHED_IDLE_S: z.coerce.number().min(1).max(3600).default(900),
    // SIP over WebSocket (RFC 7118) at /sip on the HTTP port; SIP over TLS (SIP_TLS_PORT) when a certificate is given.
    SIP_WS_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(2000),
    SIP_WS_MAX_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(50),
    SIP_WS_PING_S: z.coerce.number().min(1).max(600).default(30),
    SIP_WS_CALL_GRACE_S: z.coerce.number().min(0).max(300).default(5),
    SIP_TLS_PORT: port.default(5061),
    SIP_TLS_CERT: z.string().min(1).optional(),
    SIP_TLS_KEY: z.string().min(1).optional(),
    SIP_TLS_VERIFY_SERVER: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    // PEM file of CAs trusted for TLS peers we connect to (a carrier's private CA), on top of Node's bundled ones; read at start.
    SIP_TLS_CA: z.string().min(1).optional(),
    // SRTP with SDES keys (RFC 4568) on TLS legs: off, offer (best effort: RTP/AVP + a=crypto) or require (RTP/SAVP only).
    SRTP_SDES: z.enum(['off', 'offer', 'require'], { message: 'must be off, offer or require' }).default('offer'),
    HTTP_TLS_CERT: z.string().min(1).optional(),
    HTTP_TLS_KEY: z.string().min(1).optional(),
    HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(2000),
    HTTP_MAX_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(500),
    QUEUES_FILE: z.string().min(1).default('ivr-flows/queues.yaml'),
    // Carrier trunks (issue 13): addresses calls may come from, DIDs → flows, outbound campaigns, registration.
    TRUNKS_FILE: z.string().min(1).default('ivr-flows/trunks.yaml'),
    // Lab only: take calls from any source address, not only trunks and registered agents.
    SIP_ADMIT_ANY_SOURCE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    // Night mode (issue 12): a queue nobody is logged in for counts as closed (callback / message offer).
    QUEUE_CLOSED_WHEN_UNSTAFFED: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    SEED_DIR: z.string().min(1).default('sql/seed'),
    CALENDAR_FILE: z.string().min(1).default('sql/seed/calendar-cn.yaml'),
    DUPLICATE_WINDOW_DAYS: z.coerce.number().int().min(0).max(90).default(7),
    SUPERVISION_CRON: z.string().min(9).default('*/5 * * * *'),
    /** When yesterday's report aggregates are checked against the event log and repaired (local time). */
    REPORT_RECONCILE_CRON: z.string().min(9).default('30 3 * * *'),
    SUPERVISION_INCLUDE_YELLOW: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    SUPERVISION_FLOW: z.string().min(1).default('ivr-flows/supervision.yaml'),
    SUPERVISION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
    SUPERVISION_RETRY_MIN: z.coerce.number().min(0.05).max(1440).default(30),
    SUPERVISION_RING_TIMEOUT_S: z.coerce.number().int().min(5).max(120).default(30),
    SURVEY_CRON: z.string().min(9).default('*/10 * * * *'),
    SURVEY_FLOW: z.string().min(1).default('ivr-flows/survey.yaml'),
    SURVEY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
    SURVEY_RETRY_MIN: z.coerce.number().min(0.05).max(1440).default(60),
    SURVEY_RING_TIMEOUT_S: z.coerce.number().int().min(5).max(120).default(30),
    CALLING_HOURS: z
      .string()
      .regex(/^\d{2}:\d{2}-\d{2}:\d{2}(,\d{2}:\d{2}-\d{2}:\d{2})*$/, 'must look like 09:00-12:00,13:30-18:00')
      .default('09:00-12:00,13:30-18:00'),
    OUTBOUND_MAX_CONCURRENT: z.coerce.number().int().min(1).max(500).default(10),
    // Dial-plan patterns (dialer/dial-plan.ts parses them at start and names the key of a bad one); unset: its defaults.
    DIAL_PLAN_ALLOW: z.string().max(2000).optional(),
    DIAL_PLAN_DENY: z.string().max(2000).optional(),
    CLOCK_OFFSET_S: z.coerce.number().default(0),
    WS_HEARTBEAT_S: z.coerce.number().min(1).max(300).default(15),
    WS_GRACE_S: z.coerce.number().min(0).max(3600).default(30),
    NODE_ID: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . -')
      .default(hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64) || 'node'),
    RECORD_SPOOL_DIR: z.string().min(1).default('data/spool'),
    RECORD_SPOOL_MAX_MB: z.coerce.number().min(1).max(10_240).default(64),
    /** Synthesised speech kept across restarts (issue 12); empty: memory only. */
    SPEECH_CACHE_DIR: z.string().default('data/speech-cache'),
    SPEECH_CACHE_MAX_MB: z.coerce.number().min(1).max(10_240).default(256),
    /** Synthesise the catalogue's names (units, categories) in the background at start. */
    SPEECH_PREWARM: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  })
  .refine((c) => c.RTP_PORT_MIN < c.RTP_PORT_MAX, { path: ['RTP_PORT_MAX'], message: 'must be greater than RTP_PORT_MIN' })
  .refine((c) => (c.SIP_TLS_CERT === undefined) === (c.SIP_TLS_KEY === undefined), { path: ['SIP_TLS_KEY'], message: 'SIP_TLS_CERT and SIP_TLS_KEY go together' })
  // A CA nothing would use is a mistake to say, not to ignore: TLS (in and out) exists only with a certificate of our own,
  // and with verification off no certificate is checked at all.
  .refine((c) => c.SIP_TLS_CA === undefined || c.SIP_TLS_CERT !== undefined, { path: ['SIP_TLS_CA'], message: 'needs SIP_TLS_CERT and SIP_TLS_KEY (SIP over TLS is off without them)' })
  .refine((c) => c.SIP_TLS_CA === undefined || c.SIP_TLS_VERIFY_SERVER, { path: ['SIP_TLS_CA'], message: 'has no effect with SIP_TLS_VERIFY_SERVER=false (no peer certificate is checked)' })
  .refine((c) => (c.HTTP_TLS_CERT === undefined) === (c.HTTP_TLS_KEY === undefined), { path: ['HTTP_TLS_KEY'], message: 'HTTP_TLS_CERT and HTTP_TLS_KEY go together' });

export type Config = Readonly<z.infer<typeof configSchema>> & {
  /** Address written in Contact and Via: SIP_PUBLIC_ADDRESS, else SIP_LISTEN (a wildcard only with SIP_LAB: loopback). */
  readonly publicAddress: string;
  /** RTP bind address: RTP_LISTEN, else SIP_LISTEN. */
  readonly rtpListen: string;
  /** Address written in SDP c=: RTP_PUBLIC_ADDRESS, else publicAddress (RTP_LISTEN when it alone is a specific address). */
  readonly rtpPublicAddress: string;
  /** SIP_MAX_CALLS, or when unset the count of even RTP ports in RTP_PORT_MIN..MAX (one per leg). 0: no cap. */
  readonly sipMaxCalls: number;
};

/** Even ports in [min, max]: the RTP ports the media engine hands out, one per call leg (RFC 3550 §11). */
export function rtpPortCount(min: number, max: number): number {
  const first = min % 2 === 0 ? min : min + 1;
  return max >= first ? Math.floor((max - first) / 2) + 1 : 0;
}

const keys = Object.keys(configSchema.shape);

/** Keys whose value is a secret: an error names the key and the rule, never the value. */
const SECRET_KEY = /PASSWORD|SECRET|_TOKEN$|_KEY$/;

/** How a rejected value is shown in a config error: secrets not at all, a URL without its password. */
function shownValue(key: string, value: string): string {
  if (SECRET_KEY.test(key)) return `a value of ${value.length} characters, not shown`;
  return `"${value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@')}"`;
}

/**
 * Reads the configuration from `env`, falling back to a `.env` file for keys the environment lacks.
 * Throws ConfigError naming the first bad key and why.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, dotenvPath = '.env'): Config {
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  const input: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key] ?? fromFile[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') ?? 'config';
    const value = input[key];
    const shown = value === undefined ? '' : ` (got ${shownValue(key, value)})`;
    throw new ConfigError(`config: ${key}${shown}: ${issue?.message ?? 'invalid'}`);
  }
  const c = parsed.data;
  const { publicAddress, rtpListen, rtpPublicAddress } = advertisedAddresses(c);
  const sipMaxCalls = c.SIP_MAX_CALLS ?? rtpPortCount(c.RTP_PORT_MIN, c.RTP_PORT_MAX);
  return Object.freeze({ ...c, publicAddress, rtpListen, rtpPublicAddress, sipMaxCalls });
}

const isWildcard = (address: string): boolean => address === '0.0.0.0' || address === '::';
const loopbackOf = (address: string): string => (address.includes(':') ? '::1' : '127.0.0.1');

/**
 * NAT (issue 13): what goes into Contact/Via and SDP. A wildcard bind (0.0.0.0, ::) says nothing a
 * remote peer can use, and writing 127.0.0.1 there leaves a remote caller in silence; so it needs the
 * advertised address, unless SIP_LAB=true says the machine is a lab (loopback is advertised then).
 */
function advertisedAddresses(c: z.infer<typeof configSchema>): { publicAddress: string; rtpListen: string; rtpPublicAddress: string } {
  const nat = (key: string, bound: string, publicKey: string): ConfigError =>
    new ConfigError(
      `config: ${key} is ${bound} (every interface) but ${publicKey} is not set: remote peers would be told to send to 127.0.0.1. ` +
        `Set ${publicKey} to the address carriers and phones reach (behind NAT: the public one; RTP_PUBLIC_ADDRESS too when media leaves through another), ` +
        `or ${key} to one address of this machine, or SIP_LAB=true on a lab machine`,
    );
  let publicAddress = c.SIP_PUBLIC_ADDRESS ?? c.SIP_LISTEN;
  if (isWildcard(publicAddress)) {
    if (!c.SIP_LAB) throw nat('SIP_LISTEN', c.SIP_LISTEN, 'SIP_PUBLIC_ADDRESS');
    publicAddress = loopbackOf(publicAddress);
  }
  const rtpListen = c.RTP_LISTEN ?? c.SIP_LISTEN;
  let rtpPublicAddress = c.RTP_PUBLIC_ADDRESS ?? c.SIP_PUBLIC_ADDRESS ?? (isWildcard(rtpListen) ? publicAddress : rtpListen);
  if (isWildcard(rtpPublicAddress)) {
    if (!c.SIP_LAB) throw nat('RTP_LISTEN', rtpListen, 'RTP_PUBLIC_ADDRESS');
    rtpPublicAddress = loopbackOf(rtpPublicAddress);
  }
  return { publicAddress, rtpListen, rtpPublicAddress };
}

import { randomBytes } from 'node:crypto';

/**
 * SDES (RFC 4568): SRTP master keys carried in SDP `a=crypto` attributes. This file reads and writes
 * the attribute; the keys are used by SdesSrtp (werift's SRTP) in the media worker.
 *
 * The one suite we run is AES_CM_128_HMAC_SHA1_80 (RFC 4568 §6.2.1): werift's SRTP has AES-CM with
 * 80-bit HMAC-SHA1 tags (and AES-GCM, which SDES names differently), not the 32-bit-tag variant.
 */
export const SDES_SUITE = 'AES_CM_128_HMAC_SHA1_80';
export type SdesSuite = typeof SDES_SUITE;

/**
 * `SRTP_SDES`: what a leg whose signalling is TLS does about SRTP.
 * - `off`: plain RTP only; `RTP/SAVP` offers are refused (488), a=crypto on `RTP/AVP` is ignored.
 * - `offer`: our offers are best-effort SRTP (`RTP/AVP` with a=crypto: a phone without SRTP answers
 *   plain); offers with a=crypto get an SRTP answer.
 * - `require`: our offers are `RTP/SAVP`; an offer or answer without usable a=crypto is refused.
 */
export type SdesPolicy = 'off' | 'offer' | 'require';

/** The keys of one SDES-SRTP stream. Strings, so they cross to a media worker as they are. Never log them. */
export interface SdesKeys {
  readonly suite: SdesSuite;
  /** The a=crypto tag the answer echoed (RFC 4568 §5.1). */
  readonly tag: number;
  /** Our master key || master salt, base64 (we protect with it). */
  readonly localKey: string;
  /** The remote's master key || master salt, base64 (we unprotect with it). */
  readonly remoteKey: string;
}

/** One a=crypto attribute we can use. */
export interface CryptoAttribute {
  readonly tag: number;
  readonly suite: SdesSuite;
  /** Master key || salt, base64 of 30 bytes. */
  readonly key: string;
}

/** 128-bit master key + 112-bit master salt (RFC 4568 §6.2.1, RFC 3711 §8.2). */
export const KEY_SALT_BYTES = 30;
/** base64 of 30 bytes: 40 characters, no padding. */
const KEY_BASE64 = /^[A-Za-z0-9+/]{40}$/;
/** A line longer than this is not a crypto attribute we can use (a key is 40 characters). */
const MAX_LINE = 512;
/** More a=crypto lines than this on one m-line are not looked at. */
export const MAX_CRYPTO_LINES = 16;
/**
 * We never re-key inside a call: a key lifetime (RFC 4568 §6.1, packets) shorter than this is refused.
 * 2^20 packets are 5.8 hours of 20 ms audio, longer than any call of the hotline.
 */
const MIN_LIFETIME_LOG2 = 20;
/** RFC 3711 §9.2: an SRTP key is good for 2^48 packets at most. */
const MAX_LIFETIME_LOG2 = 48;
const KNOWN_SUITES = new Set([
  'AES_CM_128_HMAC_SHA1_32',
  'F8_128_HMAC_SHA1_80',
  'AES_192_CM_HMAC_SHA1_80',
  'AES_192_CM_HMAC_SHA1_32',
  'AES_256_CM_HMAC_SHA1_80',
  'AES_256_CM_HMAC_SHA1_32',
  'AEAD_AES_128_GCM',
  'AEAD_AES_256_GCM',
]);

/** A fresh random master key || salt for our side (base64). */
export function newSdesKey(): string {
  return randomBytes(KEY_SALT_BYTES).toString('base64');
}

/** What an a=crypto value of ours looks like in SDP: `inline:<key||salt>` (RFC 4568 §6.1). */
export function cryptoConfig(key: string): string {
  return `inline:${key}`;
}

/**
 * The peer's token in a refusal, in quotes, only when it has the shape of what belongs there (a suite
 * name, a session parameter, a lifetime); else a description. A malformed line can put its key in any
 * field (`1 inline:<key>`), and a refusal goes to the log and the Warning header: it never quotes a key.
 */
function quoted(text: string, shape: RegExp, otherwise: string): string {
  return shape.test(text) ? `"${text}"` : otherwise;
}
const SUITE_SHAPE = /^[A-Z][A-Z0-9_]{0,39}$/;
const LIFETIME_SHAPE = /^[0-9^]{1,20}$/;
const SESSION_PARAM_SHAPE = /^[A-Z][A-Z_]{0,29}(=\d{1,9})?$/;
const METHOD_SHAPE = /^[a-z]{1,10}$/;

/**
 * Reads one a=crypto value (`<tag> <suite> <key-params> [<session-params>]`, RFC 4568 §9.1).
 * Returns the attribute when we can use it, else the reason in words (for the 488 and the log).
 */
export function readCryptoAttribute(value: string): CryptoAttribute | string {
  if (value.length > MAX_LINE) return `a=crypto line longer than ${MAX_LINE} characters`;
  const fields = value.trim().split(/ +/);
  const [tagText = '', suite = '', keyParams, ...sessionParams] = fields;
  if (!/^\d{1,9}$/.test(tagText)) return `a=crypto tag ${quoted(tagText, /^[A-Z0-9_]{1,40}$/, '(not shown)')} is not 1-9 digits`;
  const tag = Number(tagText);
  const at = `a=crypto tag ${tag}`;
  if (suite !== SDES_SUITE) {
    if (suite === 'AES_CM_128_HMAC_SHA1_32') return `${at}: AES_CM_128_HMAC_SHA1_32 is not supported (only ${SDES_SUITE}: 32-bit tags are not in our SRTP library)`;
    if (KNOWN_SUITES.has(suite)) return `${at}: crypto-suite ${suite} is not supported (only ${SDES_SUITE})`;
    return `${at}: unknown crypto-suite ${quoted(suite, SUITE_SHAPE, '(not a suite name)')} (only ${SDES_SUITE})`;
  }
  if (keyParams === undefined) return `${at}: no key-params (inline:<key||salt>)`;
  const keys = keyParams.split(';');
  if (keys.length > 1) return `${at}: several keys in one attribute (MKI) are not supported`;
  if (!keyParams.startsWith('inline:')) return `${at}: key method ${quoted(keyParams.split(':')[0] ?? '', METHOD_SHAPE, '(not shown)')} is not inline:`;
  const [key = '', ...params] = keyParams.slice('inline:'.length).split('|');
  const keyProblem = checkKey(key);
  if (keyProblem !== undefined) return `${at}: ${keyProblem}`;
  if (params.length > 2) return `${at}: too many key parameters after the key`;
  for (const param of params) {
    const problem = param.includes(':') ? 'an MKI (master key identifier) is not supported' : checkLifetime(param);
    if (problem !== undefined) return `${at}: ${problem}`;
  }
  for (const param of sessionParams) {
    const problem = checkSessionParam(param);
    if (problem !== undefined) return `${at}: ${problem}`;
  }
  return { tag, suite: SDES_SUITE, key };
}

function checkKey(key: string): string | undefined {
  const bare = key.replace(/=+$/, '');
  if (/[^A-Za-z0-9+/]/.test(bare)) return 'the key is not base64';
  if (!KEY_BASE64.test(key)) {
    const bytes = Math.floor((bare.length * 3) / 4);
    return `the key||salt is ${bytes} bytes, ${SDES_SUITE} needs ${KEY_SALT_BYTES} (40 base64 characters)`;
  }
  return undefined;
}

/** `2^N` or a decimal count of packets (RFC 4568 §6.1). */
function checkLifetime(param: string): string | undefined {
  let log2: number;
  const power = /^2\^(\d{1,3})$/.exec(param);
  if (power !== null) {
    log2 = Number(power[1]);
  } else if (/^\d{1,16}$/.test(param)) {
    log2 = Math.log2(Number(param));
  } else {
    return `key lifetime ${quoted(param, LIFETIME_SHAPE, '(not shown)')} is neither 2^N nor a number`;
  }
  if (log2 > MAX_LIFETIME_LOG2) return `key lifetime 2^${Math.floor(log2)} is beyond SRTP's 2^48`;
  if (log2 < MIN_LIFETIME_LOG2) return `key lifetime ${param} is below 2^${MIN_LIFETIME_LOG2} packets and we do not re-key during a call`;
  return undefined;
}

/**
 * Session parameters (RFC 4568 §6.3): the window-size hint is only a hint and KDR=0 is the default; any
 * other one changes the protection (no encryption, no authentication, FEC, key re-derivation) and is
 * refused rather than ignored.
 */
function checkSessionParam(param: string): string | undefined {
  if (/^WSH=\d{1,9}$/.test(param) || param === 'KDR=0') return undefined;
  return `session parameter ${quoted(param, SESSION_PARAM_SHAPE, '(not shown)')} is not supported`;
}

/**
 * The a=crypto values of each m-section of an SDP, in order (index = m-line index). Read from the
 * text, not from sdp-transform: its pattern keeps only the first session parameter and drops lines it
 * cannot match, and a parameter we do not see could be UNAUTHENTICATED_SRTP.
 */
export function cryptoValuesByMedia(sdp: string): string[][] {
  const sections: string[][] = [];
  let current: string[] | undefined;
  for (const raw of sdp.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('m=')) {
      current = [];
      sections.push(current);
    } else if (current !== undefined && line.startsWith('a=crypto:') && current.length <= MAX_CRYPTO_LINES) {
      current.push(line.slice('a=crypto:'.length));
    }
  }
  return sections;
}

/**
 * The attribute an answerer takes from an offer's a=crypto values: the first usable one in the
 * offer's order (the offerer's preference, RFC 4568 §7.1.1); else the reasons, one per line.
 */
export function chooseCrypto(values: readonly string[]): CryptoAttribute | string {
  if (values.length === 0) return 'no a=crypto attribute';
  if (values.length > MAX_CRYPTO_LINES) return `more than ${MAX_CRYPTO_LINES} a=crypto attributes`;
  const reasons: string[] = [];
  for (const value of values) {
    const read = readCryptoAttribute(value);
    if (typeof read !== 'string') return read;
    reasons.push(read);
  }
  return reasons.join('; ');
}

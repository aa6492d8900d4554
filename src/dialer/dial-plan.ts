import { AppError, ValidationError } from '../shared/app-error.js';
import { parsePhoneNumber } from '../shared/phone-number.js';

/**
 * Numbers a campaign may dial, by default (DIAL_PLAN_ALLOW): Chinese mobiles (11 digits), landlines
 * with their area code (0 then 9-11 digits) and local numbers without one (7-8 digits, never 0 or 1 first).
 */
export const DEFAULT_DIAL_PLAN_ALLOW = '1[3-9]XXXXXXXXX,0ZXXXXXXXX,0ZXXXXXXXXX,0ZXXXXXXXXXX,NXXXXXX,NXXXXXXX';
/**
 * Numbers refused even when an allow pattern matches (DIAL_PLAN_DENY), by default: every other
 * country (`+!`), carrier and special service codes 10x/11x/12x (10086, 12345…), and 95xxx national
 * / 96xxx local service numbers (banks, utilities: a resident is never one). Premium and
 * information lines (168xxxxx, 400/800, 179xx call-by-call prefixes before a number) are already
 * outside the allow list by their first digit or their length.
 */
export const DEFAULT_DIAL_PLAN_DENY = '+!,10!,11!,12!,95!,96!';

/**
 * Emergency and short service numbers: refused whatever the configuration says, because a
 * campaign must never tie up 110, 119, 120, 122, 12110… (3 to 5 digits starting 10, 11 or 12).
 */
const NEVER = /^1[0-2]\d{1,3}$/;

/** Why a number may not be dialled (stored with the attempt, shown to the agent). */
export type DialPlanRefusal = 'not-a-number' | 'emergency' | 'denied' | 'not-allowed';

export type DialPlanVerdict =
  | { readonly allowed: true; /** The number as it goes to the trunk (national or E.164 form). */ readonly number: string }
  | { readonly allowed: false; readonly refusal: DialPlanRefusal; /** One sentence for logs, events and the desktop. */ readonly reason: string };

/** The result stored on an attempt that the dial plan refused. */
export const REFUSED_BY_DIAL_PLAN = 'refused-by-dial-plan';

/** A call the dial plan refused: code `REFUSED_BY_DIAL_PLAN`, with the refusal and its reason. */
export class DialPlanError extends AppError {
  constructor(
    readonly refusal: DialPlanRefusal,
    readonly reason: string,
  ) {
    super('REFUSED_BY_DIAL_PLAN', `refused by the dial plan: ${reason}`);
  }
}

interface Pattern {
  readonly text: string;
  readonly regex: RegExp;
}

/**
 * Which numbers outbound calls may go to (issue 9: a forged caller number must never turn a
 * callback into a premium or international call). A number is normalised first
 * (shared/phone-number.ts), then dialled only when it matches an allow pattern and no deny
 * pattern, and is never an emergency number. Patterns use Asterisk's dial-plan letters:
 * `X` any digit, `Z` 1-9, `N` 2-9, `[3-9]`/`[135]` a digit class, a trailing `.` one or more
 * digits, a trailing `!` zero or more; a leading `+` matches an international (E.164) number.
 *
 * Targets (scheme trimmed and case-folded first, as the engine reads it): `tel:<number>` is
 * checked (it goes to the trunk). A `sip:`/`sips:` URI whose user part is a number is checked
 * too: its host may be the trunk or another gateway (`sip:+19005550199@<proxy>`), so the number
 * is what counts, not the host. A SIP URI to a named user (`sip:liaison@10.0.0.5`) and `ext:<n>`
 * (a registered extension) never reach the PSTN and pass. Any other scheme is refused.
 */
export class DialPlan {
  private constructor(
    private readonly allow: readonly Pattern[],
    private readonly deny: readonly Pattern[],
  ) {}

  /** Throws ValidationError naming DIAL_PLAN_ALLOW or DIAL_PLAN_DENY and the bad pattern. */
  static parse(allow: string = DEFAULT_DIAL_PLAN_ALLOW, deny: string = DEFAULT_DIAL_PLAN_DENY): DialPlan {
    return new DialPlan(parsePatterns(allow, 'DIAL_PLAN_ALLOW', false), parsePatterns(deny, 'DIAL_PLAN_DENY', true));
  }

  /** The verdict on a number as written (any form: `+86 138…`, `010-1234…`). */
  checkNumber(raw: string): DialPlanVerdict {
    const parsed = parsePhoneNumber(raw);
    if (parsed === undefined) return { allowed: false, refusal: 'not-a-number', reason: 'not a phone number' };
    const n = parsed.value;
    if (parsed.kind === 'national' && NEVER.test(n)) return { allowed: false, refusal: 'emergency', reason: 'an emergency or special service number is never dialled' };
    const denied = this.deny.find((p) => p.regex.test(n));
    if (denied !== undefined) {
      const what = parsed.kind === 'international' ? 'an international number' : 'a service or premium number';
      return { allowed: false, refusal: 'denied', reason: `${what} (DIAL_PLAN_DENY "${denied.text}")` };
    }
    if (!this.allow.some((p) => p.regex.test(n))) return { allowed: false, refusal: 'not-allowed', reason: 'matches no DIAL_PLAN_ALLOW pattern' };
    return { allowed: true, number: n };
  }

  /**
   * The verdict on a dial target; an allowed `tel:` target comes back with its number normalised
   * (`tel:+8613812345678` → `tel:13812345678`), other targets unchanged.
   */
  checkTarget(target: string): { readonly allowed: true; readonly target: string } | Extract<DialPlanVerdict, { allowed: false }> {
    // The engine trims the target before reading it: check exactly what it will dial.
    const trimmed = target.trim();
    const colon = trimmed.indexOf(':');
    const scheme = colon < 0 ? '' : trimmed.slice(0, colon).toLowerCase();
    const rest = trimmed.slice(colon + 1);
    if (scheme === 'tel') {
      const verdict = this.checkNumber(rest);
      return verdict.allowed ? { allowed: true, target: `tel:${verdict.number}` } : verdict;
    }
    if (scheme === 'ext') return { allowed: true, target: `ext:${rest}` };
    if (scheme === 'sip' || scheme === 'sips') {
      const verdict = this.checkSipUser(rest);
      return verdict.allowed ? { allowed: true, target: `${scheme}:${rest}` } : verdict;
    }
    return { allowed: false, refusal: 'not-a-number', reason: 'not a tel:, sip:, sips: or ext: target' };
  }

  /**
   * The verdict on the user part of a SIP URI (`rest` is what follows `sip:`). A user with a
   * letter is a name (`liaison`), not a number, and passes; so does a URI with no user. Anything
   * else must be a number the plan allows, except a desk-phone extension: a short national number
   * (at most MAX_EXTENSION_DIGITS) that only misses the allow list. Such a number cannot reach a
   * resident through a trunk, while emergency and denied numbers (110, 95588, 1001…) are still refused.
   */
  private checkSipUser(rest: string): { readonly allowed: true } | Extract<DialPlanVerdict, { allowed: false }> {
    const user = sipUserNumber(rest);
    if (user === undefined) return { allowed: true };
    const notANumber = { allowed: false, refusal: 'not-a-number', reason: 'a SIP user part that is neither a name nor a phone number' } as const;
    if (user === null) return notANumber;
    const verdict = this.checkNumber(user);
    if (verdict.allowed) return { allowed: true };
    if (verdict.refusal === 'not-a-number') return notANumber;
    const parsed = parsePhoneNumber(user);
    if (verdict.refusal === 'not-allowed' && parsed?.kind === 'national' && parsed.value.length <= MAX_EXTENSION_DIGITS) return { allowed: true };
    return verdict;
  }

  /** Throws DialPlanError when `target` may not be dialled; else the target to dial. */
  assertTarget(target: string): string {
    const verdict = this.checkTarget(target);
    if (!verdict.allowed) throw new DialPlanError(verdict.refusal, verdict.reason);
    return verdict.target;
  }
}

/** Longest user part of a SIP URI taken as a desk-phone extension (`sip:8001@…`) when the allow list misses it. */
const MAX_EXTENSION_DIGITS = 6;

/**
 * The number in a SIP URI's user part (RFC 3261 §19.1.1, telephone-subscriber §19.1.6):
 * percent-escapes decoded, a password (`:…`) and user parameters (`;phone-context=`, `;postd=`,
 * `;isub=`) dropped; a global `phone-context` (RFC 3966 §5.1.5, `+1900`) is put before a local
 * number. Undefined when the user is a name (has a letter) or absent; null when it cannot be read.
 */
function sipUserNumber(rest: string): string | null | undefined {
  // Bounded before any pattern runs: a target is short.
  if (rest.length > 255) return null;
  const at = rest.lastIndexOf('@');
  if (at < 0) return undefined;
  let raw: string;
  try {
    raw = decodeURIComponent(rest.slice(0, at));
  } catch {
    return null;
  }
  const [userAndPassword = '', ...params] = raw.split(';');
  const user = userAndPassword.split(':')[0] ?? '';
  if (user.trim() === '') return undefined;
  if (/[a-z]/i.test(user)) return undefined;
  const context = params.find((p) => /^\s*phone-context\s*=/i.test(p))?.replace(/^[^=]*=/, '').trim();
  if (context?.startsWith('+') === true && !user.trim().startsWith('+')) return `${context}${user}`;
  return user;
}

function parsePatterns(text: string, key: string, mayBeEmpty: boolean): Pattern[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0 && !mayBeEmpty) throw invalid(key, text, 'needs at least one pattern');
  return parts.map((part) => ({ text: part, regex: compile(part, key) }));
}

/** One pattern to an anchored regex with no nested quantifier (linear on any input). */
function compile(pattern: string, key: string): RegExp {
  if (pattern.length > 40) throw invalid(key, pattern, 'is longer than 40 characters');
  let source = '';
  let i = 0;
  if (pattern.startsWith('+')) {
    source += '\\+';
    i = 1;
  }
  while (i < pattern.length) {
    const c = pattern.charAt(i);
    const last = i === pattern.length - 1;
    if (/\d/.test(c)) source += c;
    else if (c === 'X' || c === 'x') source += '\\d';
    else if (c === 'Z' || c === 'z') source += '[1-9]';
    else if (c === 'N' || c === 'n') source += '[2-9]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      const body = end < 0 ? '' : pattern.slice(i + 1, end);
      if (!/^(\d(-\d)?)+$/.test(body)) throw invalid(key, pattern, `"${pattern.slice(i)}" is not a digit class like [3-9]`);
      source += `[${body}]`;
      i = end + 1;
      continue;
    } else if ((c === '.' || c === '!') && last) source += c === '.' ? '\\d+' : '\\d*';
    else throw invalid(key, pattern, `"${c}" is not a digit, X, Z, N, [class], or a final . or !`);
    i++;
  }
  if (source === '' || source === '\\+') throw invalid(key, pattern, 'matches no number');
  return new RegExp(`^${source}$`);
}

function invalid(key: string, pattern: string, reason: string): ValidationError {
  const message = `pattern "${pattern}" ${reason}`;
  return new ValidationError(`${key}: ${message}`, [{ path: key, message }]);
}

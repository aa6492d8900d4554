/**
 * Phone numbers as people and carriers write them, brought to one form so that a caller's number,
 * a resident's number on a work order and a number to dial compare equal however they were written.
 *
 * - A Chinese number is kept in its national form (ITU-T E.164 country code 86 dropped, the trunk
 *   prefix 0 of an area code kept): `+86 138-1234-5678`, `008613812345678` and the 13-digit
 *   `8613812345678` are all `13812345678`; `+86 10 1234 5678` and `010-12345678` are `01012345678`.
 * - Any other country is kept in E.164 with its `+`: `001 900 555 0199` is `+19005550199`.
 * - Spaces, dashes, dots and parentheses are dropped; anything else (letters, `*`, `#`) is not a phone number.
 */

/** A number in its one comparable form. */
export interface PhoneNumber {
  /** `national`: a Chinese number (`13812345678`, `01012345678`, `12345`); `international`: E.164 of another country. */
  readonly kind: 'national' | 'international';
  /** National digits, or `+` and the E.164 digits. */
  readonly value: string;
}

/** The Chinese country code (E.164). */
const CN = '86';
/** A Chinese mobile number in national form: 1, then 3-9, then 9 digits (11 in all). */
const MOBILE = /^1[3-9]\d{9}$/;
/** Longest national form accepted (work orders have always taken up to 20 digits). */
const MAX_NATIONAL_DIGITS = 20;

/** Parses a number as written; undefined when it is not one (letters, signs, empty, too long). */
export function parsePhoneNumber(raw: string): PhoneNumber | undefined {
  // Bounded before any pattern runs: a number is short.
  if (raw.length > 64) return undefined;
  const cleaned = raw.trim().replace(/[\s().-]/g, '');
  const international = cleaned.startsWith('+') ? cleaned.slice(1) : cleaned.startsWith('00') ? cleaned.slice(2) : undefined;
  if (international !== undefined) {
    // ITU-T E.164 §6: at most 15 digits after the `+`.
    if (!/^\d{1,15}$/.test(international)) return undefined;
    if (international.startsWith(CN)) return national(fromCountryCode(international.slice(CN.length)));
    return { kind: 'international', value: `+${international}` };
  }
  if (!/^\d+$/.test(cleaned) || cleaned.length > MAX_NATIONAL_DIGITS) return undefined;
  // `86` then a mobile number: the country code written without `+` or `00` (13 digits, no other reading).
  if (cleaned.length === 13 && cleaned.startsWith(CN) && MOBILE.test(cleaned.slice(2))) return national(cleaned.slice(2));
  return national(cleaned);
}

/**
 * The one form numbers are stored and compared in: the national or E.164 form when `raw` is a
 * number, else `raw` trimmed (an `anonymous` caller stays what it was).
 */
export function normalisePhoneNumber(raw: string): string {
  return parsePhoneNumber(raw)?.value ?? raw.trim();
}

/**
 * Every form a number may have been stored in before numbers were normalised (digits only, with the
 * country code written as `86`, `0086` or `+86`), so a lookup by the normalised form also finds old rows.
 */
export function storedPhoneForms(raw: string): string[] {
  const parsed = parsePhoneNumber(raw);
  if (parsed === undefined) return [raw.trim()];
  if (parsed.kind === 'international') return [parsed.value, `00${parsed.value.slice(1)}`, parsed.value.slice(1)];
  const n = parsed.value;
  // A landline's trunk prefix 0 is dropped after the country code: 010… is +86 10….
  const afterCode = n.startsWith('0') ? n.slice(1) : n;
  if (afterCode === '') return [n];
  return [...new Set([n, `${CN}${afterCode}`, `00${CN}${afterCode}`, `+${CN}${afterCode}`])];
}

/** True when `national` (already in national form) is a Chinese mobile number. */
export function isMobileNumber(national: string): boolean {
  return MOBILE.test(national);
}

function national(value: string): PhoneNumber | undefined {
  return value === '' ? undefined : { kind: 'national', value };
}

/** The national form of what follows `+86`: a mobile number as it is, anything else gets the trunk prefix 0 back. */
function fromCountryCode(rest: string): string {
  if (rest === '' || MOBILE.test(rest)) return rest;
  return rest.startsWith('0') ? rest : `0${rest}`;
}

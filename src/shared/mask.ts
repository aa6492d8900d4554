/**
 * Masks a phone number for logs: keeps the first 3 and last 4 digits (138****5678).
 * Short numbers (extensions, 12345) are kept as they are: they identify no resident.
 */
export function maskPhone(value: string): string {
  const digits = value.replace(/^\+?86/, '');
  if (digits.length < 8) return value;
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

/**
 * What is kept as it is although it has long digit runs: ISO timestamps, ticket codes
 * (`20261202-000123`), UUIDs and 8-digit dates (`20261202`, as in recording paths).
 */
const KEEP = String.raw`\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?|\d{8}-\d{6}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])`;
/**
 * Phone-number shapes: a 7–15 digit run (optionally `+`/`00`/`86`-prefixed, with the `-` of a
 * landline area code) not touching a letter or digit, so `sip:13812345678@…`, `+8613812345678`,
 * `010-88886666` and `来电13812345678` are found, while hex ids and short numbers (extensions,
 * 12345) are not. Linear: no nested quantifiers.
 */
const PHONE = String.raw`\+?\d{7,15}|0\d{2,3}-\d{7,8}`;
/**
 * Mobile numbers also where letters touch them (`user13812345678`) or written with visual
 * separators (`138-1234-5678`, `138 1234 5678`, `+86-138-1234-5678`): only a digit may not touch.
 */
const MOBILE = String.raw`(?:(?:\+|00)?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}`;
const SCAN = new RegExp(
  String.raw`(?<![0-9A-Za-z])(${KEEP})(?![0-9A-Za-z])|(?<![\d+])(${MOBILE})(?!\d)|(?<![0-9A-Za-z])(${PHONE})(?![0-9A-Za-z])`,
  'g',
);

/** Masks one digit run found by `maskPhonesIn`: `138****5678`, `+86` dropped; short ones keep 2 + 2. */
function maskRun(run: string): string {
  const digits = run.replace(/\D/g, '').replace(/^(?:00)?86(?=1[3-9]\d{9}$)/, '');
  if (digits.length >= 10) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  return `${digits.slice(0, 2)}****${digits.slice(-2)}`;
}

/**
 * Every phone-number-like digit run in `text`, masked (for log lines: issue 9, item 7). Timestamps,
 * ticket codes, UUIDs and dates are left alone. Masking twice changes nothing.
 */
export function maskPhonesIn(text: string): string {
  // Bounded first: a log field is never scanned beyond 64 KB (the tail is dropped, not leaked).
  const bounded = text.length > 65_536 ? `${text.slice(0, 65_536)}…` : text;
  return bounded.replace(SCAN, (whole, keep: string | undefined) => (keep !== undefined ? whole : maskRun(whole)));
}

/**
 * How numbers and dates are written for the Mandarin synthesiser, so it reads them the way a
 * 12345 agent would: dates as 二〇二六年十二月三日, codes digit by digit with 幺 for 1, counts as words.
 */

const DIGIT_WORDS = ['零', '幺', '二', '三', '四', '五', '六', '七', '八', '九'];
const YEAR_DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const NUMERALS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** `20261122-000123` → `二零二六幺幺二二,零零零幺二三` (a pause where the dash is; other characters dropped). */
export function digitsForSpeech(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch >= '0' && ch <= '9') out += DIGIT_WORDS[Number(ch)] ?? '';
    else if (ch === '-' && out !== '' && !out.endsWith(',')) out += ',';
  }
  return out.replace(/,$/, '');
}

/** 0…99 as a cardinal: 3 → 三, 12 → 十二, 20 → 二十, 45 → 四十五; `两` for a lone 2 before a measure word. */
export function countForSpeech(n: number, options: { liang?: boolean } = {}): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`not a count: ${n}`);
  if (n === 2 && options.liang === true) return '两';
  if (n < 10) return NUMERALS[n] ?? '';
  if (n < 100) {
    const tens = Math.floor(n / 10);
    const ones = n % 10;
    return `${tens === 1 ? '' : (NUMERALS[tens] ?? '')}十${ones === 0 ? '' : (NUMERALS[ones] ?? '')}`;
  }
  return String(n).replace(/\d/g, (d) => NUMERALS[Number(d)] ?? '');
}

/** `20261203` → `二〇二六年十二月三日`; throws RangeError on anything else. */
export function dayForSpeech(day: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(day);
  if (m === null) throw new RangeError(`not a YYYYMMDD day: ${day}`);
  const [, year = '', month = '', date = ''] = m;
  const mm = Number(month);
  const dd = Number(date);
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) throw new RangeError(`not a calendar day: ${day}`);
  const spokenYear = year.replace(/\d/g, (d) => YEAR_DIGITS[Number(d)] ?? '');
  return `${spokenYear}年${countForSpeech(mm)}月${countForSpeech(dd)}日`;
}

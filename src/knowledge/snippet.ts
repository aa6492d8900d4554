import { normalizeText } from './search-terms.js';

/** Characters shown before the first match, and in all. */
const BEFORE = 30;
const LENGTH = 120;

/**
 * Up to LENGTH characters of `body` around the earliest occurrence of any needle (the query's pairs,
 * single characters and words, normalized), with … where the body was cut; the start of the body
 * when nothing occurs (a title-only match). Line breaks become spaces.
 */
export function snippetOf(body: string, needles: readonly string[]): string {
  const chars = Array.from(body);
  // NFKC of one character may be several (㈱ → (株)): compare per character so indices stay the body's.
  const folded = chars.map((c) => normalizeText(c));
  let first = -1;
  for (let i = 0; i < chars.length && first < 0; i++) {
    for (const needle of needles) {
      if (matchesAt(folded, i, needle)) {
        first = i;
        break;
      }
    }
  }
  const start = first <= BEFORE ? 0 : first - BEFORE;
  const end = Math.min(chars.length, start + LENGTH);
  const text = chars.slice(start, end).join('').replace(/\s+/g, ' ').trim();
  return `${start > 0 ? '…' : ''}${text}${end < chars.length ? '…' : ''}`;
}

function matchesAt(folded: readonly string[], at: number, needle: string): boolean {
  let rest = needle;
  for (let i = at; i < folded.length && rest !== ''; i++) {
    const piece = folded[i] ?? '';
    if (!rest.startsWith(piece) || piece === '') return false;
    rest = rest.slice(piece.length);
  }
  return rest === '';
}

/**
 * The search terms of the knowledge base: Chinese text as overlapping character pairs (bigrams),
 * other letters and digits as whole words. Each term is a whole number, so the index is one table
 * of (term, article, weight) that SQLite and MariaDB search the same way (an index range, no
 * FULLTEXT): InnoDB's full-text parser splits on spaces and punctuation, so 社保 inside
 * 社保卡补办流程 is not a word to it, and MariaDB has no ngram parser (MySQL's is not in MariaDB).
 *
 * Term space (all below 2^53, exact in a JS number and a BIGINT):
 * - Han pair `ab`: a × 2^21 + b (code points are below 2^21). A Han run's last character also gives
 *   `a × 2^21 + 0` (a pair with "end"), so every character of every run starts some term and a query
 *   of one character is the range [a × 2^21, a × 2^21 + 2^21 − 1].
 * - word (Latin, digits, other scripts): WORD_BASE + FNV-1a 32-bit hash of the lower-cased word.
 */

const PAIR_SHIFT = 2 ** 21;
const WORD_BASE = 2 ** 43;
/** Longest word kept (a longer run of letters is cut: an id or a URL, not a word anyone types). */
const MAX_WORD_CHARS = 32;
/** Terms of one query looked up, at most: a pasted paragraph must not turn into a thousand-term OR. */
export const MAX_QUERY_TERMS = 16;
/** Single-character ranges of one query, at most. */
export const MAX_QUERY_RANGES = 3;

/** How much one occurrence counts, by where it is. */
export const TERM_WEIGHTS = { title: 8, tag: 6, bodyPerHit: 1, bodyMax: 4 } as const;

const HAN = /\p{Script=Han}/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;

type Run = { readonly kind: 'han' | 'word'; readonly text: string };

/** Full-width forms folded to ASCII (ＡＢＣ１２３ → abc123), letters lower-cased. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Runs of Han characters and runs of other letters/digits; everything else separates. */
function runsOf(text: string): Run[] {
  const runs: Run[] = [];
  let kind: Run['kind'] | undefined;
  let current = '';
  for (const ch of normalizeText(text)) {
    const k = HAN.test(ch) ? 'han' : WORD_CHAR.test(ch) ? 'word' : undefined;
    if (k !== kind && current !== '') {
      if (kind !== undefined) runs.push({ kind, text: current });
      current = '';
    }
    kind = k;
    if (k !== undefined) current += ch;
  }
  if (kind !== undefined && current !== '') runs.push({ kind, text: current });
  return runs;
}

function pairTerm(a: string, b: string | undefined): number {
  return (a.codePointAt(0) ?? 0) * PAIR_SHIFT + (b === undefined ? 0 : (b.codePointAt(0) ?? 0));
}

/** FNV-1a over the UTF-16 units: stable across processes and dialects. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function wordTerm(word: string): number {
  return WORD_BASE + fnv1a(Array.from(word).slice(0, MAX_WORD_CHARS).join(''));
}

/** Every term of a text with how often it occurs. */
export function termCounts(text: string): Map<number, number> {
  const counts = new Map<number, number>();
  const add = (term: number): void => {
    counts.set(term, (counts.get(term) ?? 0) + 1);
  };
  for (const run of runsOf(text)) {
    if (run.kind === 'word') {
      add(wordTerm(run.text));
      continue;
    }
    const chars = Array.from(run.text);
    for (let i = 0; i < chars.length; i++) add(pairTerm(chars[i] ?? '', chars[i + 1]));
  }
  return counts;
}

/** What of an article is indexed. */
export interface IndexedFields {
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
}

/**
 * The index rows of one article: each term once with its weight — a hit in the title counts
 * TERM_WEIGHTS.title, in a tag .tag, and each body hit .bodyPerHit up to .bodyMax (a term repeated
 * fifty times in a long body should not outrank the article whose title it is).
 */
export function indexTerms(fields: IndexedFields): Map<number, number> {
  const weights = new Map<number, number>();
  const add = (term: number, w: number): void => {
    weights.set(term, (weights.get(term) ?? 0) + w);
  };
  for (const term of termCounts(fields.title).keys()) add(term, TERM_WEIGHTS.title);
  for (const term of termCounts(fields.tags.join(' ')).keys()) add(term, TERM_WEIGHTS.tag);
  for (const [term, n] of termCounts(fields.body)) add(term, Math.min(n * TERM_WEIGHTS.bodyPerHit, TERM_WEIGHTS.bodyMax));
  return weights;
}

/** A search as the database runs it. */
export interface SearchTerms {
  /** Terms matched exactly (pairs of two Han characters, words). */
  readonly exact: readonly number[];
  /** One range per single Han character of the query: every pair starting with it. */
  readonly ranges: readonly (readonly [number, number])[];
  /** The strings the terms stand for, for highlighting and snippets (normalized: lower case, half width). */
  readonly needles: readonly string[];
}

/**
 * The terms of a query: a Han run of two or more characters gives its pairs (社保卡 → 社保, 保卡), one
 * Han character alone gives a range (水 → 水x for every x), a word gives its word term. Duplicates are
 * dropped; at most MAX_QUERY_TERMS exact terms and MAX_QUERY_RANGES ranges, in query order.
 */
export function queryTerms(query: string): SearchTerms {
  const exact = new Map<number, string>();
  const ranges = new Map<number, string>();
  const needles = new Set<string>();
  for (const run of runsOf(query)) {
    if (run.kind === 'word') {
      const word = Array.from(run.text).slice(0, MAX_WORD_CHARS).join('');
      if (exact.size < MAX_QUERY_TERMS && !exact.has(wordTerm(word))) exact.set(wordTerm(word), word);
      continue;
    }
    const chars = Array.from(run.text);
    if (chars.length === 1) {
      const start = pairTerm(run.text, undefined);
      if (ranges.size < MAX_QUERY_RANGES) ranges.set(start, run.text);
      continue;
    }
    for (let i = 0; i + 1 < chars.length && exact.size < MAX_QUERY_TERMS; i++) {
      const pair = `${chars[i] ?? ''}${chars[i + 1] ?? ''}`;
      exact.set(pairTerm(chars[i] ?? '', chars[i + 1]), pair);
    }
  }
  for (const word of exact.values()) needles.add(word);
  for (const ch of ranges.values()) needles.add(ch);
  return {
    exact: [...exact.keys()],
    ranges: [...ranges.keys()].map((start) => [start, start + PAIR_SHIFT - 1] as const),
    needles: [...needles],
  };
}

/** True when the query has nothing to search for (only punctuation or spaces). */
export function isEmptyQuery(terms: SearchTerms): boolean {
  return terms.exact.length === 0 && terms.ranges.length === 0;
}

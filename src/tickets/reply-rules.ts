/**
 * Form rules for a unit's reply (答复): shared/DOMAIN.md says empty or boilerplate replies are refused.
 * Each rule gives the refusal in plain words; `replyContentIssues` returns every rule that fails.
 */

/** Phrases that say nothing on their own (a reply made only of these, in any order or repetition, is refused). */
export const BOILERPLATE_PHRASES: readonly string[] = [
  '情况属实已处理',
  '已处理完毕',
  '已办理完毕',
  '情况属实',
  '已处理',
  '已办理',
  '已转交',
  '已解决',
  '已回复',
  '已联系',
  '已核实',
  '已落实',
  '处理完毕',
  '办理完毕',
  '已知悉',
  '收到',
];

/** A reply must mention at least this many different Chinese characters to say what was done. */
export const MIN_DISTINCT_HAN = 8;
/** The same character this many times in a row is keyboard filler, not text. */
export const MAX_CHAR_RUN = 5;

const HAN = /\p{Script=Han}/u;
const FILLER = /[\s\p{P}\p{S}]/gu;

interface ReplyRule {
  readonly test: (content: string, text: string) => boolean;
  readonly message: string;
}

const RULES: readonly ReplyRule[] = [
  {
    test: (_content, text) => text.length > 0 && stripPhrases(text).length === 0,
    message: `is boilerplate (only phrases such as ${BOILERPLATE_PHRASES.slice(0, 4).join('、')}): say what was found, what was done and the result`,
  },
  {
    test: (_content, text) => repeatsOneUnit(text),
    message: 'repeats the same characters: write the actual reply',
  },
  {
    test: (content) => longestRun(Array.from(content.replace(/\s/g, ''))) >= MAX_CHAR_RUN,
    message: `repeats one character ${MAX_CHAR_RUN} or more times in a row: write the actual reply`,
  },
  {
    test: (content) => new Set(Array.from(content).filter((c) => HAN.test(c))).size < MIN_DISTINCT_HAN,
    message: `must use at least ${MIN_DISTINCT_HAN} different Chinese characters: say what was found, what was done and the result`,
  },
];

/** Every failed rule's message (empty when the reply content is acceptable). */
export function replyContentIssues(content: string): string[] {
  const text = content.replace(FILLER, '');
  return RULES.filter((r) => r.test(content, text)).map((r) => r.message);
}

/** Longest first, so 已办理完毕 goes whole rather than leaving 完毕. */
const PHRASES_LONGEST_FIRST = [...BOILERPLATE_PHRASES].sort((a, b) => b.length - a.length);

function stripPhrases(text: string): string {
  let rest = text;
  for (const phrase of PHRASES_LONGEST_FIRST) rest = rest.split(phrase).join('');
  return rest;
}

/** True when the text is one short unit (1-4 characters) said over and over: 好好好好, 已处理已处理. */
function repeatsOneUnit(text: string): boolean {
  const chars = Array.from(text);
  for (let size = 1; size <= 4 && size * 2 <= chars.length; size++) {
    if (chars.length % size !== 0) continue;
    const unit = chars.slice(0, size).join('');
    if (unit.repeat(chars.length / size) === text) return true;
  }
  return false;
}

function longestRun(chars: readonly string[]): number {
  let best = 0;
  let run = 0;
  let previous: string | undefined;
  for (const c of chars) {
    run = c === previous ? run + 1 : 1;
    previous = c;
    best = Math.max(best, run);
  }
  return best;
}

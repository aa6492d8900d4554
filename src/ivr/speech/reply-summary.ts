/** Sentence ends a summary may be cut after (Chinese and ASCII). */
const SENTENCE_END = /[。！？；!?;]/;

/**
 * A unit's free-text reply made fit to be read on the phone: control characters and markup-like
 * brackets dropped, whitespace runs made one space, and cut to at most `maxChars` characters — after
 * the last sentence end inside the limit when there is one in its second half, else at the limit,
 * ending with "。" so the synthesiser falls in pitch. Empty (nothing speakable) gives ''.
 * Linear in the text's length; the text is never logged (it may name people).
 */
export function summaryForSpeech(text: string, maxChars: number): string {
  if (!Number.isInteger(maxChars) || maxChars < 2) throw new RangeError(`maxChars must be a whole number ≥ 2: ${maxChars}`);
  // Code points, so a cut never splits a surrogate pair.
  const chars = Array.from(text.replace(/[\p{Cc}<>{}]/gu, ' ').replace(/\s+/g, ' ').trim());
  if (chars.length === 0) return '';
  if (chars.length <= maxChars) return chars.join('');
  const head = chars.slice(0, maxChars - 1);
  let end = -1;
  for (let i = head.length - 1; i >= Math.floor(head.length / 2); i--) {
    if (SENTENCE_END.test(head[i] ?? '')) {
      end = i;
      break;
    }
  }
  if (end >= 0) return head.slice(0, end + 1).join('');
  return `${head.join('').replace(/[，,、：:\s]+$/, '')}。`;
}

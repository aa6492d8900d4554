/** Caller numbers: a pool of distinct mobile numbers (1[3-9]x xxxx xxxx), so callers call again. */
const SPAN = 6_900_000_000;

export function phoneOf(index: number): string {
  // 2654435761 is prime and coprime to SPAN: a bijection from the pool index onto the span.
  return String(13_000_000_000 + ((index * 2_654_435_761) % SPAN));
}

/**
 * Marks where the searched terms occur in a text (title, snippet): the server answers the strings it
 * searched for (pairs of characters, single characters, words); overlapping and adjacent hits merge, so
 * 社保卡 searched as 社保 + 保卡 is one mark. Case and full-width letters are folded as the server does.
 */
export interface Segment {
  readonly text: string;
  readonly mark: boolean;
}

export function highlight(text: string, terms: readonly string[]): Segment[] {
  const chars = Array.from(text);
  const folded = chars.map((c) => c.normalize('NFKC').toLowerCase());
  const marked = new Array<boolean>(chars.length).fill(false);
  for (const term of terms) {
    const t = Array.from(term.normalize('NFKC').toLowerCase());
    if (t.length === 0) continue;
    for (let i = 0; i + t.length <= folded.length; i++) {
      let hit = true;
      for (let j = 0; j < t.length && hit; j++) hit = folded[i + j] === t[j];
      if (hit) for (let j = 0; j < t.length; j++) marked[i + j] = true;
    }
  }
  const out: Segment[] = [];
  for (let i = 0; i < chars.length; i++) {
    const last = out[out.length - 1];
    if (last !== undefined && last.mark === marked[i]) out[out.length - 1] = { text: last.text + (chars[i] ?? ''), mark: last.mark };
    else out.push({ text: chars[i] ?? '', mark: marked[i] ?? false });
  }
  return out;
}

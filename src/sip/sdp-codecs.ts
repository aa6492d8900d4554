/** RFC 3551 Table 4 static payload types of the codecs the engine speaks. */
const STATIC_NAMES: Readonly<Record<string, string>> = { '0': 'PCMU', '8': 'PCMA' };
const ENGINE_CODECS = new Set(['PCMU', 'PCMA']);

/**
 * A trunk's allowed codecs applied to an SDP offer (trunks file `codecs`): the payload types of the
 * engine's codecs (PCMU, PCMA) that are not allowed are removed from each audio m= line, with their
 * a=rtpmap/a=fmtp lines, before the media layer chooses (RFC 3264 §6: the answer picks from what the
 * offer lists). Other formats (telephone-event, codecs the engine ignores anyway) stay. `usable` is
 * false when no allowed codec is left: the caller answers 488. Bounded work: one pass over the lines.
 */
export function restrictCodecs(sdp: string, allowed: readonly string[]): { readonly sdp: string; readonly usable: boolean } {
  const keep = new Set(allowed.map((c) => c.toUpperCase()));
  const lines = sdp.split(/\r?\n/);
  // Names by payload type per media section, from a=rtpmap (RFC 4566 §6).
  const sections: { start: number; names: Map<string, string> }[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith('m=')) sections.push({ start: i, names: new Map() });
    const map = /^a=rtpmap:(\d{1,3}) ([^/\s]+)/.exec(line);
    if (map?.[1] !== undefined && map[2] !== undefined) sections[sections.length - 1]?.names.set(map[1], map[2].toUpperCase());
  });
  let usable = false;
  const removed = new Map<number, Set<string>>();
  for (const section of sections) {
    const m = /^m=audio (\S+) (\S+) (.*)$/.exec(lines[section.start] ?? '');
    if (!m) continue;
    const drop = new Set<string>();
    const formats = (m[3] ?? '').trim().split(/\s+/).filter((pt) => {
      const name = section.names.get(pt) ?? STATIC_NAMES[pt];
      if (name !== undefined && ENGINE_CODECS.has(name) && !keep.has(name)) {
        drop.add(pt);
        return false;
      }
      if (name !== undefined && keep.has(name)) usable = true;
      return true;
    });
    lines[section.start] = `m=audio ${m[1] ?? ''} ${m[2] ?? ''} ${formats.join(' ')}`;
    removed.set(section.start, drop);
  }
  let current: Set<string> | undefined;
  const out = lines.filter((line, i) => {
    if (line.startsWith('m=')) current = removed.get(i);
    const pt = /^a=(?:rtpmap|fmtp):(\d{1,3})[ ]/.exec(line)?.[1];
    return pt === undefined || current?.has(pt) !== true;
  });
  return { sdp: out.join('\r\n'), usable };
}

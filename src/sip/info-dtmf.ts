/**
 * DTMF carried in SIP INFO bodies. Two de-facto formats (no RFC defines them):
 * - `application/dtmf-relay` (Cisco): `Signal=5\r\nDuration=160`; Signal 10 and 11 mean * and #.
 * - `application/dtmf`: the body is the digit itself.
 * Returns the digit (0-9 * # A-D), `undefined` when the body holds none, or `null` when the content type
 * is not a DTMF type at all.
 */
export const DTMF_INFO_TYPES: readonly string[] = ['application/dtmf-relay', 'application/dtmf'];

const DIGIT = /^[0-9*#A-D]$/;

export function parseInfoDtmf(contentType: string, body: string): string | undefined | null {
  let value: string | undefined;
  if (contentType === 'application/dtmf-relay') {
    // Line by line: one regex over the whole body retried `\s*` at every newline (quadratic on a body of blank lines).
    for (const line of body.split(/\r\n|\r|\n/)) {
      value = /^signal\s*=\s*(\S+)/i.exec(line.trim())?.[1];
      if (value !== undefined) break;
    }
  } else if (contentType === 'application/dtmf') {
    value = body.trim();
  } else {
    return null;
  }
  if (value === undefined) return undefined;
  const mapped = value === '10' ? '*' : value === '11' ? '#' : value.toUpperCase();
  return DIGIT.test(mapped) ? mapped : undefined;
}

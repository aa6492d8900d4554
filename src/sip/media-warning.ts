/** Longest warn-text we put in a response: the reason, not an essay. */
const MAX_TEXT = 200;

/**
 * A Warning header (RFC 3261 §20.43) for a 488 whose cause the peer can fix: an SRTP offer we refuse
 * (media error SDP_SRTP_REFUSED: keys over UDP, an unsupported a=crypto suite, a bad key length). Code
 * 399 (miscellaneous), the pseudonym `hotline` as warn-agent (§20.43 allows one: no address to keep
 * in step with Via), the reason as a quoted string. Undefined for other
 * errors (their wording is for our log). Printable ASCII only, quotes and backslashes dropped; the
 * media layer never quotes a key.
 */
export function srtpWarningHeader(error: { readonly code: string; readonly message: string }): Record<string, string> | undefined {
  if (error.code !== 'SDP_SRTP_REFUSED') return undefined;
  const text = error.message.replace(/§/g, 'section ').replace(/[^\x20-\x7e]|["\\]/g, '').slice(0, MAX_TEXT);
  return { warning: `399 hotline "${text}"` };
}

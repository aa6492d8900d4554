import { NOTICE_PRESSED_VARIABLE, NOTICES_HEARD_VARIABLE } from '../ivr/nodes/notices-node.js';
import type { NoticeHit } from './notice.js';

/** Where the hits of a call go (db/durable-notice-hits.ts: through its own record spool). */
export interface NoticeHitWriter {
  /** Resolves once the hits are stored durably (spooled); rejects when they cannot be. */
  write(hits: readonly NoticeHit[]): Promise<void>;
}

/** At most this many notices are read on one call (the node's `maxNotices` cap). */
const MAX_HITS = 10;

/**
 * The notice hits of one inbound call, from the variables its IVR run ended with (`noticesHeard`,
 * `noticePressed`, set by the `notices` node). Anything else in them (a flow that sets the same
 * names by hand) is ignored: ids are positive whole numbers, a pressed id must have been heard.
 * `call.key` is unique to this call (a random id; Call-IDs may repeat): the hits' keys derive from it,
 * so a replayed write stores each hit once.
 */
export function noticeHitsOf(call: { readonly callId: string; readonly key: string }, variables: Readonly<Record<string, string>> | undefined, at: number, timeZone: string): NoticeHit[] {
  const heardText = variables?.[NOTICES_HEARD_VARIABLE];
  if (heardText === undefined || heardText === '') return [];
  const heard: number[] = [];
  for (const part of heardText.split(',').slice(0, MAX_HITS)) {
    if (!/^[1-9]\d{0,9}$/.test(part)) continue;
    const id = Number(part);
    if (!heard.includes(id)) heard.push(id);
  }
  const pressed = variables?.[NOTICE_PRESSED_VARIABLE];
  const day = localDay(at, timeZone);
  return heard.map((noticeId) => ({ key: `${call.key}#${noticeId}`, noticeId, callId: call.callId, day, at, pressed: pressed === String(noticeId) }));
}

/** `YYYY-MM-DD` of `instant` in `timeZone`. */
export function localDay(instant: number, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}

/** The day after `day` (both `YYYY-MM-DD`): the exclusive end of a one-day range. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

import { phoneOf } from './phones.js';
import type { Random } from './random.js';
import { HOUR_MS, sqlTime } from './time.js';
import type { TsvBuffer } from './tsv.js';

/** Relative call volume per local hour (0 … 23): quiet nights, peaks mid-morning and mid-afternoon. */
const HOUR_WEIGHTS = [2, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 15, 11, 12, 15, 15, 14, 13, 10, 9, 8, 6, 4, 3];
const HOUR_CDF: number[] = (() => {
  const total = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);
  let acc = 0;
  return HOUR_WEIGHTS.map((w) => (acc += w / total));
})();

const QUEUES = { hotline: 85, business: 10, foreign: 5 } as const;
export const AGENT_COUNT = 240;
const AGENT_USER_ID_BASE = 1000;

/** An answered call: what a work order taken on it needs. */
export interface AnsweredCall {
  readonly callId: string;
  readonly phone: string;
  readonly agentUserId: number;
  /** When the talk ended (the order is saved around then). */
  readonly talkEndMs: number;
}

export interface CallDayOutput {
  readonly calls: TsvBuffer;
  readonly queueEvents: TsvBuffer;
}

/** Position within the day (0 … 1 of 24 h) of the u-quantile of the hourly profile: monotonic in u. */
function dayFraction(u: number): number {
  let h = 0;
  while (h < 23 && (HOUR_CDF[h] ?? 1) < u) h++;
  const lo = h === 0 ? 0 : (HOUR_CDF[h - 1] ?? 0);
  const hi = HOUR_CDF[h] ?? 1;
  return (h + (hi > lo ? (u - lo) / (hi - lo) : 0)) / 24;
}

/** Queue wait until answer (ms): mostly under 15 s, a tail to 120 s. */
function answerWaitMs(rnd: Random): number {
  if (rnd.chance(0.78)) return Math.round(1000 + 14_000 * rnd.next() ** 1.6);
  return Math.round(Math.min(120_000, 15_000 + rnd.exp(25_000)));
}

/** Wait before the caller gives up (ms): some at once, most after 15 s. */
function abandonWaitMs(rnd: Random): number {
  if (rnd.chance(0.35)) return rnd.int(1500, 15_000);
  return Math.round(Math.min(120_000, 15_000 + rnd.exp(30_000)));
}

/**
 * One local day of inbound calls, ids in time order (`<seq base36>@gen`, so inserts append to the
 * primary key and the call_id indexes). ~85 % ask for an agent (queue events as the ACD writes them:
 * entered, offered, rona, answered, abandoned, ended, wrap-up-ended); the rest end in the IVR.
 */
export function generateCallDay(
  rnd: Random,
  dayStartMs: number,
  count: number,
  firstSeq: number,
  phonePool: number,
  out: CallDayOutput,
  answered: AnsweredCall[],
): void {
  for (let i = 0; i < count; i++) {
    const seq = firstSeq + i;
    const callId = `${seq.toString(36).padStart(8, '0')}@gen.hotline`;
    const start = dayStartMs + dayFraction((i + rnd.next()) / count) * 24 * HOUR_MS;
    const phone = phoneOf(Math.floor(rnd.next() ** 1.3 * phonePool));
    const answeredAt = start + rnd.int(300, 1500);
    if (!rnd.chance(0.85)) {
      // IVR only: listened to the announcements (or a self-service branch) and hung up.
      const end = answeredAt + rnd.int(8_000, 120_000);
      const digits = rnd.pick(['', '3', '4', '9']);
      out.calls.add([callId, 'inbound', phone, '12345', sqlTime(start), sqlTime(answeredAt), sqlTime(end), 'hangup', 'caller', digits, digits === '' ? 'welcome' : `welcome>menu>${digits}`, sqlTime(start), sqlTime(end), null, null, null, null, null, null]);
      continue;
    }
    const queue = rnd.weighted(QUEUES);
    const digits = queue === 'hotline' ? '1' : queue === 'business' ? '2' : '8';
    const entered = answeredAt + rnd.int(6_000, 40_000);
    const ivrPath = `welcome>menu>${digits}>queue`;
    out.queueEvents.add([callId, queue, 'entered', null, null, null, null, sqlTime(entered)]);
    const agentIndex = rnd.int(1, AGENT_COUNT);
    const agentId = String(AGENT_USER_ID_BASE + agentIndex);
    const ext = String(8000 + agentIndex);
    if (rnd.chance(0.11)) {
      const wait = abandonWaitMs(rnd);
      const gone = entered + wait;
      if (wait > 8000 && rnd.chance(0.3)) {
        // Hung up while an agent's phone rang.
        const offered = gone - rnd.int(1000, 6000);
        out.queueEvents.add([callId, queue, 'offered', agentId, ext, Math.round(offered - entered), null, sqlTime(offered)]);
      }
      out.queueEvents.add([callId, queue, 'abandoned', null, null, wait, null, sqlTime(gone)]);
      out.calls.add([callId, 'inbound', phone, '12345', sqlTime(start), sqlTime(answeredAt), sqlTime(gone), 'abandoned', 'caller', digits, ivrPath, sqlTime(start), sqlTime(gone), queue, sqlTime(entered), null, null, null, null]);
      continue;
    }
    let wait = answerWaitMs(rnd);
    if (rnd.chance(0.05)) {
      // Ring, no answer on a first agent (15 s), then offered again.
      wait += 15_000;
      const firstOffer = entered + Math.max(0, wait - 15_000 - rnd.int(2000, 8000));
      const other = String(AGENT_USER_ID_BASE + rnd.int(1, AGENT_COUNT));
      out.queueEvents.add([callId, queue, 'offered', other, String(8000 + Number(other) - AGENT_USER_ID_BASE), Math.round(firstOffer - entered), null, sqlTime(firstOffer)]);
      out.queueEvents.add([callId, queue, 'rona', other, String(8000 + Number(other) - AGENT_USER_ID_BASE), null, null, sqlTime(firstOffer + 15_000)]);
    }
    const pickUp = entered + wait;
    const ring = Math.min(rnd.int(2000, 8000), Math.round(wait * 0.8));
    const offered = pickUp - ring;
    out.queueEvents.add([callId, queue, 'offered', agentId, ext, Math.round(offered - entered), null, sqlTime(offered)]);
    out.queueEvents.add([callId, queue, 'answered', agentId, ext, wait, null, sqlTime(pickUp)]);
    const talk = Math.round(rnd.between(60_000, 200_000) + (rnd.chance(0.3) ? rnd.between(0, 400_000) : 0));
    const end = pickUp + talk;
    out.queueEvents.add([callId, queue, 'ended', agentId, ext, null, talk, sqlTime(end)]);
    out.queueEvents.add([callId, queue, 'wrap-up-ended', agentId, ext, null, null, sqlTime(end + rnd.int(10_000, 60_000))]);
    const day = sqlTime(start).slice(0, 10).replace(/-/g, '/');
    out.calls.add([callId, 'inbound', phone, '12345', sqlTime(start), sqlTime(answeredAt), sqlTime(end), 'completed', rnd.chance(0.6) ? 'caller' : 'callee', digits, ivrPath, sqlTime(start), sqlTime(end), queue, sqlTime(entered), Number(agentId), ext, sqlTime(pickUp), `recordings/${day}/${callId}.wav`]);
    answered.push({ callId, phone, agentUserId: Number(agentId), talkEndMs: end });
  }
}

import type { QueryInterface } from 'sequelize';
import type { QueueEvent, QueueEventType } from '../../src/acd/acd-record-repository.js';

/**
 * A hand-built day, every metric worked out by hand below. The report period is 2026-11-20 in
 * Asia/Shanghai = [2026-11-19T16:00Z, 2026-11-20T16:00Z); "now" is 2026-11-21T02:00Z. `D hh:mm` is
 * 2026-11-20Thh:mmZ (inside the period until 16:00).
 */
export const D = (hhmm: string): Date => new Date(`2026-11-20T${hhmm}:00.000Z`);
export const at = (iso: string): Date => new Date(iso);
export const NOW = at('2026-11-21T02:00:00.000Z');
export const CALLS_T0 = D('01:00').getTime();

export function qe(callId: string, event: QueueEventType, atS: number, waitS: number | null = null, queue = 'general', base = CALLS_T0): QueueEvent {
  return { callId, queue, event, agentId: null, extension: null, waitMs: waitS === null ? null : waitS * 1000, talkMs: null, at: new Date(base + atS * 1000) };
}

/**
 * 12 calls (SL 15 s). In the period: every call whose first `entered` row is in it (c10 entered the day before).
 * c01 answered after 5 s, handled 100 s   c02 answered 12 s, handled 200 s   c03 answered 15 s (= SL), handled 60 s
 * c04 answered 30 s, handled 140 s        c05 RONA, answered 40 s, wrap-up not ended
 * c06 abandoned 3 s   c07 abandoned 25 s  c12 abandoned 4 s
 * c08 overflowed general → complaint at 60 s, answered there at 70 s, handled 30 s
 * c09 left for a callback at 50 s         c10 entered 23:59:50 the day before (out)
 * c11 entered 10 s before the end of the period, answered 8 s later (after `to`: still in, by its entry)
 */
export const QUEUE_EVENTS: QueueEvent[] = [
  qe('c01', 'entered', 0, 0), qe('c01', 'offered', 1, 1), qe('c01', 'answered', 5, 5), qe('c01', 'ended', 95), qe('c01', 'wrap-up-ended', 105),
  qe('c02', 'entered', 0, 0), qe('c02', 'answered', 12, 12), qe('c02', 'ended', 180), qe('c02', 'wrap-up-ended', 212),
  qe('c03', 'entered', 0, 0), qe('c03', 'answered', 15, 15), qe('c03', 'wrap-up-ended', 75),
  qe('c04', 'entered', 0, 0), qe('c04', 'answered', 30, 30), qe('c04', 'wrap-up-ended', 170),
  qe('c05', 'entered', 0, 0), qe('c05', 'rona', 16, 16), qe('c05', 'answered', 40, 40), qe('c05', 'ended', 100),
  qe('c06', 'entered', 0, 0), qe('c06', 'abandoned', 3, 3),
  qe('c07', 'entered', 0, 0), qe('c07', 'abandoned', 25, 25),
  qe('c08', 'entered', 0, 0), qe('c08', 'overflow', 60, 60), qe('c08', 'entered', 60, 60, 'complaint'), qe('c08', 'answered', 70, 70, 'complaint'), qe('c08', 'wrap-up-ended', 100, null, 'complaint'),
  qe('c09', 'entered', 0, 0), qe('c09', 'callback', 50, 50),
  qe('c10', 'entered', 0, 0, 'general', at('2026-11-19T15:59:50.000Z').getTime()), qe('c10', 'answered', 15, 15, 'general', at('2026-11-19T15:59:50.000Z').getTime()),
  qe('c11', 'entered', 0, 0, 'general', at('2026-11-20T15:59:55.000Z').getTime()), qe('c11', 'answered', 8, 8, 'general', at('2026-11-20T15:59:55.000Z').getTime()),
  qe('c12', 'entered', 0, 0), qe('c12', 'abandoned', 4, 4),
];

// offered 11 (c01–c09, c11, c12); answered 7 (c01 c02 c03 c04 c05 c08 c11); within 15 s: c01 5, c02 12, c03 15, c11 8 = 4;
// abandoned 3 (c06 c07 c12). 接通率 7/11, 15秒接通率 4/11, 放弃率 3/11.
// ASA = (5 + 12 + 15 + 30 + 40 + 70 + 8) / 7 = 180/7 s. AHT = (100 + 200 + 60 + 140 + 30) / 5 = 530/5 = 106 s.
export const CALLS = { offered: 11, answered: 7, answeredWithinSl: 4, abandoned: 3, answerRate: 7 / 11, serviceLevel: 4 / 11, abandonRate: 3 / 11, asaS: 180 / 7, ahtS: 106 };

export type Ev = [type: string, at: Date, unitId: number | null, data?: Record<string, unknown>];
export interface Order {
  id: number;
  category: number;
  created: Date;
  state: string;
  unit: number | null;
  signBy: Date | null;
  replyBy: Date | null;
  events: Ev[];
}
export const U1 = 1;
export const U2 = 2;
export const [A1, A2, B1] = [3, 4, 5];
export const survey = (satisfaction: string, resolution?: string): Record<string, unknown> => (resolution === undefined ? { satisfaction } : { satisfaction, resolution });

export const ORDERS: Order[] = [
  // o1: from the 18th, closed in the period by a 满意 survey, before its reply_by (D 10:00).
  { id: 1, category: A2, created: at('2026-11-18T02:00:00Z'), state: 'closed', unit: U1, signBy: at('2026-11-19T02:05:00Z'), replyBy: D('10:00'),
    events: [['created', at('2026-11-18T02:00:00Z'), null], ['dispatched', at('2026-11-18T02:05:00Z'), U1], ['signed', at('2026-11-18T03:00:00Z'), U1], ['replied', at('2026-11-19T08:00:00Z'), U1], ['surveyed', D('03:00'), U1, survey('satisfied', 'resolved')], ['closed', D('03:00'), U1]] },
  // o2: signed on time, closed 14:00 after its reply_by 12:00 (late); 基本满意, partly resolved.
  { id: 2, category: A1, created: D('01:00'), state: 'closed', unit: U1, signBy: D('05:00'), replyBy: D('12:00'),
    events: [['created', D('01:00'), null], ['dispatched', D('01:05'), U1], ['signed', D('02:00'), U1], ['replied', D('13:00'), U1], ['surveyed', D('14:00'), U1, survey('basically', 'partly')], ['closed', D('14:00'), U1]] },
  // o3: returned by U1 (退单), re-dispatched to U2, signed 09:00 after sign_by 08:00; open, reply_by 15:00 passed: red.
  { id: 3, category: A1, created: D('01:10'), state: 'signed', unit: U2, signBy: D('08:00'), replyBy: D('15:00'),
    events: [['created', D('01:10'), null], ['dispatched', D('01:15'), U1], ['returned', D('03:00'), U1], ['dispatched', D('03:30'), U2], ['signed', D('09:00'), U2]] },
  // o4: closed on the 19th, reopened (重办) in the period, 不满意 then closed by hand 06:30 before reply_by 11:00.
  { id: 4, category: A2, created: at('2026-11-17T02:00:00Z'), state: 'closed', unit: U2, signBy: D('06:00'), replyBy: D('11:00'),
    events: [['created', at('2026-11-17T02:00:00Z'), null], ['dispatched', at('2026-11-17T02:00:00Z'), U2], ['signed', at('2026-11-17T03:00:00Z'), U2], ['closed', at('2026-11-19T10:00:00Z'), U2], ['reopened', D('02:00'), U2], ['signed', D('03:00'), U2], ['replied', D('05:00'), U2], ['surveyed', D('06:00'), U2, survey('unsatisfied', 'partly')], ['closed', D('06:30'), U2]] },
  // o5: a linked duplicate; unreachable at the survey (not rated), closed; reply_by 20:00 is after the period.
  { id: 5, category: A1, created: D('04:00'), state: 'closed', unit: U1, signBy: D('08:00'), replyBy: D('20:00'),
    events: [['created', D('04:00'), null], ['linked-duplicate', D('04:00'), null, { duplicateOf: 2, role: 'duplicate' }], ['dispatched', D('04:00'), U1], ['signed', D('05:00'), U1], ['replied', D('06:00'), U1], ['surveyed', D('07:00'), U1, survey('unreachable')], ['closed', D('07:00'), U1]] },
  // o6: 直办, answered on the call: no unit, no deadline.
  { id: 6, category: A2, created: D('05:00'), state: 'closed', unit: null, signBy: null, replyBy: null, events: [['created', D('05:00'), null], ['closed', D('05:00'), null, { answeredOnCall: true }]] },
  // o7: dispatched to U1, never signed; sign_by 10:00 passed: red.
  { id: 7, category: B1, created: D('06:00'), state: 'dispatched', unit: U1, signBy: D('10:00'), replyBy: at('2026-11-25T10:00:00Z'), events: [['created', D('06:00'), null], ['dispatched', D('06:00'), U1]] },
  // o8: surveyed twice in the period: 不满意 → reopened, then 满意 → closed 09:00 before reply_by 13:00 (the last survey counts).
  { id: 8, category: A2, created: at('2026-11-18T20:00:00Z'), state: 'closed', unit: U2, signBy: D('05:00'), replyBy: D('13:00'),
    events: [['created', at('2026-11-18T20:00:00Z'), null], ['dispatched', at('2026-11-18T20:00:00Z'), U2], ['signed', at('2026-11-18T21:00:00Z'), U2], ['replied', D('01:00'), U2], ['surveyed', D('02:00'), U2, survey('unsatisfied', 'unresolved')], ['reopened', D('02:00'), U2], ['signed', D('03:00'), U2], ['replied', D('08:00'), U2], ['surveyed', D('09:00'), U2, survey('satisfied', 'resolved')], ['closed', D('09:00'), U2]] },
  // o9: created and dispatched to U2 the day before (previous period); sign_by D 03:00 passed: red.
  { id: 9, category: B1, created: at('2026-11-19T03:00:00Z'), state: 'dispatched', unit: U2, signBy: D('03:00'), replyBy: at('2026-11-25T03:00:00Z'), events: [['created', at('2026-11-19T03:00:00Z'), null], ['dispatched', at('2026-11-19T03:00:00Z'), U2]] },
  // o10: dispatched to U2, signed on time, in progress, not due.
  { id: 10, category: B1, created: D('07:00'), state: 'signed', unit: U2, signBy: D('12:00'), replyBy: at('2026-11-26T07:00:00Z'), events: [['created', D('07:00'), null], ['dispatched', D('07:00'), U2], ['signed', D('08:00'), U2]] },
];

/*
 * Orders, by hand:
 * received (created in the period): o2 o3 o5 o6 o7 o10 = 6
 * closed (last close in the period, still closed): o1 o2 o4 o5 o6 o8 = 6; first-time (no 退单/重办/duplicate): o1 o2 o6 = 3 → 3/6 = 0.5
 * due (reply_by in the period): o1 10:00, o2 12:00, o3 15:00, o4 11:00, o8 13:00 = 5 (o5 20:00 is after `to`)
 *   closed now: o1 o2 o4 o8 = 4 → 办结率 4/5 = 0.8; by reply_by: o1 03:00≤10:00, o4 06:30≤11:00, o8 09:00≤13:00 = 3 → 3/5 = 0.6
 * last survey per order in the period: o1 满意 resolved, o2 基本满意 partly, o4 不满意 partly, o5 unreachable (not rated), o8 满意 resolved
 *   rated 4; 满意率 (2 + 1) / 4 = 0.75; 解决率 2/4 = 0.5
 * dispatched in the period: o2 o3 o5 o7 o10 = 5; more than one dispatch: o3 → 1/5 = 0.2
 *   signed by sign_by: o2 02:00≤05:00, o5 05:00≤08:00, o10 08:00≤12:00 (o3 09:00 > 08:00, o7 never) = 3 → 3/5 = 0.6
 */
export const ORDERS_EXPECTED = {
  received: 6, closed: 6, due: 5, dueClosed: 4, closedOnTime: 3, rated: 4, satisfied: 2, basically: 1, unsatisfied: 1, resolved: 2,
  dispatched: 5, respondedOnTime: 3, redispatched: 1, closedFirstTime: 3,
  closureRate: 0.8, onTimeClosureRate: 0.6, satisfactionRate: 0.75, resolutionRate: 0.5, responseRate: 0.6, firstTimeClosureRate: 0.5, redispatchRate: 0.2,
};

export async function insertDataSet(qi: QueryInterface): Promise<void> {
  const ts = { created_at: at('2026-01-01T00:00:00Z'), updated_at: at('2026-01-01T00:00:00Z') };
  const unit = (id: number, code: string, name: string, active: boolean): Record<string, unknown> => ({ id, code, name, kind: 'street', liaison_name: '联络员', liaison_phone: '13800000000', active, ...ts });
  await qi.bulkInsert('handling_units', [unit(U1, 'U1', '城关街道', true), unit(U2, 'U2', '水务公司', true), unit(3, 'U3', '公安分局', true), unit(4, 'U4', '已撤并单位', false)]);
  const cat = (id: number, parent: number | null, code: string, name: string): Record<string, unknown> => ({ id, parent_id: parent, code, name, level: parent === null ? 1 : 2, ...ts });
  await qi.bulkInsert('categories', [cat(1, null, 'A', '城乡建设'), cat(2, null, 'B', '社会保障'), cat(A1, 1, 'A01', '供水'), cat(A2, 1, 'A02', '道路'), cat(B1, 2, 'B01', '医保')]);
  await qi.bulkInsert('tickets', ORDERS.map((o) => ({
    id: o.id, code: `20261120-${String(o.id).padStart(6, '0')}`, request_type: 'help', category_id: o.category, content: '内容', resident_phone: '13900000000', urgency: 'normal',
    answered_on_call: o.unit === null, handling_unit_id: o.unit, current_unit_id: o.unit, state: o.state, sign_by: o.signBy, reply_by: o.replyBy, closed_at: null, version: 1, created_by: 7, created_at: o.created, updated_at: o.created,
  })));
  // One insert in log order, so event ids follow the order of events within each ticket.
  await qi.bulkInsert('ticket_events', ORDERS.flatMap((o) => o.events.map(([type, when, unitId, data]) => ({ ticket_id: o.id, type, actor_user_id: 7, actor_role: 'agent', channel: 'web', unit_id: unitId, note: null, data: JSON.stringify(data ?? {}), at: when }))));
  await qi.bulkInsert('queue_events', QUEUE_EVENTS.map((e) => ({ call_id: e.callId, queue: e.queue, event: e.event, agent_id: null, extension: null, wait_ms: e.waitMs, talk_ms: e.talkMs, at: e.at })));
}


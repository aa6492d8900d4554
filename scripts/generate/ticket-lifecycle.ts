import type { LeafCategory, UnitRow } from './catalog.js';
import type { Random } from './random.js';
import { addWeekdays, HOUR_MS, sqlTime } from './time.js';
import type { Field, TsvBuffer } from './tsv.js';

const MIN_MS = 60_000;
const REQUEST_TYPES = { consult: 40, help: 20, complaint: 25, suggestion: 10, praise: 5 } as const;
type RequestType = keyof typeof REQUEST_TYPES;
const URGENCIES = { normal: 92, urgent: 6, emergency: 2 } as const;
type Urgency = keyof typeof URGENCIES;
const SATISFACTION = { satisfied: 62, basically: 19, unsatisfied: 9, unreachable: 10 } as const;
type Satisfaction = keyof typeof SATISFACTION;
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const STREETS = ['朝阳门内大街', '东四北大街', '建国门外大街', '和平里西街', '安定门东大街', '光华路', '劲松南路'];
const ASKS = ['请尽快处理', '希望相关部门核实', '已多次反映未解决', '请给予答复', '询问办理流程'];
const SUPERVISOR_ID = 900;

/** What one order starts from: intake on a call (or on the web), and maybe an earlier order it repeats. */
export interface TicketIntake {
  readonly id: number;
  readonly code: string;
  readonly createdMs: number;
  readonly phone: string;
  readonly callId: string | null;
  readonly agentUserId: number;
  readonly category: LeafCategory;
  readonly duplicateOf: number | null;
}

export interface LifecycleContext {
  readonly rnd: Random;
  readonly units: readonly UnitRow[];
  /** Nothing happens after this instant (the end of the history: "now"). */
  readonly endMs: number;
  readonly tickets: TsvBuffer;
  readonly events: TsvBuffer;
  /** The next ticket_events id (explicit, so ids follow each order's own time line). */
  nextEventId: number;
}

/** Thrown when the next step would happen after the end of the history: the order stays where it is. */
class Cutoff extends Error {}

interface Deadlines {
  signBy: number;
  returnBy: number;
  replyBy: number;
}

function deadlines(category: LeafCategory, type: RequestType, urgency: Urgency, from: number): Deadlines {
  if (urgency === 'emergency') return { signBy: from + HOUR_MS, returnBy: from + HOUR_MS, replyBy: from + 2 * HOUR_MS };
  let replyBy = category.replyHours === null ? addWeekdays(from, category.replyDays) : from + category.replyHours * HOUR_MS;
  if (type === 'consult' && category.code.startsWith('05')) replyBy = Math.min(replyBy, from + 24 * HOUR_MS);
  return { signBy: addWeekdays(from, category.signDays), returnBy: addWeekdays(from, 1), replyBy };
}

/**
 * Writes one order and its event log, following the lifecycle (shared/DOMAIN.md): 直办 (answered on the
 * call and closed), or 派单 → (退单 → 再派单) → 签收 → 办理 → (延期) → 答复 → 审核 (驳回) → 回访 →
 * 办结, or 不满意 → 重办 and a second round. ~8 % reply after reply_by; orders still open at the end of
 * the history keep the state of their last step.
 */
export function generateTicket(ctx: LifecycleContext, intake: TicketIntake): void {
  const { rnd } = ctx;
  const type = rnd.weighted(REQUEST_TYPES);
  const urgency = rnd.weighted(URGENCIES);
  const cat = intake.category;
  const direct = intake.duplicateOf === null && (type === 'consult' ? rnd.chance(0.5) : rnd.chance(0.04));
  const needsAddress = type === 'complaint' || type === 'help';
  const t = {
    state: 'created',
    handlingUnit: null as number | null,
    currentUnit: null as number | null,
    d: null as Deadlines | null,
    closedAt: null as number | null,
    dispatchCount: 0,
    reopenCount: 0,
    extensionStatus: null as string | null,
    extensionDays: null as number | null,
    extensionReason: null as string | null,
    extensionGranted: 0,
    replyContent: null as string | null,
    repliedByName: null as string | null,
    repliedByPhone: null as string | null,
    satisfaction: null as Satisfaction | null,
    resolution: null as string | null,
    version: 0,
    updatedAt: intake.createdMs,
  };
  const agent = { id: intake.agentUserId, role: 'agent', channel: 'phone' };
  const unitActor = (unit: number | null): { id: number; role: string; channel: string } => ({ id: 2000 + (unit ?? 0), role: 'unit', channel: 'web' });
  const event = (type: string, at: number, actor: { id: number; role: string; channel: string }, unit: number | null, note: string | null, data: Record<string, unknown>, state?: string): void => {
    if (at > ctx.endMs) throw new Cutoff();
    const row: Field[] = [ctx.nextEventId++, intake.id, type, actor.id, actor.role, actor.channel, unit, note, JSON.stringify(data), sqlTime(at)];
    ctx.events.add(row);
    if (state !== undefined) t.state = state;
    t.version++;
    t.updatedAt = at;
  };
  const iso = (d: Deadlines): Record<string, string> => ({ signBy: new Date(d.signBy).toISOString(), returnBy: new Date(d.returnBy).toISOString(), replyBy: new Date(d.replyBy).toISOString() });
  const unitCode = (id: number): string => ctx.units.find((u) => u.id === id)?.code ?? '';
  const otherUnit = (not: number | null): number => {
    for (;;) {
      const u = rnd.pick(ctx.units).id;
      if (u !== not || ctx.units.length === 1) return u;
    }
  };
  const dispatch = (at: number, unit: number, redispatch: boolean, actor: { id: number; role: string; channel: string }): Deadlines => {
    const d = deadlines(cat, type, urgency, at);
    event('dispatched', at, actor, unit, null, { unitCode: unitCode(unit), redispatch, ...iso(d) }, 'dispatched');
    t.d = d;
    t.handlingUnit ??= unit;
    t.currentUnit = unit;
    t.dispatchCount++;
    return d;
  };
  /** 签收, 办理, (延期), 答复, 审核: returns when the review approved the reply. */
  const handle = (from: number, d: Deadlines, unit: number): number => {
    const signWindow = Math.max(10 * MIN_MS, d.signBy - from);
    const signed = rnd.chance(0.95) ? from + rnd.between(0.03, 0.9) * signWindow : d.signBy + rnd.between(HOUR_MS, 20 * HOUR_MS);
    event('signed', signed, unitActor(unit), unit, null, {}, 'signed');
    const started = signed + rnd.between(5 * MIN_MS, 3 * HOUR_MS);
    event('started', started, unitActor(unit), unit, null, {}, 'in-progress');
    if (rnd.chance(0.03)) {
      const days = rnd.int(2, 5);
      const asked = started + rnd.between(HOUR_MS, 20 * HOUR_MS);
      t.extensionReason = '需协调多个部门现场核查';
      event('extension-requested', asked, unitActor(unit), unit, t.extensionReason, { days, replyBy: new Date(d.replyBy).toISOString() });
      t.extensionStatus = 'pending';
      t.extensionDays = days;
      const decided = asked + rnd.between(HOUR_MS, 6 * HOUR_MS);
      if (rnd.chance(0.8)) {
        const previous = d.replyBy;
        d.replyBy = addWeekdays(d.replyBy, days);
        event('extension-approved', decided, { id: SUPERVISOR_ID, role: 'supervisor', channel: 'web' }, unit, '同意延期', { days, previousReplyBy: new Date(previous).toISOString(), replyBy: new Date(d.replyBy).toISOString() });
        t.extensionStatus = 'approved';
        t.extensionGranted += days;
      } else {
        event('extension-refused', decided, { id: SUPERVISOR_ID, role: 'supervisor', channel: 'web' }, unit, '理由不充分', { days });
        t.extensionStatus = 'refused';
      }
    }
    const late = rnd.chance(0.08);
    const window = Math.max(30 * MIN_MS, d.replyBy - started);
    let replied = late ? Math.max(started, d.replyBy) + rnd.between(2 * HOUR_MS, 5 * 24 * HOUR_MS) : started + rnd.between(0.1, 0.55) * window;
    const reply = (at: number): void => {
      t.replyContent = `经核实，${cat.name}问题已处理，已电话告知来电人。`;
      t.repliedByName = `${rnd.pick(SURNAMES)}工`;
      t.repliedByPhone = `0106512${String(rnd.int(1000, 9999))}`;
      event('replied', at, unitActor(unit), unit, t.replyContent, { handlerName: t.repliedByName, handlerPhone: t.repliedByPhone, late: at > d.replyBy }, 'replied');
    };
    reply(replied);
    if (rnd.chance(0.03)) {
      const rejected = replied + rnd.between(HOUR_MS, 8 * HOUR_MS);
      event('review-rejected', rejected, { id: SUPERVISOR_ID, role: 'supervisor', channel: 'web' }, unit, '答复内容不完整', {}, 'in-progress');
      replied = rejected + rnd.between(2 * HOUR_MS, 24 * HOUR_MS);
      reply(replied);
    }
    const approved = replied + rnd.between(0.3 * HOUR_MS, 4 * HOUR_MS);
    event('review-approved', approved, { id: SUPERVISOR_ID, role: 'supervisor', channel: 'web' }, unit, null, {}, 'reviewed');
    return approved;
  };
  /** 回访 soon after the approval: before reply_by when there is time left (办结 counts as 按期 then). */
  const survey = (from: number, unit: number, allowReopen: boolean): { at: number; reopen: boolean } => {
    const replyBy = t.d?.replyBy ?? from;
    const at = from + (replyBy - from > HOUR_MS ? rnd.between(0.2, 0.95) * (replyBy - from) : rnd.between(2 * HOUR_MS, 24 * HOUR_MS));
    const satisfaction = rnd.weighted(SATISFACTION);
    const resolution = satisfaction === 'satisfied' ? (rnd.chance(0.95) ? 'resolved' : 'partly') : satisfaction === 'basically' ? (rnd.chance(0.7) ? 'resolved' : 'partly') : satisfaction === 'unsatisfied' ? (rnd.chance(0.6) ? 'unresolved' : 'partly') : 'resolved';
    const surveyor = { id: 1000 + rnd.int(1, 240), role: 'agent', channel: 'phone' };
    event('surveyed', at, surveyor, unit, null, { satisfaction, resolution, callId: null }, 'surveyed');
    t.satisfaction = satisfaction;
    t.resolution = resolution;
    if (satisfaction === 'unsatisfied' && allowReopen && rnd.chance(0.6)) return { at, reopen: true };
    event('closed', at, surveyor, unit, null, { satisfaction, rated: satisfaction !== 'unreachable' }, 'closed');
    t.closedAt = at;
    return { at, reopen: false };
  };

  try {
    event('created', intake.createdMs, agent, null, null, { requestType: type, categoryId: cat.id, urgency, callId: intake.callId });
    if (intake.duplicateOf !== null) {
      event('linked-duplicate', intake.createdMs, agent, null, null, { duplicateOf: intake.duplicateOf, role: 'duplicate' });
    }
    if (direct) {
      event('closed', intake.createdMs, agent, null, '已在电话中解答', { answeredOnCall: true }, 'closed');
      t.closedAt = intake.createdMs;
    } else {
      const first = cat.defaultUnitId !== null && rnd.chance(0.85) ? cat.defaultUnitId : otherUnit(null);
      let d = dispatch(intake.createdMs, first, false, agent);
      let unit = first;
      let from = intake.createdMs;
      if (rnd.chance(0.05)) {
        const returned = from + rnd.between(0.1, 0.9) * Math.max(HOUR_MS, d.returnBy - from);
        event('returned', returned, unitActor(unit), unit, '不属于本单位职责', {}, 'returned');
        const again = returned + rnd.between(10 * MIN_MS, 3 * HOUR_MS);
        unit = otherUnit(unit);
        d = dispatch(again, unit, true, { id: SUPERVISOR_ID, role: 'supervisor', channel: 'web' });
        from = again;
      }
      const approved = handle(from, d, unit);
      const first1 = survey(approved, unit, true);
      if (first1.reopen) {
        const nd = deadlines(cat, type, urgency, first1.at);
        t.reopenCount++;
        event('reopened', first1.at, { id: SUPERVISOR_ID, role: 'supervisor', channel: 'web' }, unit, '回访不满意，重办', { cause: 'unsatisfied', unitCode: unitCode(unit), reopenCount: t.reopenCount, ...iso(nd) }, 'dispatched');
        t.d = nd;
        t.satisfaction = null;
        t.resolution = null;
        const approved2 = handle(first1.at, nd, unit);
        survey(approved2, unit, false);
      }
    }
  } catch (err) {
    if (!(err instanceof Cutoff)) throw err;
  }

  const name = `${rnd.pick(SURNAMES)}${rnd.chance(0.5) ? '先生' : '女士'}`;
  const address = needsAddress ? `${rnd.pick(STREETS)}${String(rnd.int(1, 300))}号` : null;
  const d = t.d;
  ctx.tickets.add([
    intake.id,
    intake.code,
    type,
    cat.id,
    `${cat.name}：${rnd.pick(ASKS)}。`,
    address,
    name,
    intake.phone,
    urgency,
    direct ? 1 : 0,
    intake.callId,
    t.handlingUnit,
    t.currentUnit,
    t.state === 'created' ? 'dispatched' : t.state,
    d === null ? null : sqlTime(d.signBy),
    d === null ? null : sqlTime(d.replyBy),
    t.closedAt === null ? null : sqlTime(t.closedAt),
    Math.max(1, t.version),
    intake.agentUserId,
    sqlTime(intake.createdMs),
    sqlTime(t.updatedAt),
    d === null ? null : sqlTime(d.returnBy),
    t.dispatchCount,
    t.reopenCount,
    0,
    t.extensionStatus,
    t.extensionDays,
    t.extensionReason,
    t.extensionGranted,
    intake.duplicateOf,
    intake.duplicateOf === null ? 0 : 1,
    t.replyContent,
    t.repliedByName,
    t.repliedByPhone,
    t.satisfaction,
    t.resolution,
  ]);
}

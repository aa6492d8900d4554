/**
 * How the order pages put a work order into words: the current deadline with the working days left
 * or overdue, each event of the trail in Chinese, and the server's (English) field refusals in
 * Chinese. Pure functions, so the pages and their tests share them.
 */
import { formatDateTime } from '../../shared/format';
import {
  LIGHT_NAMES,
  REQUEST_TYPES,
  RESOLUTIONS,
  SATISFACTIONS,
  URGENCIES,
  type Light,
  type TicketEventJson,
  type TicketEventType,
  type TicketJson,
} from '../../api/tickets';

/** What 工作日 means here, shown wherever a deadline is counted. */
export const WORKING_DAY_NOTE =
  '时限按工作日计算：工作日为周一至周五，法定节假日不计，调休上班的周末计入。红灯：已超过时限；黄灯：距时限不足 1 个工作日；绿灯：时间充裕。';

export interface CurrentDeadline {
  /** 签收时限 while dispatched, 答复时限 while signed or in progress. */
  readonly label: string;
  readonly at: string;
  /** 剩余 3 个工作日 / 剩余不足 1 个工作日 / 已超期 2 个工作日. */
  readonly text: string;
  readonly light: Light | null;
}

/** The running deadline as the server decides it (tickets/ticket-lights.ts `currentStep`), or null. */
export function currentDeadline(t: Pick<TicketJson, 'state' | 'signBy' | 'replyBy' | 'light' | 'overdueWorkingDays' | 'remainingWorkingDays'>): CurrentDeadline | null {
  let label: string;
  let at: string | null;
  if (t.state === 'dispatched') {
    label = '签收时限';
    at = t.signBy;
  } else if (t.state === 'signed' || t.state === 'in-progress') {
    label = '答复时限';
    at = t.replyBy;
  } else {
    return null;
  }
  if (at === null) return null;
  return { label, at, text: remainingText(t), light: t.light };
}

/** Working days left or overdue, from the server's counts (the browser has no holiday calendar). */
export function remainingText(t: Pick<TicketJson, 'light' | 'overdueWorkingDays' | 'remainingWorkingDays'>): string {
  if (t.light === null) return '';
  if (t.light === 'red') return t.overdueWorkingDays > 0 ? `已超期 ${t.overdueWorkingDays} 个工作日` : '已超期，不足 1 个工作日';
  return t.remainingWorkingDays > 0 ? `剩余 ${t.remainingWorkingDays} 个工作日` : '剩余不足 1 个工作日';
}

export function lightName(light: Light | null): string {
  return light === null ? '无时限' : LIGHT_NAMES[light];
}

export const EVENT_NAMES: Record<TicketEventType, string> = {
  created: '受理',
  dispatched: '派单',
  signed: '签收',
  returned: '退单',
  started: '开始办理',
  'extension-requested': '申请延期',
  'extension-approved': '批准延期',
  'extension-refused': '拒绝延期',
  replied: '答复',
  'review-approved': '审核通过',
  'review-rejected': '退回重办',
  surveyed: '回访评价',
  reopened: '重办',
  closed: '办结',
  escalated: '督办升级',
  'supervision-call': '电话督办',
  'supervision-acknowledged': '督办已确认',
  'linked-duplicate': '关联重复工单',
  'survey-call': '回访电话',
};

export const ROLE_NAMES: Record<string, string> = { agent: '话务员', supervisor: '班长/质检', admin: '管理员', unit: '承办单位', system: '系统' };
export const CHANNEL_NAMES: Record<string, string> = { phone: '电话', web: '网页', api: '接口' };

/** Results of a supervision call (tickets/supervision-port.ts SupervisionCallResult). */
export const SUPERVISION_RESULTS: Record<string, string> = {
  acknowledged: '联络人已确认',
  'not-acknowledged': '接通，未确认',
  busy: '占线',
  'no-answer': '无人接听',
  failed: '呼叫失败',
  'outside-hours': '非工作时间，未拨打',
  'refused-by-dial-plan': '号码被拨号规则拒绝，未拨打',
};

/** Results of a survey call (tickets/survey-port.ts SurveyCallResult). */
export const SURVEY_CALL_RESULTS: Record<string, string> = {
  rated: '已评价',
  'no-rating': '接通，未评价',
  connected: '已接通（人工回访）',
  busy: '占线',
  'no-answer': '无人接听',
  failed: '呼叫失败',
  'refused-by-dial-plan': '号码被拨号规则拒绝，未拨打',
};

const STEP_NAMES: Record<string, string> = { sign: '签收', reply: '答复' };

/** Tone of the timeline dot: refusals and overdue calls stand out. */
export type EventTone = 'primary' | 'success' | 'warning' | 'danger' | 'info';

export interface EventView {
  readonly title: string;
  readonly tone: EventTone;
  /** One line per fact, label first: 「结果：无人接听」. */
  readonly lines: readonly string[];
}

type Lookup = (id: number) => string;

/** An event of the trail in words (its data as the server writes it: ticket-actions.ts, ticket-supervision.ts, survey-call-log.ts); `unitName` names a unit id. */
export function describeEvent(e: TicketEventJson, unitName: Lookup): EventView {
  const d = e.data;
  const str = (k: string): string | null => (typeof d[k] === 'string' && d[k] !== '' ? d[k] : null);
  const num = (k: string): number | null => (typeof d[k] === 'number' ? d[k] : null);
  const when = (k: string): string | null => (str(k) === null ? null : formatDateTime(str(k)));
  const lines: string[] = [];
  const add = (label: string, value: string | number | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') lines.push(`${label}：${value}`);
  };
  const unit = e.unitId === null ? null : unitName(e.unitId);
  let title = EVENT_NAMES[e.type];
  let tone: EventTone = 'primary';
  switch (e.type) {
    case 'created': {
      const type = str('requestType');
      const urgency = str('urgency');
      add('诉求类型', type !== null && type in REQUEST_TYPES ? REQUEST_TYPES[type as keyof typeof REQUEST_TYPES] : type);
      add('紧急程度', urgency !== null && urgency in URGENCIES ? URGENCIES[urgency as keyof typeof URGENCIES] : urgency);
      add('来电通话', str('callId'));
      break;
    }
    case 'dispatched':
      if (d.redispatch === true) title = '重新派单';
      add('承办单位', unit);
      add('签收时限', when('signBy'));
      add('退单时限', when('returnBy'));
      add('答复时限', when('replyBy'));
      add('派单说明', e.note);
      break;
    case 'signed':
    case 'started':
      tone = 'success';
      add('承办单位', unit);
      add('说明', e.note);
      break;
    case 'returned':
      tone = 'warning';
      add('退单单位', unit);
      add('退单原因', e.note);
      break;
    case 'extension-requested':
      tone = 'warning';
      add('申请延期', num('days') === null ? null : `${num('days')} 个工作日`);
      add('延期原因', e.note);
      add('原答复时限', when('replyBy'));
      break;
    case 'extension-approved':
      tone = 'success';
      add('批准延期', num('days') === null ? null : `${num('days')} 个工作日`);
      add('答复时限', str('replyBy') === null ? null : `${when('previousReplyBy') ?? '—'} 延至 ${when('replyBy') ?? '—'}`);
      add('审批意见', e.note);
      break;
    case 'extension-refused':
      tone = 'danger';
      add('拒绝延期', num('days') === null ? null : `${num('days')} 个工作日`);
      add('审批意见', e.note);
      break;
    case 'replied':
      tone = 'success';
      if (d.late === true) title = '答复（超期答复）';
      add('答复内容', e.note);
      add('答复人', str('handlerName'));
      add('答复电话', str('handlerPhone'));
      break;
    case 'review-approved':
      tone = 'success';
      add('审核意见', e.note);
      break;
    case 'review-rejected':
      tone = 'danger';
      add('退回原因', e.note);
      break;
    case 'surveyed': {
      const s = str('satisfaction');
      const r = str('resolution');
      add('满意度', s !== null && s in SATISFACTIONS ? SATISFACTIONS[s as keyof typeof SATISFACTIONS] : s);
      add('解决情况', r !== null && r in RESOLUTIONS ? RESOLUTIONS[r as keyof typeof RESOLUTIONS] : r);
      add('回访通话', str('callId'));
      add('备注', e.note);
      break;
    }
    case 'reopened':
      tone = 'danger';
      add('原因', str('cause') === 'unsatisfied' ? '回访不满意' : e.note);
      add('重办至', unit);
      add('第几次重办', num('reopenCount'));
      add('签收时限', when('signBy'));
      add('答复时限', when('replyBy'));
      break;
    case 'closed': {
      tone = 'success';
      const s = str('satisfaction');
      if (d.answeredOnCall === true) add('直办答复', e.note);
      else add('说明', e.note);
      add('满意度', s !== null && s in SATISFACTIONS ? SATISFACTIONS[s as keyof typeof SATISFACTIONS] : s);
      break;
    }
    case 'escalated':
      tone = 'danger';
      add('督办级别', `${num('from') ?? 0} 级 → ${num('to') ?? '?'} 级`);
      add('原因', e.note);
      break;
    case 'supervision-call': {
      const result = str('result');
      tone = result === 'acknowledged' ? 'success' : 'danger';
      const step = str('step');
      title = `电话督办（第 ${num('attempt') ?? '?'} 次）`;
      add('督办环节', step === null ? null : `${STEP_NAMES[step] ?? step}时限 ${when('deadline') ?? ''}`.trim());
      add('结果', result === null ? null : (SUPERVISION_RESULTS[result] ?? result));
      add('拨打', str('target'));
      add('说明', e.note);
      break;
    }
    case 'supervision-acknowledged': {
      tone = 'success';
      const step = str('step');
      add('督办环节', step === null ? null : `${STEP_NAMES[step] ?? step}时限 ${when('deadline') ?? ''}`.trim());
      break;
    }
    case 'linked-duplicate':
      tone = 'info';
      if (d.role === 'original') add('重复来电工单', str('duplicateCode'));
      else add('与之重复的工单', num('duplicateOf') === null ? null : `#${num('duplicateOf')}`);
      break;
    case 'survey-call': {
      const result = str('result');
      const s = str('satisfaction');
      tone = result === 'rated' || result === 'connected' ? 'success' : 'warning';
      title = `回访电话（第 ${num('attempt') ?? '?'} 次）`;
      add('方式', str('by') === 'agent' ? '人工回访' : str('by') === 'ivr' ? '自动语音回访' : null);
      add('结果', result === null ? null : (SURVEY_CALL_RESULTS[result] ?? result));
      add('满意度', s !== null && s in SATISFACTIONS ? SATISFACTIONS[s as keyof typeof SATISFACTIONS] : s);
      add('拨打', str('target'));
      add('说明', e.note);
      break;
    }
  }
  return { title, tone, lines };
}

const PATTERNS: readonly [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^is required$/, () => '必填'],
  [/^must not be empty$/, () => '不能为空'],
  [/^must be at least (\d+) characters$/, (m) => `至少 ${m[1]} 个字`],
  [/^must be at most (\d+) characters$/, (m) => `最多 ${m[1]} 个字`],
  [/^must be at least (\d+)$/, (m) => `不能小于 ${m[1]}`],
  [/^must be at most (\d+): (\d+) of (\d+) working days are already granted$/, (m) => `最多还能延期 ${m[1]} 个工作日（已批准 ${m[2]} 个，合计不超过 ${m[3]} 个）`],
  [/^must be at most (\d+)$/, (m) => `不能大于 ${m[1]}`],
  [/^must be a whole number$/, () => '须为整数'],
  [/^must be a phone number/, () => '须为 5～20 位数字的电话号码（可含空格、横线，可带 +86 或 0086）'],
  [/^is boilerplate/, () => '答复内容是套话（只有“情况属实已处理”“已处理完毕”“已办理”之类的话），不予接受：请写明查到了什么情况、采取了什么措施、结果如何。'],
  [/^repeats the same characters/, () => '答复内容在重复同样的字，不予接受：请写实际的答复。'],
  [/^repeats one character (\d+) or more times in a row/, (m) => `同一个字连续重复 ${m[1]} 次以上，不予接受：请写实际的答复。`],
  [/^must use at least (\d+) different Chinese characters/, (m) => `答复内容太空泛（至少要用 ${m[1]} 个不同的汉字）：请写明查到了什么情况、采取了什么措施、结果如何。`],
];

/** A server field refusal in Chinese when it is one we know; otherwise the server's own words. */
export function issueText(message: string): string {
  for (const [re, zh] of PATTERNS) {
    const m = message.match(re);
    if (m !== null) return zh(m);
  }
  return message;
}

/**
 * The work-order form's draft: what the agent typed, kept in sessionStorage per user and call (key:
 * `hotline.order-draft.<user id>.<callId or manual>`) until it is submitted or the user signs out
 * (clearDrafts: the next user of the tab must not see a resident's data; another user's drafts are
 * never listed), so neither a failed
 * submit, a reload nor a dropped socket loses it. Also the client-side rules, mirroring the server's
 * (src/tickets/ticket-input.ts), and the server's field messages in Chinese.
 */
import type { FieldIssue } from '../../api/http';
import { session } from '../../api/session-store';
import { REQUEST_TYPES, type RequestType, type Urgency } from '../../api/tickets';

export interface OrderDraft {
  /** The storage key: the callId, or `manual`. */
  key: string;
  callId: string | null;
  residentPhone: string;
  residentName: string;
  requestType: RequestType | '';
  categoryId: number | null;
  content: string;
  address: string;
  /** The unit the order goes to; null: the category's default. */
  handlingUnitId: number | null;
  urgency: Urgency;
  /** 直办: answered on the call, with `answer`; closes at once, goes to no unit. */
  answeredOnCall: boolean;
  answer: string;
  /** 勿扰: no satisfaction callback. */
  doNotCall: boolean;
  /** Knowledge-base articles the answer was given from (sent as articleIds). */
  articles: { id: number; title: string }[];
  savedAt: number;
}

/** The form's fields as the API names them (ApiError.issues paths). */
export const ORDER_FIELDS = ['residentPhone', 'residentName', 'requestType', 'categoryId', 'content', 'address', 'handlingUnitId', 'urgency', 'answeredOnCall', 'answer', 'doNotCall', 'callId', 'articleIds'] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];

export const FIELD_LABELS: Record<OrderField, string> = {
  residentPhone: '来电号码',
  residentName: '市民姓名',
  requestType: '诉求类型',
  categoryId: '诉求类别',
  content: '诉求内容',
  address: '地址',
  handlingUnitId: '承办单位',
  urgency: '紧急程度',
  answeredOnCall: '直办',
  answer: '答复内容',
  doNotCall: '勿扰',
  callId: '通话',
  articleIds: '引用知识',
};

/** Same as the server (ticket-input.ts): 投诉举报 and 求助 must say where. */
export const TYPES_NEEDING_ADDRESS: readonly RequestType[] = ['complaint', 'help'];
export const CONTENT_MIN_CHARS = 10;
export const CONTENT_MAX_CHARS = 4000;

const ROOT = 'hotline.order-draft.';

/** The signed-in user's draft keys start with this. */
function prefix(): string {
  return `${ROOT}${session.user?.id ?? 'none'}.`;
}

/** Forgets every kept draft of every user (on 退出 and when the session ends). */
export function clearDrafts(storage: DraftStorage = sessionStorage): void {
  try {
    const keys: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const k = storage.key(i);
      if (k !== null && k.startsWith(ROOT)) keys.push(k);
    }
    for (const k of keys) storage.removeItem(k);
  } catch {
    // Storage refused: nothing kept there either.
  }
}

export function draftKey(callId: string | null | undefined): string {
  return callId === null || callId === undefined || callId === '' ? 'manual' : callId;
}

export function emptyDraft(call: { callId: string | null; callerNumber: string } | null, now = Date.now()): OrderDraft {
  return {
    key: draftKey(call?.callId),
    callId: call?.callId ?? null,
    residentPhone: call?.callerNumber ?? '',
    residentName: '',
    requestType: '',
    categoryId: null,
    content: '',
    address: '',
    handlingUnitId: null,
    urgency: 'normal',
    answeredOnCall: false,
    answer: '',
    doNotCall: false,
    articles: [],
    savedAt: now,
  };
}

/** True once the agent typed or chose anything beyond what the call filled in. */
export function isDirty(d: OrderDraft): boolean {
  return (
    d.residentName.trim() !== '' ||
    d.requestType !== '' ||
    d.categoryId !== null ||
    d.content.trim() !== '' ||
    d.address.trim() !== '' ||
    d.handlingUnitId !== null ||
    d.urgency !== 'normal' ||
    d.answeredOnCall ||
    d.answer.trim() !== '' ||
    d.doNotCall ||
    d.articles.length > 0
  );
}

type DraftStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

export function loadDraft(key: string, storage: DraftStorage = sessionStorage): OrderDraft | undefined {
  try {
    const raw = storage.getItem(prefix() + key);
    if (raw === null) return undefined;
    const parsed = JSON.parse(raw) as Partial<OrderDraft>;
    return { ...emptyDraft(null), ...parsed, key };
  } catch {
    return undefined;
  }
}

/** Keeps the draft when it holds something typed; forgets it otherwise. */
export function saveDraft(d: OrderDraft, storage: DraftStorage = sessionStorage): void {
  try {
    if (isDirty(d)) storage.setItem(prefix() + d.key, JSON.stringify({ ...d, savedAt: Date.now() }));
    else storage.removeItem(prefix() + d.key);
  } catch {
    // Storage full or refused: the form still holds it in memory.
  }
}

export function removeDraft(key: string, storage: DraftStorage = sessionStorage): void {
  storage.removeItem(prefix() + key);
}

/** Every kept draft, newest first. */
export function listDrafts(storage: DraftStorage = sessionStorage): OrderDraft[] {
  const out: OrderDraft[] = [];
  const mine = prefix();
  for (let i = 0; i < storage.length; i++) {
    const k = storage.key(i);
    if (k === null || !k.startsWith(mine)) continue;
    const d = loadDraft(k.slice(mine.length), storage);
    if (d !== undefined) out.push(d);
  }
  return out.sort((a, b) => b.savedAt - a.savedAt);
}

function chars(s: string): number {
  return Array.from(s.trim()).length;
}

/**
 * The client's checks (the server checks them again): field → message. `defaultUnitId` is the
 * category's default unit (the order needs one unless it is 直办).
 */
export function validateDraft(d: OrderDraft, defaultUnitId: number | null): Partial<Record<OrderField, string>> {
  const errors: Partial<Record<OrderField, string>> = {};
  // Lenient (spaces, dashes, dots, brackets, a leading + or 00): the server reads the number exactly.
  const cleaned = d.residentPhone.trim().replace(/[\s().-]/g, '');
  if (cleaned === '') errors.residentPhone = '请填写来电号码';
  else if (!/^\+?\d{5,20}$/.test(cleaned)) errors.residentPhone = '电话号码应为 5 至 20 位数字';
  if (d.requestType === '') errors.requestType = '请选择诉求类型';
  if (d.categoryId === null) errors.categoryId = '请选择诉求类别';
  const n = chars(d.content);
  if (n === 0) errors.content = '请填写诉求内容';
  else if (n < CONTENT_MIN_CHARS) errors.content = `诉求内容至少 ${CONTENT_MIN_CHARS} 个字（现 ${n} 个）`;
  else if (n > CONTENT_MAX_CHARS) errors.content = `诉求内容最多 ${CONTENT_MAX_CHARS} 个字（现 ${n} 个）`;
  if (d.requestType !== '' && TYPES_NEEDING_ADDRESS.includes(d.requestType) && d.address.trim() === '') {
    errors.address = `${REQUEST_TYPES[d.requestType]}类诉求必须填写地址`;
  }
  if (d.answeredOnCall && d.answer.trim() === '') errors.answer = '直办须填写电话中给出的答复';
  if (!d.answeredOnCall && d.categoryId !== null && d.handlingUnitId === null && defaultUnitId === null) {
    errors.handlingUnitId = '该类别没有默认承办单位，请选择承办单位';
  }
  if (chars(d.residentName) > 50) errors.residentName = '姓名最多 50 个字';
  if (chars(d.address) > 500) errors.address = '地址最多 500 个字';
  return errors;
}

/** The POST /tickets body of a draft. */
export function toTicketBody(d: OrderDraft, defaultUnitId: number | null): Record<string, unknown> {
  const body: Record<string, unknown> = {
    requestType: d.requestType,
    categoryId: d.categoryId,
    content: d.content,
    residentPhone: d.residentPhone,
    urgency: d.urgency,
    answeredOnCall: d.answeredOnCall,
    doNotCall: d.doNotCall,
  };
  if (d.address.trim() !== '') body.address = d.address;
  if (d.residentName.trim() !== '') body.residentName = d.residentName;
  if (d.callId !== null) body.callId = d.callId;
  if (d.articles.length > 0) body.articleIds = d.articles.map((a) => a.id);
  if (d.answeredOnCall) body.answer = d.answer;
  else {
    const unit = d.handlingUnitId ?? defaultUnitId;
    if (unit !== null) body.handlingUnitId = unit;
  }
  return body;
}

/** The server's field messages (English, src/tickets/field-schemas.ts) in Chinese; others as given. */
export function issueText(issue: FieldIssue): string {
  const m = issue.message;
  const rules: [RegExp, (r: RegExpExecArray) => string][] = [
    [/^is required for \w+ \((.+)\)/, (r) => `${r[1] ?? ''}类诉求必须填写地址`],
    [/^is required when the request was answered on the call/, () => '直办须填写电话中给出的答复'],
    [/^must be left out when the request was answered on the call/, () => '直办工单不派单，不能指定承办单位'],
    [/^is required: the category names no default handling unit/, () => '该类别没有默认承办单位，请选择承办单位'],
    [/^is required: the category's default unit (.+) is no longer in use/, (r) => `类别的默认承办单位 ${r[1] ?? ''} 已停用，请选择承办单位`],
    [/^names no category/, () => '所选类别不存在，请重新选择'],
    [/^names no handling unit/, () => '所选承办单位不存在，请重新选择'],
    [/^names no knowledge article/, () => '引用的知识已不存在，请移除后重试'],
    [/^names category .+, which is no longer in use/, () => '所选类别已停用，请重新选择'],
    [/^names .+, which is no longer in use/, () => '所选承办单位已停用，请重新选择'],
    [/^must be a phone number/, () => '电话号码应为 5 至 20 位数字'],
    [/^must be at least (\d+) characters/, (r) => `至少 ${r[1] ?? ''} 个字`],
    [/^must be at most (\d+) characters/, (r) => `最多 ${r[1] ?? ''} 个字`],
    [/^must not be empty/, () => '不能为空'],
    [/^is required$/, () => '必填'],
    [/^must be one of/, () => '请从列表中选择'],
  ];
  for (const [re, text] of rules) {
    const r = re.exec(m);
    if (r !== null) return text(r);
  }
  return m;
}

/** ApiError issues split into the form's fields and the rest (shown above the form). */
export function issuesByField(issues: readonly FieldIssue[]): { fields: Partial<Record<OrderField, string>>; other: string[] } {
  const fields: Partial<Record<OrderField, string>> = {};
  const other: string[] = [];
  for (const issue of issues) {
    const head = issue.path.split('.')[0] ?? '';
    if ((ORDER_FIELDS as readonly string[]).includes(head)) {
      const f = head as OrderField;
      fields[f] = fields[f] === undefined ? issueText(issue) : `${fields[f]}；${issueText(issue)}`;
    } else other.push(`${issue.path}：${issueText(issue)}`);
  }
  return { fields, other };
}

/**
 * The lifecycle actions the order pages offer, per role and state. Mirrors the server's rules
 * (src/tickets/ticket-lifecycle.ts TICKET_ACTIONS): a button is shown only when the server would
 * take it, so nobody clicks into a refusal. The server still decides (a stale page gets 409).
 */
import type { Role } from '../../api/session-store';
import type { TicketAction, TicketJson, TicketState } from '../../api/tickets';

export interface ActionField {
  readonly key: string;
  /** The accessible name (label) of the input. */
  readonly label: string;
  readonly kind: 'textarea' | 'text' | 'tel' | 'days' | 'unit';
  readonly required: boolean;
  readonly minChars?: number;
  readonly maxChars?: number;
  readonly hint?: string;
  readonly placeholder?: string;
}

export interface ActionSpec {
  readonly action: TicketAction;
  /** The button's name (accessible name, issue 10). */
  readonly button: string;
  readonly buttonType: 'primary' | 'success' | 'warning' | 'danger' | 'default';
  readonly roles: readonly Role[];
  readonly from: readonly TicketState[];
  /** Extra condition on the order (e.g. an extension pending). */
  readonly when?: (t: TicketJson) => boolean;
  /** No dialog: the button acts at once. */
  readonly direct?: boolean;
  readonly fields: readonly ActionField[];
  /** The dialog's confirm button. */
  readonly confirm: string;
  /** Said after it went through. */
  readonly done: string;
}

const REASON_MIN = 5;
export const REPLY_MIN_CHARS = 15;
export const MAX_EXTENSION_DAYS = 10;

export const REPLY_HINT = '写明查到了什么情况、采取了什么措施、结果如何（至少 15 个字）；只写“情况属实已处理”“已处理完毕”之类的套话会被拒收。';

export const ACTION_SPECS: readonly ActionSpec[] = [
  { action: 'sign', button: '签收', buttonType: 'primary', roles: ['unit'], from: ['dispatched'], direct: true, fields: [], confirm: '签收', done: '已签收' },
  { action: 'start', button: '开始办理', buttonType: 'primary', roles: ['unit'], from: ['signed'], direct: true, fields: [], confirm: '开始办理', done: '已开始办理' },
  {
    action: 'reply',
    button: '答复',
    buttonType: 'success',
    roles: ['unit'],
    from: ['signed', 'in-progress'],
    fields: [
      { key: 'content', label: '答复内容', kind: 'textarea', required: true, minChars: REPLY_MIN_CHARS, maxChars: 4000, hint: REPLY_HINT },
      { key: 'handlerName', label: '答复人', kind: 'text', required: true, maxChars: 50, placeholder: '经办人姓名' },
      { key: 'handlerPhone', label: '答复电话', kind: 'tel', required: true, placeholder: '如 010-65120001 或 13812345678' },
    ],
    confirm: '提交答复',
    done: '已答复',
  },
  {
    action: 'request-extension',
    button: '申请延期',
    buttonType: 'warning',
    roles: ['unit'],
    from: ['signed', 'in-progress'],
    when: (t) => t.extensionStatus !== 'pending' && t.extensionGrantedDays < MAX_EXTENSION_DAYS,
    fields: [
      { key: 'days', label: '延期工作日数', kind: 'days', required: true },
      { key: 'reason', label: '延期原因', kind: 'textarea', required: true, minChars: REASON_MIN, maxChars: 2000 },
    ],
    confirm: '提交申请',
    done: '已提交延期申请',
  },
  {
    action: 'return',
    button: '退单',
    buttonType: 'danger',
    roles: ['unit'],
    from: ['dispatched', 'signed'],
    fields: [{ key: 'reason', label: '退单原因', kind: 'textarea', required: true, minChars: REASON_MIN, maxChars: 2000, hint: '说明为何不属于本单位职责，以及应由哪个单位办理。' }],
    confirm: '确认退单',
    done: '已退单',
  },
  {
    action: 'review-approve',
    button: '审核通过',
    buttonType: 'success',
    roles: ['supervisor', 'admin'],
    from: ['replied'],
    fields: [{ key: 'note', label: '审核意见', kind: 'textarea', required: false, maxChars: 2000 }],
    confirm: '确认通过',
    done: '已审核通过',
  },
  {
    action: 'review-reject',
    button: '退回重办',
    buttonType: 'danger',
    roles: ['supervisor', 'admin'],
    from: ['replied'],
    fields: [{ key: 'reason', label: '退回原因', kind: 'textarea', required: true, minChars: REASON_MIN, maxChars: 2000 }],
    confirm: '确认退回',
    done: '已退回重办',
  },
  {
    action: 'approve-extension',
    button: '批准延期',
    buttonType: 'success',
    roles: ['supervisor', 'admin'],
    from: ['signed', 'in-progress'],
    when: (t) => t.extensionStatus === 'pending',
    fields: [{ key: 'note', label: '审批意见', kind: 'textarea', required: false, maxChars: 2000 }],
    confirm: '确认批准',
    done: '已批准延期',
  },
  {
    action: 'refuse-extension',
    button: '拒绝延期',
    buttonType: 'danger',
    roles: ['supervisor', 'admin'],
    from: ['signed', 'in-progress'],
    when: (t) => t.extensionStatus === 'pending',
    fields: [{ key: 'note', label: '审批意见', kind: 'textarea', required: false, maxChars: 2000 }],
    confirm: '确认拒绝',
    done: '已拒绝延期',
  },
  {
    action: 'dispatch',
    button: '重新派单',
    buttonType: 'primary',
    roles: ['agent', 'supervisor', 'admin'],
    from: ['returned'],
    fields: [
      { key: 'unitId', label: '承办单位', kind: 'unit', required: true },
      { key: 'note', label: '派单说明', kind: 'textarea', required: false, maxChars: 2000 },
    ],
    confirm: '确认派单',
    done: '已重新派单',
  },
];

/** The actions `role` may take on `ticket` now, in button order. */
export function actionsFor(role: Role, ticket: TicketJson): ActionSpec[] {
  return ACTION_SPECS.filter((s) => s.roles.includes(role) && s.from.includes(ticket.state) && (s.when === undefined || s.when(ticket)));
}

/** 退单 is refused after returnBy (RETURN_TOO_LATE): the page says so instead of offering it. */
export function returnTooLate(ticket: TicketJson, now: number): boolean {
  return ticket.returnBy !== null && now > Date.parse(ticket.returnBy);
}

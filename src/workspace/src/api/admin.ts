/**
 * Users, handling units and the category tree as the admin pages read and change them
 * (src/api/agents.routes.ts, units.routes.ts, categories.routes.ts). What the server answers is typed
 * by the wire types (@wire/users, @wire/catalog); the bodies sent are the pages' own (the server
 * checks them with its schemas and names the bad field).
 */
import * as wire from '@wire/catalog';
import type { CategoryNodeJson, HandlingUnitJson, UnitKind } from '@wire/catalog';
import type { SessionJson, UserJson } from '@wire/users';
import { api } from './http';
import type { Role } from './session-store';

/** Kinds of handling unit in Chinese, and the deepest category level (bound here, as in ./tickets.ts). */
export const KIND_NAMES = wire.UNIT_KINDS;
export const MAX_CATEGORY_LEVEL = wire.MAX_CATEGORY_LEVEL;
export type { UnitKind } from '@wire/catalog';
export type { SessionJson, UserJson } from '@wire/users';
/** A handling unit (承办单位) as `/units` answers it. */
export type UnitJson = HandlingUnitJson;
/** A node of `GET /categories` (CategoryService.tree). */
export type CategoryNode = CategoryNodeJson;

export const ROLE_NAMES: Readonly<Record<Role, string>> = { admin: '管理员', supervisor: '班长/质检', agent: '话务员', unit: '承办单位' };
/** The order the create form offers them in: the ones made most often first. */
export const ROLE_ORDER: readonly Role[] = ['agent', 'unit', 'supervisor', 'admin'];

export interface NewAgentBody {
  readonly username: string;
  readonly password: string;
  readonly displayName?: string;
  readonly extension: string;
  readonly skills: readonly string[];
  readonly sipPassword: string;
  /** The user must choose its own password at its first login. */
  readonly mustChangePassword?: boolean;
}

export interface NewUserBody {
  readonly username: string;
  readonly password: string;
  readonly role: Exclude<Role, 'agent'>;
  readonly displayName?: string;
  readonly unitId?: number;
  readonly mustChangePassword?: boolean;
}

export interface UserPatch {
  displayName?: string;
  skills?: string[];
  unitId?: number;
  active?: boolean;
}

export interface UnitBody {
  code?: string;
  name?: string;
  kind?: UnitKind;
  liaisonName?: string;
  liaisonPhone?: string;
  liaisonSipUri?: string | null;
  active?: boolean;
}

export interface CategoryBody {
  parentId?: number | null;
  code?: string;
  name?: string;
  defaultUnitCode?: string | null;
  replyDays?: number | null;
  replyHours?: number | null;
  signDays?: number | null;
  active?: boolean;
}

/** What an order gets when no category of its lineage names one (ticket-deadlines.ts defaults). */
export const DEFAULT_DEADLINES = { signDays: 1, replyDays: 4 } as const;

/** Skills the shipped queues and preview dialing use (ivr-flows/queues.yaml, `callback`). */
export const KNOWN_SKILLS: Readonly<Record<string, string>> = { general: '综合咨询', complaint: '投诉举报', callback: '回访外呼' };

/** Password rule of the server (identity/user-fields.ts passwordSchema). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Why a password would be refused, in Chinese; undefined when it is fine. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN) return `至少 ${PASSWORD_MIN} 个字符`;
  if (password.length > PASSWORD_MAX) return `最多 ${PASSWORD_MAX} 个字符`;
  return undefined;
}

/** No 0/O, 1/l/I: read out over the phone or copied by hand without mistakes. */
const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';

/**
 * A random password from the browser's CSPRNG: `length` characters (≥ the server's minimum), with
 * at least one upper-case letter, one lower-case letter and one digit.
 */
export function generatePassword(length = 14): string {
  const n = Math.max(length, PASSWORD_MIN);
  for (;;) {
    const bytes = new Uint8Array(n);
    crypto.getRandomValues(bytes);
    // 256 is not a multiple of the alphabet's size: values past the last full round are dropped.
    const limit = 256 - (256 % PASSWORD_ALPHABET.length);
    const chars = [...bytes].filter((b) => b < limit).map((b) => PASSWORD_ALPHABET[b % PASSWORD_ALPHABET.length] ?? '');
    if (chars.length < n) continue;
    const pw = chars.join('');
    if (/[A-Z]/.test(pw) && /[a-z]/.test(pw) && /\d/.test(pw)) return pw;
  }
}

export const adminApi = {
  listUsers: async () => (await api.get<{ items: UserJson[] }>('/users')).items,
  createAgent: (body: NewAgentBody) => api.post<UserJson>('/agents', body),
  createUser: (body: NewUserBody) => api.post<UserJson>('/users', body),
  updateUser: (id: number, patch: UserPatch) => api.patch<UserJson>(`/users/${id}`, patch),
  setPassword: (id: number, password: string) => api.post<undefined>(`/users/${id}/password`, { password }),
  setSipPassword: (id: number, password: string) => api.post<undefined>(`/users/${id}/sip-password`, { password }),
  listSessions: async (id: number) => (await api.get<{ items: SessionJson[] }>(`/users/${id}/sessions`)).items,
  endAllSessions: async (id: number) => (await api.delete<{ ended: number }>(`/users/${id}/sessions`)).ended,
  listUnits: async () => (await api.get<{ items: UnitJson[] }>('/units')).items,
  createUnit: (body: UnitBody) => api.post<UnitJson>('/units', body),
  updateUnit: (id: number, patch: UnitBody) => api.patch<UnitJson>(`/units/${id}`, patch),
  categoryTree: async () => (await api.get<{ items: CategoryNode[] }>('/categories')).items,
  createCategory: (body: CategoryBody) => api.post<CategoryNode>('/categories', body),
  updateCategory: (id: number, patch: CategoryBody) => api.patch<CategoryNode>(`/categories/${id}`, patch),
};

/**
 * The server's field messages (English, stable) in Chinese; one not known here is shown as it came.
 */
const MESSAGES: readonly [RegExp, string | ((m: RegExpExecArray) => string)][] = [
  [/^is required$/, '必填'],
  [/^is required for an agent$/, '话务员必须填写'],
  [/^must not be empty$/, '不能为空'],
  [/^is already taken$/, '已被占用，请换一个'],
  [/^is only for agents$/, '只有话务员有此项'],
  [/^is only for unit users$/, '只有承办单位用户有此项'],
  [/^you cannot disable your own account$/, '不能停用自己正在使用的账号'],
  [/^must be at least (\d+) characters$/, (m) => `至少 ${m[1]} 个字符`],
  [/^must be at most (\d+) characters$/, (m) => `最多 ${m[1]} 个字符`],
  [/^must be at least (\d+)$/, (m) => `不能小于 ${m[1]}`],
  [/^must be at most (\d+)$/, (m) => `不能大于 ${m[1]}`],
  [/^must be a whole number$/, '须为整数'],
  [/^must be 3-64 letters, digits/, '须为 3–64 位英文字母、数字或 _ . -（不能用中文）'],
  [/^must be 3-8 digits$/, '须为 3–8 位数字'],
  [/^must not contain control characters$/, '不能包含控制字符'],
  [/^must list at most (\d+) skills$/, (m) => `最多 ${m[1]} 项技能`],
  [/^must be 1 to 32 letters, digits/, '须为 1–32 位英文字母、数字或 - _ .'],
  [/^must be a phone number/, '须为 5–20 位电话号码（可含空格、横线，及开头的 +86 或 0086）'],
  [/^must be a SIP URI with an IP address/, '须为以 IP 地址为主机的 SIP 地址，如 sip:8001@192.168.10.21:5060'],
  [/^calls a number the dial plan refuses: (.*)$/, (m) => `拨号规则不允许呼叫该号码（${m[1]}）`],
  [/^must be one of street/, '须为 街道、乡镇、委办局 或 企业'],
  [/^names no handling unit \((.*)\)$/, (m) => `没有编码为 ${m[1]} 的承办单位`],
  [/^names no category/, '上级类别不存在'],
  [/^names a level-(\d+) category/, (m) => `第 ${m[1]} 级类别下不能再添加子类`],
  [/^give replyDays or replyHours, not both$/, '办理时限只能按工作日或按小时，不能两个都填'],
  [/^names no field to change$/, '没有要修改的内容'],
  [/^user \d+ not found$/, '该用户已不存在，请刷新列表'],
  [/is not an agent: it has no SIP account$/, '该用户不是话务员，没有 SIP 账号'],
  [/^no handling unit \d+$/, '该承办单位已不存在，请刷新列表'],
  [/^no category \d+$/, '该类别已不存在，请刷新'],
  [/^role \w+ may not do this/, '没有权限（需要管理员）'],
  [/^is not your current password$/, '当前密码不正确'],
  [/^must differ from the current password$/, '新密码不能与当前密码相同'],
];

export function zhMessage(message: string): string {
  for (const [pattern, zh] of MESSAGES) {
    const m = pattern.exec(message);
    if (m) return typeof zh === 'string' ? zh : zh(m);
  }
  return message;
}

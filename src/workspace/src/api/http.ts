/**
 * The one way the workspace talks to `/api/v1`: JSON in and out, the login token attached, and every
 * refusal turned into an `ApiError` that keeps the server's code, message and per-field issues (so a
 * form can show each beside its field).
 */
import { session, updateSessionUser } from './session-store';

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The messages of the issues whose path starts with `field` (e.g. `address` or `category.id`). */
  fieldMessages(field: string): string[] {
    return this.issues.filter((i) => i.path === field || i.path.startsWith(`${field}.`)).map((i) => i.message);
  }
}

/** A network failure (server down, socket dropped): nothing was answered. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('无法连接服务器，请检查网络后重试');
    this.name = 'NetworkError';
    this.cause = cause;
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
}

/** Called when the server says the token is no longer good (401): the app goes back to the login page. */
let onUnauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return `/api/v1${path}${qs === '' ? '' : `?${qs}`}`;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = session.token;
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new NetworkError(err);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; issues?: FieldIssue[] } } | undefined)?.error;
    const error = new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? `服务器返回 ${res.status}`, e?.issues ?? [], retryAfterSeconds(res.headers.get('Retry-After')));
    // Only when the session that sent it is still the current one: a request still in flight when the
    // user signed out (or signed in again) must not send the new page to "login expired".
    if (res.status === 401 && path !== '/auth/login' && token !== undefined && session.token === token) onUnauthorized();
    // An admin set this user's password (a tab signed in before the app knew): the app shows only the
    // change-password page from now on (App.vue).
    if (error.code === 'PASSWORD_CHANGE_REQUIRED' && session.user !== undefined && session.token === token) updateSessionUser({ ...session.user, mustChangePassword: true });
    throw error;
  }
  return json as T;
}

/**
 * `Retry-After` as whole seconds from now: either delay-seconds (`120`) or an HTTP-date (`Wed, 21 Oct
 * 2026 07:28:00 GMT`, e.g. from a proxy); undefined when absent or unreadable (never NaN).
 */
export function retryAfterSeconds(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { ...(query === undefined ? {} : { query }), ...(signal === undefined ? {} : { signal }) }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/** Downloads a file that needs the token (CSV export, recording): fetched, then handed to the browser. */
export async function fetchBlob(path: string, query?: Query): Promise<Blob> {
  const token = session.token;
  let res: Response;
  try {
    res = await fetch(buildUrl(path, query), { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new NetworkError(err);
  }
  if (!res.ok) {
    // Same as request(): the session ended (and is still the one that asked) → the login page.
    if (res.status === 401 && token !== undefined && session.token === token) onUnauthorized();
    let e: { code?: string; message?: string } | undefined;
    try {
      e = ((await res.json()) as { error?: { code?: string; message?: string } } | undefined)?.error;
    } catch {
      e = undefined;
    }
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? `下载失败 (${res.status})`, [], retryAfterSeconds(res.headers.get('Retry-After')));
  }
  try {
    return await res.blob();
  } catch (err) {
    throw new NetworkError(err);
  }
}

/**
 * The server's API speaks English (codes are stable, messages are for developers and logs); people
 * read these. A code without a sentence here shows the server's message.
 */
export const ERROR_TEXTS: Readonly<Record<string, string>> = {
  LOGIN_FAILED: '用户名或密码错误',
  LOGIN_LOCKED: '尝试次数过多，请稍后再试',
  PASSWORD_CHANGE_REQUIRED: '管理员已重置您的密码，请先修改密码',
  UNAUTHORIZED: '登录已失效，请重新登录',
  FORBIDDEN: '没有权限进行此操作',
  NOT_FOUND: '未找到',
  VALIDATION_FAILED: '填写内容有误，请按提示修改',
  MALFORMED_JSON: '请求格式错误',
  BAD_REQUEST: '请求有误',
  INVALID_TRANSITION: '工单当前状态不允许此操作',
  INVALID_STATE: '当前状态不允许此操作',
  VERSION_CONFLICT: '工单已被他人更新，已重新加载，请核对后再操作',
  RETURN_TOO_LATE: '已超过退单时限，不能退单',
  EXTENSION_NOT_ALLOWED: '不能申请延期（已申请过或不在办理中）',
  DUPLICATE: '记录已存在',
  PAYLOAD_TOO_LARGE: '内容过长',
  INTERNAL: '服务器内部错误，请稍后重试',
};

/** A human sentence for any error thrown by `request`. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const text = ERROR_TEXTS[err.code] ?? err.message;
    return err.retryAfterS === undefined ? text : `${text}（${err.retryAfterS} 秒后再试）`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

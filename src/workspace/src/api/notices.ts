/**
 * Notices (公告, 未诉先办) as the supervisor pages read and change them (src/api/notices.routes.ts):
 * the list, publish, edit, withdraw, and today's calls about each (`/reports/notices`). Shapes from
 * @wire/notices; the bodies sent are checked by the server, which names the bad field.
 */
import type { NoticeJson, NoticeReportJson } from '@wire/notices';
import { api } from './http';

export type { BoardNoticeJson, NoticeJson, NoticeReportJson } from '@wire/notices';

export interface NoticeBody {
  readonly title?: string;
  readonly text?: string;
  readonly areas?: readonly string[];
  readonly validFrom?: string;
  readonly validTo?: string;
}

/** Longest title and text the server accepts (src/notices/notice.ts NOTICE_LIMITS). */
export const NOTICE_TITLE_MAX = 60;
export const NOTICE_TEXT_MAX = 300;

export const noticesApi = {
  list: (): Promise<NoticeJson[]> => api.get<{ items: NoticeJson[] }>('/notices').then((r) => r.items),
  publish: (body: NoticeBody): Promise<NoticeJson> => api.post<NoticeJson>('/notices', body),
  edit: (id: number, body: NoticeBody): Promise<NoticeJson> => api.patch<NoticeJson>(`/notices/${id}`, body),
  withdraw: (id: number): Promise<NoticeJson> => api.post<NoticeJson>(`/notices/${id}/withdraw`),
  /** Today's calls per notice (the centre's day). */
  today: (): Promise<NoticeReportJson> => api.get<NoticeReportJson>('/reports/notices'),
};

/** 生效中 / 未开始 / 已结束 / 已撤回, from the notice and the time now. */
export function noticeStateText(n: Pick<NoticeJson, 'status' | 'validFrom' | 'validTo'>, now: number = Date.now()): { text: string; tone: 'success' | 'info' | 'warning' } {
  if (n.status === 'withdrawn') return { text: '已撤回', tone: 'info' };
  if (now < Date.parse(n.validFrom)) return { text: '未开始', tone: 'warning' };
  if (now >= Date.parse(n.validTo)) return { text: '已结束', tone: 'info' };
  return { text: '生效中', tone: 'success' };
}

/** Areas typed as one line: split on Chinese or Latin commas, semicolons and spaces; blanks dropped. */
export function splitAreas(text: string): string[] {
  return text
    .split(/[,，;；、\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

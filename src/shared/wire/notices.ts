/** Notices (公告, 未诉先办) on the wire: `/api/v1/notices`, `/api/v1/reports/notices` and the wallboard. Dependency-free. */

/** `active`: published (in force between validFrom and validTo); `withdrawn`: taken back by a supervisor. */
export type NoticeStatus = 'active' | 'withdrawn';

/** A notice as `/notices` answers it. */
export interface NoticeJson {
  readonly id: number;
  readonly title: string;
  /** What the IVR reads after the title. */
  readonly text: string;
  /** Districts, streets or places it concerns (shown to agents; not used to pick callers). */
  readonly areas: readonly string[];
  /** Category ids it concerns (e.g. 供水). */
  readonly categoryIds: readonly number[];
  /** ISO instants; callers hear the notice from `validFrom` until `validTo` (exclusive). */
  readonly validFrom: string;
  readonly validTo: string;
  readonly status: NoticeStatus;
  /** True when published and `validFrom` ≤ now < `validTo`: callers hear it now. */
  readonly inForce: boolean;
  readonly createdBy: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly withdrawnAt: string | null;
}

/** Calls about one notice on one local day. */
export interface NoticeDayCountJson {
  readonly noticeId: number;
  /** `YYYY-MM-DD` in the centre's time zone. */
  readonly day: string;
  /** Calls that began to hear the notice. */
  readonly heard: number;
  /** Calls that pressed 1 (反映此事) and were ended without an order. */
  readonly pressed: number;
}

/** `/reports/notices?from=&to=`: counts per notice per day, with the notices' titles. */
export interface NoticeReportJson {
  readonly from: string;
  readonly to: string;
  readonly days: readonly NoticeDayCountJson[];
  readonly notices: readonly { readonly id: number; readonly title: string; readonly heard: number; readonly pressed: number }[];
}

/** A notice in force as the wallboard shows it, with today's counts. */
export interface BoardNoticeJson {
  readonly id: number;
  readonly title: string;
  readonly validTo: string;
  readonly heardToday: number;
  readonly pressedToday: number;
}

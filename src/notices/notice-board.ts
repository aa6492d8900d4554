import type { NoticeSource, SpokenNotice } from '../ivr/nodes/notices-node.js';
import type { Logger } from '../logging/logger.js';
import { NotFoundError } from '../shared/app-error.js';
import type { Clock, Timer } from '../shared/clock.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import { parseWithIssues, refuse } from '../tickets/parse-with-issues.js';
import { inForce, MAX_NOTICE_DAYS, newNoticeSchema, noticePatchSchema, spokenText, type Notice, type NoticeChanges, type NoticeRepository } from './notice.js';

export interface NoticeBoardOptions {
  readonly notices: NoticeRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Synthesises a text ahead of the first caller (the speech service's `prepare`). */
  readonly warm?: (text: string) => Promise<unknown>;
  /** The cache is read again this often, for notices edited by another process. Default 30 s. */
  readonly refreshMs?: number;
}

export interface NoticeBoardEvents extends Record<string, unknown[]> {
  /** A notice was published, edited or withdrawn (here, or seen at a refresh). */
  changed: [];
}

/**
 * Notices (公告, 未诉先办): supervisors publish, edit and withdraw them; the IVR reads the ones in
 * force from a cache held here (`activeAt`, no database query per call), reloaded after each change
 * made through this board and every `refreshMs` (changes made by another process, and nothing else
 * to do: notices entering or leaving their window are filtered by time at each call).
 */
export class NoticeBoard implements NoticeSource {
  readonly observer = new TypedEmitter<NoticeBoardEvents>();
  /** Notices not yet over (published or withdrawn), newest first, as last read. */
  private current: readonly Notice[] = [];
  private spoken = new Map<number, string>();
  private timer: Timer | undefined;
  private stopped = false;
  private signature = '';

  constructor(private readonly options: NoticeBoardOptions) {}

  /** Reads the cache, then keeps it fresh until stop(). */
  async start(): Promise<void> {
    await this.reload();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The notices callers hear at `at`, newest first (from the cache: synchronous). */
  activeAt(at: number): readonly SpokenNotice[] {
    const out: SpokenNotice[] = [];
    for (const n of this.current) if (inForce(n, at)) out.push({ id: n.id, text: this.spoken.get(n.id) ?? spokenText(n) });
    return out;
  }

  /** Notices in force now, newest first (the wallboard's list). */
  inForceNow(): readonly Notice[] {
    const now = this.options.clock.now();
    return this.current.filter((n) => inForce(n, now));
  }

  list(limit = 200): Promise<Notice[]> {
    return this.options.notices.list(limit);
  }

  async get(id: number): Promise<Notice> {
    const notice = await this.options.notices.get(id);
    if (notice === undefined) throw new NotFoundError(`no notice ${id}`);
    return notice;
  }

  /** Publishes a notice (ValidationError naming each bad field). */
  async publish(input: unknown, by: number): Promise<Notice> {
    const form = parseWithIssues(newNoticeSchema, input, 'notice');
    const now = this.options.clock.now();
    if (form.validTo <= now) refuse('notice', [{ path: 'validTo', message: 'must be in the future' }]);
    const created = await this.options.notices.create({ ...form, createdBy: by }, now);
    this.options.logger.info('notice published', { noticeId: created.id, by });
    await this.reload();
    return created;
  }

  /** Edits a notice still in force or to come; a withdrawn or ended one is refused (INVALID_STATE). */
  async edit(id: number, input: unknown, by: number): Promise<Notice> {
    const form = parseWithIssues(noticePatchSchema, input, 'notice');
    const before = await this.get(id);
    const now = this.options.clock.now();
    if (before.status === 'withdrawn' || before.validTo <= now) refuse('notice', [{ path: 'id', message: `notice ${id} is ${before.status === 'withdrawn' ? 'withdrawn' : 'over'}: publish a new one` }]);
    const validFrom = form.validFrom ?? before.validFrom;
    const validTo = form.validTo ?? before.validTo;
    if (validTo <= validFrom) refuse('notice', [{ path: 'validTo', message: 'must be after validFrom' }]);
    if (validTo - validFrom > MAX_NOTICE_DAYS * 86_400_000) refuse('notice', [{ path: 'validTo', message: `must be at most ${MAX_NOTICE_DAYS} days after validFrom` }]);
    const changes: { -readonly [K in keyof NoticeChanges]: NoticeChanges[K] } = {};
    if (form.title !== undefined) changes.title = form.title;
    if (form.text !== undefined) changes.text = form.text;
    if (form.areas !== undefined) changes.areas = form.areas;
    if (form.categoryIds !== undefined) changes.categoryIds = form.categoryIds;
    if (form.validFrom !== undefined) changes.validFrom = form.validFrom;
    if (form.validTo !== undefined) changes.validTo = form.validTo;
    const updated = await this.options.notices.update(id, changes, now);
    this.options.logger.info('notice edited', { noticeId: id, by });
    await this.reload();
    return updated;
  }

  /** Withdraws a notice: callers stop hearing it at once. Withdrawing twice is harmless. */
  async withdraw(id: number, by: number): Promise<Notice> {
    const before = await this.get(id);
    if (before.status === 'withdrawn') return before;
    const now = this.options.clock.now();
    const updated = await this.options.notices.update(id, { status: 'withdrawn', withdrawnAt: now }, now);
    this.options.logger.info('notice withdrawn', { noticeId: id, by });
    await this.reload();
    return updated;
  }

  /** Reads the cache again from the database; emits `changed` when it differs. */
  async reload(): Promise<void> {
    const now = this.options.clock.now();
    const notices = await this.options.notices.listCurrent(now);
    const signature = notices.map((n) => `${n.id}:${n.updatedAt}`).join(',');
    this.current = notices;
    this.spoken = new Map(notices.map((n) => [n.id, spokenText(n)]));
    if (signature !== this.signature) {
      this.signature = signature;
      this.warmAll(notices);
      this.observer.emit('changed');
    }
  }

  /**
   * Synthesises the notices before callers ask for them (the speech cache then answers at once, and
   * a text already cached costs nothing). A failure is only logged: the IVR skips a notice it cannot speak.
   */
  private warmAll(notices: readonly Notice[]): void {
    const { warm, logger } = this.options;
    if (warm === undefined) return;
    for (const n of notices) {
      if (n.status !== 'active') continue;
      warm(spokenText(n)).catch((err: unknown) => {
        logger.warn('notice not synthesised ahead', { noticeId: n.id, error: err instanceof Error ? err.message : String(err) });
      });
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.reload()
        .catch((err: unknown) => {
          this.options.logger.warn('notices not reloaded; keeping the cached ones', { error: err instanceof Error ? err.message : String(err) });
        })
        .finally(() => {
          this.schedule();
        });
    }, this.options.refreshMs ?? 30_000);
  }
}

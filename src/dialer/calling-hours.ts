import { ValidationError } from '../shared/app-error.js';

/** One window of a day, in minutes after local midnight: `[start, end)`. */
export interface CallingWindow {
  readonly start: number;
  readonly end: number;
}

export interface CallingHoursOptions {
  /** IANA zone the windows are written in, e.g. Asia/Shanghai. */
  readonly timeZone: string;
  /**
   * True when the local day holding `instant` is a working day (a WorkingDayCalendar's
   * `isWorkingDay`). Without it every day is a calling day.
   */
  readonly isCallingDay?: (instant: Date) => boolean;
}

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
/** How far nextOpen() looks ahead (a long public holiday, e.g. 国庆 plus weekends, is under 10 days). */
const LOOKAHEAD_DAYS = 31;

/**
 * When outbound calls may be placed: windows of the local day such as `09:00-12:00,13:30-18:00`
 * (the lunch break is the gap), in a configured time zone, optionally on working days only.
 * DOMAIN.md: supervision calls go to a unit's liaison in working hours only; survey calls respect
 * calling-hour windows.
 */
export class CallingHours {
  private readonly format: Intl.DateTimeFormat;

  constructor(
    readonly windows: readonly CallingWindow[],
    private readonly options: CallingHoursOptions,
  ) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: options.timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /**
   * Parses `HH:MM-HH:MM[,HH:MM-HH:MM…]` (the CALLING_HOURS setting). Windows must be in order,
   * not overlap, and each must end after it starts (`24:00` is allowed as an end).
   * Throws ValidationError naming the bad window.
   */
  static parse(text: string, options: CallingHoursOptions): CallingHours {
    const windows: CallingWindow[] = [];
    const parts = text.split(',').map((p) => p.trim());
    for (const part of parts) {
      const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(part);
      if (m === null) throw invalid(text, `"${part}" is not HH:MM-HH:MM`);
      const [start, end] = [minutes(m[1], m[2]), minutes(m[3], m[4])];
      if (start === undefined || end === undefined) throw invalid(text, `"${part}" is not a time of day`);
      if (end <= start) throw invalid(text, `"${part}" ends before it starts`);
      const previous = windows.at(-1);
      if (previous !== undefined && start < previous.end) throw invalid(text, `"${part}" overlaps or precedes the window before it`);
      windows.push({ start, end });
    }
    return new CallingHours(windows, options);
  }

  get timeZone(): string {
    return this.options.timeZone;
  }

  /** True when `instant` falls inside a window on a calling day. */
  isOpen(instant: Date | number): boolean {
    const ms = typeof instant === 'number' ? instant : instant.getTime();
    if (!this.isCallingDay(ms)) return false;
    const local = this.localAsUtc(ms);
    const minute = (((local % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / MS_PER_MINUTE;
    return this.windows.some((w) => minute >= w.start && minute < w.end);
  }

  /** `instant` itself when open, else the start of the next window (undefined when none within a month). */
  nextOpen(instant: Date | number): Date | undefined {
    const ms = typeof instant === 'number' ? instant : instant.getTime();
    if (this.isOpen(ms)) return new Date(ms);
    const local = this.localAsUtc(ms);
    const midnight = local - (((local % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY);
    for (let day = 0; day <= LOOKAHEAD_DAYS; day++) {
      for (const w of this.windows) {
        const start = this.toInstant(midnight + day * MS_PER_DAY + w.start * MS_PER_MINUTE);
        if (start > ms && this.isOpen(start)) return new Date(start);
      }
    }
    return undefined;
  }

  /** How the windows read in logs: `09:00-12:00,13:30-18:00`. */
  toString(): string {
    return this.windows.map((w) => `${hhmm(w.start)}-${hhmm(w.end)}`).join(',');
  }

  private isCallingDay(ms: number): boolean {
    return this.options.isCallingDay?.(new Date(ms)) ?? true;
  }

  /** The local wall-clock time of `epochMs` expressed as if it were UTC. */
  private localAsUtc(epochMs: number): number {
    const parts = this.format.formatToParts(new Date(epochMs));
    const n = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
    return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) + (((epochMs % 1000) + 1000) % 1000);
  }

  /** Inverse of localAsUtc: two passes settle the zone offset (also across a DST change). */
  private toInstant(localMs: number): number {
    let guess = localMs - (this.localAsUtc(localMs) - localMs);
    guess = localMs - (this.localAsUtc(guess) - guess);
    return guess;
  }
}

function minutes(h: string | undefined, m: string | undefined): number | undefined {
  const hours = Number(h);
  const mins = Number(m);
  if (!Number.isInteger(hours) || !Number.isInteger(mins) || mins > 59 || hours > 24 || (hours === 24 && mins !== 0)) return undefined;
  return hours * 60 + mins;
}

function hhmm(total: number): string {
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

function invalid(text: string, reason: string): ValidationError {
  return new ValidationError(`calling hours "${text}": ${reason}`, [{ path: 'CALLING_HOURS', message: reason }]);
}

import type { Category } from './catalog.js';
import type { RequestType, Urgency } from './ticket.js';
import type { WorkingDayCalendar } from './working-day-calendar.js';

/**
 * Deadlines used when neither the category nor any ancestor names one (shared/DOMAIN.md: sign
 * within 1 working day, return within 1, reply within 4; 24 h for water/power/gas/heating consults;
 * 2 h for emergencies; an extension is at most 10 working days).
 */
export interface DeadlineDefaults {
  readonly signDays: number;
  readonly replyDays: number;
  /** 退单 is allowed this many working days after 派单. */
  readonly returnDays: number;
  /** An emergency (特急) order must be signed and replied within these hours, whatever the category says. */
  readonly emergencySignHours: number;
  readonly emergencyReplyHours: number;
  /**
   * 咨询 about water, power, gas or heating: replied within `fastConsultHours`. Which categories these
   * are is told by category code prefix (the seed's class 05 供水供电供气供暖), so the catalogue
   * stays data and needs no extra column; a category's own replyHours/replyDays still wins when shorter.
   */
  readonly fastConsultCategoryPrefixes: readonly string[];
  readonly fastConsultHours: number;
  /** Most working days of extension (延期) an order may get in all. */
  readonly maxExtensionDays: number;
}

export const DEFAULT_DEADLINES: DeadlineDefaults = {
  signDays: 1,
  replyDays: 4,
  returnDays: 1,
  emergencySignHours: 1,
  emergencyReplyHours: 2,
  fastConsultCategoryPrefixes: ['05'],
  fastConsultHours: 24,
  maxExtensionDays: 10,
};

export interface StepDeadlines {
  readonly signBy: Date;
  readonly returnBy: Date;
  readonly replyBy: Date;
}

const MS_PER_HOUR = 3_600_000;

/** Computes an order's deadlines from its category lineage and urgency, at dispatch, re-dispatch and reopen. */
export class DeadlinePolicy {
  readonly defaults: DeadlineDefaults;

  constructor(
    private readonly calendar: WorkingDayCalendar,
    overrides: Partial<DeadlineDefaults> = {},
  ) {
    this.defaults = { ...DEFAULT_DEADLINES, ...overrides };
  }

  /** Each deadline comes from the nearest category (self, then ancestors) that names one. */
  compute(lineage: readonly Category[], requestType: RequestType, urgency: Urgency, from: Date): StepDeadlines {
    const { calendar, defaults } = this;
    const reply = lineage.find((c) => c.replyDays !== null || c.replyHours !== null);
    const signDays = lineage.find((c) => c.signDays !== null)?.signDays ?? defaults.signDays;
    let replyBy =
      reply?.replyHours !== undefined && reply.replyHours !== null
        ? hoursAfter(from, reply.replyHours)
        : calendar.addWorkingDays(from, reply?.replyDays ?? defaults.replyDays);
    let signBy = calendar.addWorkingDays(from, signDays);
    if (requestType === 'consult' && lineage.some((c) => defaults.fastConsultCategoryPrefixes.some((p) => c.code.startsWith(p)))) {
      replyBy = earliest(replyBy, hoursAfter(from, defaults.fastConsultHours));
    }
    if (urgency === 'emergency') {
      replyBy = earliest(replyBy, hoursAfter(from, defaults.emergencyReplyHours));
      signBy = earliest(signBy, hoursAfter(from, defaults.emergencySignHours));
    }
    // Signing after the reply is due makes no sense (e.g. a 24 h reply with a 1-day sign over a weekend).
    signBy = earliest(signBy, replyBy);
    return { signBy, returnBy: calendar.addWorkingDays(from, this.defaults.returnDays), replyBy };
  }

  /** An approved extension counts from the current reply deadline. */
  extend(replyBy: Date, days: number): Date {
    return this.calendar.addWorkingDays(replyBy, days);
  }
}

function hoursAfter(from: Date, hours: number): Date {
  return new Date(from.getTime() + hours * MS_PER_HOUR);
}

function earliest(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}

/**
 * What the supervision job (督办, jobs/ + dialer/) needs from work orders. Implemented by the
 * ticket lifecycle (TicketService); declared here so both sides code against one contract.
 */

/** Which deadline an order has missed (or is about to). */
export type SupervisedStep = 'sign' | 'reply';

export interface OverdueOrder {
  readonly ticketId: number;
  readonly code: string;
  readonly step: SupervisedStep;
  readonly deadline: Date;
  readonly light: 'yellow' | 'red';
  /** Whole working days past the deadline (0 for yellow). */
  readonly overdueWorkingDays: number;
  /** The order's escalation level now (0 = none). */
  readonly escalationLevel: number;
  readonly unitId: number;
  readonly unitName: string;
  readonly liaisonName: string | null;
  /** Digits (a phone number, dialled through the trunk) … */
  readonly liaisonPhone: string | null;
  /** … or a SIP URI with an IP literal (dialled directly); preferred when both are set. */
  readonly liaisonSipUri: string | null;
  /** True when the liaison already acknowledged a supervision call for this step and this deadline. */
  readonly acknowledged: boolean;
  /** Supervision call attempts already made for this step and deadline (any result). */
  readonly attempts: number;
  /** When the last attempt for this step ended, if any. */
  readonly lastAttemptAt: Date | null;
}

/** Result of one supervision call attempt, as stored on the order's event log. */
export type SupervisionCallResult = 'acknowledged' | 'not-acknowledged' | 'busy' | 'no-answer' | 'failed' | 'outside-hours' | 'refused-by-dial-plan';

export interface SupervisionAttempt {
  readonly ticketId: number;
  readonly step: SupervisedStep;
  readonly deadline: Date;
  /** 1-based attempt number for this step and deadline. */
  readonly attempt: number;
  readonly result: SupervisionCallResult;
  /** Where the call went (masked in logs, stored in full). */
  readonly target: string;
  readonly callId: string | null;
  /** Why, when the result needs one (the dial plan's reason): stored as the event's note. */
  readonly reason?: string;
  readonly at: Date;
}

export interface SupervisionTickets {
  /**
   * Orders past a deadline (red) and, when `includeYellow`, due within one working day (yellow),
   * that are not closed: sign deadline while dispatched, reply deadline while signed/in progress.
   */
  overdue(now: Date, includeYellow: boolean): Promise<OverdueOrder[]>;
  /** Appends a `supervision-call` event (and `supervision-acknowledged` when result is acknowledged). */
  recordAttempt(attempt: SupervisionAttempt): Promise<void>;
  /** Raises the order's escalation level to `level` (no-op when already there) with an `escalated` event. */
  escalate(ticketId: number, level: number, reason: string, at: Date): Promise<void>;
}

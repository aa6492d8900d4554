/**
 * What the survey campaign (回访, jobs/survey.job.ts) and preview dialing (calls/preview-tasks.ts)
 * need from work orders beyond `surveyCandidates` and `act(…, 'survey', …)`. Implemented by
 * TicketService (survey-call-log.ts); declared here so both sides code against one contract.
 */
import type { Channel, Resolution, Satisfaction, Ticket, TicketActor } from './ticket.js';

/**
 * Result of one survey call attempt, as stored on the order (`survey-call` event):
 * - `rated`: the IVR run reached a satisfaction node (the order is then closed or reopened by `act`);
 * - `no-rating`: answered, but the resident hung up or pressed nothing usable;
 * - `connected`: a callback agent talked with the resident (the agent records the rating);
 * - `busy`, `no-answer`, `failed`: not answered;
 * - `refused-by-dial-plan`: not called, the number may not be dialled (the reason is the event's note).
 */
export type SurveyCallResult = 'rated' | 'no-rating' | 'connected' | 'busy' | 'no-answer' | 'failed' | 'refused-by-dial-plan';

export interface SurveyCallAttempt {
  readonly ticketId: number;
  /** The order's reopenCount when called: attempts are counted per survey round (a 重办 starts afresh). */
  readonly round: number;
  /** 1-based within the round. */
  readonly attempt: number;
  readonly result: SurveyCallResult;
  readonly satisfaction: Satisfaction | null;
  readonly resolution: Resolution | null;
  /** Where the call went (stored in full, masked in logs). */
  readonly target: string;
  readonly callId: string | null;
  /** Why, when the result needs one (the dial plan's reason): stored as the event's note. */
  readonly reason?: string;
  /** `ivr` (the campaign) or `agent` (preview dialing). */
  readonly by: 'ivr' | 'agent';
  /** Default SYSTEM_ACTOR. */
  readonly actor?: TicketActor;
  readonly at: Date;
}

/** Attempts already made in the order's current survey round. */
export interface SurveyCallHistory {
  readonly attempts: number;
  readonly lastAttemptAt: Date | null;
}

/** The work-order calls a survey campaign makes (TicketService implements them). */
export interface SurveyTickets {
  /** Reviewed orders waiting for the survey, longest waiting first; never do-not-call ones. */
  surveyCandidates(limit: number): Promise<readonly Ticket[]>;
  /** Attempts of the current round, per order id. */
  surveyCalls(orders: readonly Pick<Ticket, 'id' | 'reopenCount'>[]): Promise<Map<number, SurveyCallHistory>>;
  /** Appends a `survey-call` event (the order's version stays). */
  recordSurveyCall(attempt: SurveyCallAttempt): Promise<void>;
  /** The lifecycle action: `survey` with `{ version, satisfaction, resolution }` closes or reopens. */
  act(code: string, action: 'survey', input: unknown, actor: TicketActor, channel: Channel): Promise<Ticket>;
}

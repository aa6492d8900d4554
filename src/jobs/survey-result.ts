import { reachedNode, type CallOutcome } from '../dialer/index.js';
import type { SurveyCallResult } from '../tickets/survey-port.js';
import type { Resolution, Satisfaction } from '../tickets/ticket.js';

/**
 * Node ids of ivr-flows/survey.yaml the job reads the answers from (ivr-flows/README.md,
 * "Survey flow"): the node's id is the stored value.
 */
export const RESOLUTION_NODES: readonly Resolution[] = ['resolved', 'partly', 'unresolved'];
export const SATISFACTION_NODES: readonly Exclude<Satisfaction, 'unreachable'>[] = ['satisfied', 'basically', 'unsatisfied'];

export interface SurveyAnswer {
  readonly result: SurveyCallResult;
  /** Set when result is `rated`. */
  readonly satisfaction: Exclude<Satisfaction, 'unreachable'> | null;
  readonly resolution: Resolution | null;
}

/** What one survey call attempt amounts to: a rating (from the path), no rating, or why it was not answered. */
export function surveyAnswerOf(outcome: CallOutcome): SurveyAnswer {
  if (outcome.kind === 'failed') {
    const result: SurveyCallResult =
      outcome.failure === 'busy' || outcome.failure === 'no-answer' || outcome.failure === 'refused-by-dial-plan' ? outcome.failure : 'failed';
    return { result, satisfaction: null, resolution: null };
  }
  // The last one reached counts, should an edited flow ever let the resident answer twice.
  const last = <T extends string>(ids: readonly T[]): T | null => {
    const found = outcome.ivrPath.filter((id): id is T => (ids as readonly string[]).includes(id));
    return found.at(-1) ?? null;
  };
  const satisfaction = SATISFACTION_NODES.some((id) => reachedNode(outcome, id)) ? last(SATISFACTION_NODES) : null;
  const resolution = last(RESOLUTION_NODES);
  return satisfaction === null ? { result: 'no-rating', satisfaction: null, resolution } : { result: 'rated', satisfaction, resolution };
}

import type { DialFailure } from '../telephony/call-leg.js';

/** One person to call, as a campaign (supervision, survey) hands it to the dialer. */
export interface OutboundTask {
  /** Stable id in the campaign, e.g. `ticket-42-reply` (for logs and reports). */
  readonly id: string;
  /** `sip:user@ip:port`, `ext:<n>` or `tel:<digits>` (see telephony DialRequest.target). */
  readonly target: string;
  /** Start variables of the IVR run (e.g. `code`, `days`). */
  readonly variables: Readonly<Record<string, string>>;
  /** Flow node to start at instead of the flow's `start` (one flow file, several openings). */
  readonly entry?: string;
  /** Attempts the dialer makes for this task in one run (≥ 1). Default 1. */
  readonly maxAttempts?: number;
  /** Gap between the end of a failed attempt and the next one. Default 0. */
  readonly retryAfterMs?: number;
}

/**
 * Why a call did not reach the IVR: the DialError failures (`failed` also covers errors and a
 * missing flow), or `refused-by-dial-plan` when the number may not be dialled (nothing was sent).
 */
export type CallFailure = DialFailure | 'refused-by-dial-plan';

/** How one attempt ended. */
export type CallOutcome =
  | {
      readonly kind: 'answered';
      readonly callId: string;
      /** Node ids the IVR visited, in order: campaigns read their result from it (e.g. `acknowledged`). */
      readonly ivrPath: readonly string[];
      /** Every key pressed. */
      readonly digits: string;
      /** Variables at the end of the run (collected answers). */
      readonly variables: Readonly<Record<string, string>>;
      /** `hangup`, `caller-hangup`, `failed`… as the IVR run ended. */
      readonly ivrOutcome: string;
    }
  | {
      readonly kind: 'failed';
      readonly failure: CallFailure;
      readonly callId?: string;
      /** Why, in one sentence, when there is more to say than `failure` (the dial plan's reason). */
      readonly reason?: string;
    };

/**
 * The port the dialer places calls through; calls/ implements it with the PBX and the IVR.
 * Resolves (never rejects for a call that failed) once the call is over and hung up.
 * `signal` aborts a ringing or running call (the dialer is closing).
 */
export interface OutboundCaller {
  call(task: OutboundTask, signal: AbortSignal): Promise<CallOutcome>;
}

/** True when the IVR run passed through `nodeId` (the convention campaigns use to read a result). */
export function reachedNode(outcome: CallOutcome, nodeId: string): boolean {
  return outcome.kind === 'answered' && outcome.ivrPath.includes(nodeId);
}

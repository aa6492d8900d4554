import { DialPlanError, maskTarget, type DialPlan } from '../dialer/index.js';
import type { Logger } from '../logging/logger.js';
import type { BridgeHandle, CallLeg, DialRequest, TelephonyPbx } from '../telephony/call-leg.js';

/**
 * The PBX as every campaign dials through it (supervision, survey, preview and callback calls):
 * each target (`tel:`, a number in a SIP URI's user part) is checked against the dial plan and normalised before the engine sees it,
 * so a number the plan refuses never reaches the trunk, whichever code path asked for the call.
 * A refusal rejects with DialPlanError (code `REFUSED_BY_DIAL_PLAN`) and sends nothing.
 */
export class DialPlanPbx implements Pick<TelephonyPbx, 'dial' | 'bridge'> {
  constructor(
    private readonly pbx: Pick<TelephonyPbx, 'dial' | 'bridge'>,
    readonly plan: DialPlan,
    private readonly logger: Logger,
  ) {}

  dial(request: DialRequest, signal?: AbortSignal): Promise<CallLeg> {
    const verdict = this.plan.checkTarget(request.target);
    if (!verdict.allowed) {
      this.logger.warn('outbound call refused by the dial plan', { target: maskTarget(request.target), refusal: verdict.refusal, reason: verdict.reason });
      return Promise.reject(new DialPlanError(verdict.refusal, verdict.reason));
    }
    return this.pbx.dial({ ...request, target: verdict.target }, signal);
  }

  bridge(a: CallLeg, b: CallLeg, options?: { recordingPath?: string }): BridgeHandle {
    return this.pbx.bridge(a, b, options);
  }
}

import type { BridgeHandle, CallLeg, DialRequest, DialTrunk, TelephonyPbx } from '../telephony/call-leg.js';

/**
 * One campaign's way out (issue 13): its calls go through the trunk the trunks file gives it
 * (`outbound.campaigns`), or, when none does, through the engine's default proxy
 * (SIP_OUTBOUND_PROXY with SIP_TRUNK_USER/PASSWORD). Wraps the dial-plan PBX, so the plan still
 * judges every number first.
 */
export class TrunkRoutedPbx implements Pick<TelephonyPbx, 'dial' | 'bridge'> {
  constructor(
    private readonly pbx: Pick<TelephonyPbx, 'dial' | 'bridge'>,
    readonly trunk: DialTrunk | undefined,
  ) {}

  dial(request: DialRequest, signal?: AbortSignal): Promise<CallLeg> {
    return this.pbx.dial(this.trunk === undefined ? request : { ...request, trunk: this.trunk }, signal);
  }

  bridge(a: CallLeg, b: CallLeg, options?: { recordingPath?: string }): BridgeHandle {
    return this.pbx.bridge(a, b, options);
  }
}

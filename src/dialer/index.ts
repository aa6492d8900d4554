/** Public surface of the outbound dialer (what calls/, jobs/ and main.ts import). */
export { CallingHours, type CallingHoursOptions, type CallingWindow } from './calling-hours.js';
export { CallSlots, type ReleaseSlot } from './call-slots.js';
export { DEFAULT_DIAL_PLAN_ALLOW, DEFAULT_DIAL_PLAN_DENY, DialPlan, DialPlanError, REFUSED_BY_DIAL_PLAN, type DialPlanRefusal, type DialPlanVerdict } from './dial-plan.js';
export { reachedNode, type CallFailure, type CallOutcome, type OutboundCaller, type OutboundTask } from './outbound-caller.js';
export {
  defaultShouldRetry,
  maskTarget,
  OutboundDialer,
  type AttemptReport,
  type OutboundDialerEvents,
  type OutboundDialerOptions,
  type RunOptions,
  type TaskReport,
  type TaskStatus,
} from './outbound-dialer.js';

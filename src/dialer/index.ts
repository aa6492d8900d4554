/** Public surface of the outbound dialer (what calls/, jobs/ and main.ts import). */
export { CallingHours, type CallingHoursOptions, type CallingWindow } from './calling-hours.js';
export { CallSlots, type ReleaseSlot } from './call-slots.js';
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

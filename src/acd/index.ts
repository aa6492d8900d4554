export { Acd, type AcdOptions, type LeaveReason, type OfferFailure } from './acd.js';
export type * from './acd-events.js';
export type * from './acd-record-repository.js';
export { CALLBACK_STATUSES, QUEUE_EVENT_TYPES } from './acd-record-repository.js';
export { AgentState, RONA_REASON, UNREACHABLE_REASON, type AgentSnapshot } from './agent.js';
export { parseQueues, type OnMaxWait, type ParseQueuesOptions, type QueueDefinition, type QueueDefinitions } from './parse-queues.js';
export { QueueFileError } from './queue-file-error.js';
export { queueMetrics, type QueueMetrics, type QueueMetricsOptions } from './queue-metrics.js';
export { minuteOfDay, serviceHoursSchema, withinServiceHours, type Period, type ServiceHours, type WorkingDays } from './service-hours.js';

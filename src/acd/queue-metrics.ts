/** The queue metrics moved to src/metrics/queue-metrics.ts (one definition for the ACD and the reports). */
export { queueMetrics, type QueueMetrics, type QueueMetricsOptions } from '../metrics/queue-metrics.js';

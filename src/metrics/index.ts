export { queueMetrics, queueCountsOf, queueRates, type QueueCounts, type QueueMetrics, type QueueMetricsOptions, type QueueRates } from './queue-metrics.js';
export { orderRates, satisfactionRate, DEFAULT_SATISFACTION_WEIGHTS, type OrderCounts, type OrderRates, type SatisfactionWeights } from './order-metrics.js';
export { compositeScore, rankUnits, DEFAULT_RANK_WEIGHTS, type RankWeights, type UnitReportRow } from './unit-ranking.js';
export { categoryTrends, type CategoryTrends, type CategoryVolume } from './category-trends.js';
export { resolvePeriod, previousPeriod, isReportInstant } from './report-period.js';
export type { ReportQueries, ReportPeriod, QueueCountOptions, UnitOrderCounts, UnitRef, CategoryRef, CategoryCount } from './report-queries.js';
export { ReportService, type ReportServiceDeps, type ReportOptions, type SummaryReport, type UnitReport, type CategoryReport, type PeriodQuery } from './report-service.js';
export { summaryCsv, unitsCsv, categoriesCsv } from './report-tables.js';

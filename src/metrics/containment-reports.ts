import type { DirectReportJson, IvrReportJson } from '../shared/wire/ivr-reports.js';
import type { Clock } from '../shared/clock.js';
import { directRate, directRates, type CategoryDirectCount } from './direct-rate.js';
import { ivrContainment, selfServiceFigures, type IvrPathCount, type SelfServiceCounts, type SelfServiceFigures } from './ivr-containment.js';
import { resolvePeriod } from './report-period.js';
import type { CategoryRef, ReportPeriod } from './report-queries.js';
import type { PeriodQuery } from './report-service.js';

/** What the IVR and 直办 reports read (db/containment-queries.ts: aggregate SQL, a row per group). */
export interface ContainmentQueries {
  /** Calls of `flow` started in the period, grouped by (ivr_path, ivr_outcome, ivr_self_served). */
  ivrPathCounts(period: ReportPeriod, flow: string): Promise<IvrPathCount[]>;
  /** Inbound calls started in the period that ran any IVR flow. */
  selfServiceCounts(period: ReportPeriod): Promise<SelfServiceCounts>;
  /** Orders received in the period per category, with how many were 直办. */
  categoryDirectCounts(period: ReportPeriod): Promise<CategoryDirectCount[]>;
  listCategories(): Promise<CategoryRef[]>;
}

/** The flow the report is about: its name and nodes in file order (the inbound flow in service). */
export interface FlowOutline {
  readonly name: string;
  readonly nodes: readonly { readonly id: string; readonly type: string }[];
}

export interface ContainmentReportsDeps {
  readonly queries: ContainmentQueries;
  readonly clock: Clock;
  readonly timeZone: string;
  /** The inbound flow in service (absent: none loaded). */
  readonly flow: () => FlowOutline | undefined;
}

/** The IVR containment report per node, the summary's 自助服务完成率 and 直办率 per category (issue 12). */
export class ContainmentReports {
  constructor(private readonly deps: ContainmentReportsDeps) {}

  period(query: PeriodQuery): ReportPeriod {
    return resolvePeriod(query, this.deps.clock.now(), this.deps.timeZone);
  }

  /** Per node of `flow` (default: the inbound flow in service; a flow not in service has no node order). */
  async ivr(query: PeriodQuery & { readonly flow?: string | undefined }): Promise<IvrReportJson> {
    const period = this.period(query);
    const current = this.deps.flow();
    const name = query.flow ?? current?.name ?? '';
    const outline = current !== undefined && current.name === name ? current.nodes : [];
    const groups = name === '' ? [] : await this.deps.queries.ivrPathCounts(period, name);
    const totals = { entered: 0, selfServed: 0, queued: 0, left: 0 };
    for (const g of groups) {
      totals.entered += g.calls;
      if (g.selfServed) totals.selfServed += g.calls;
      if (g.outcome === 'queue') totals.queued += g.calls;
      if (g.outcome === 'caller-hangup') totals.left += g.calls;
    }
    return { ...iso(period), flow: name, ...selfServiceFigures(totals), nodes: ivrContainment(groups, outline) };
  }

  /** The summary report's `ivr` part over every inbound flow. */
  async selfService(period: ReportPeriod): Promise<SelfServiceFigures> {
    return selfServiceFigures(await this.deps.queries.selfServiceCounts(period));
  }

  async direct(query: PeriodQuery): Promise<DirectReportJson> {
    const period = this.period(query);
    const [categories, counts] = await Promise.all([this.deps.queries.listCategories(), this.deps.queries.categoryDirectCounts(period)]);
    const items = directRates(categories, counts);
    const received = items.reduce((s, r) => s + r.received, 0);
    const direct = items.reduce((s, r) => s + r.direct, 0);
    return { ...iso(period), received, direct, directRate: directRate({ received, direct }), items };
  }
}

function iso(period: ReportPeriod): { from: string; to: string } {
  return { from: period.from.toISOString(), to: period.to.toISOString() };
}

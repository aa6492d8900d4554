/**
 * IVR containment, 自助服务完成率 and 直办率 on the wire (issue 12): `GET /api/v1/reports/ivr` and
 * `GET /api/v1/reports/direct`, and the `ivr` part of `GET /reports/summary`. The formulas:
 * src/metrics/ivr-containment.ts and src/metrics/direct-rate.ts. Rates are 0..1, null when their
 * denominator is 0. Dependency-free.
 */

/** One node of a flow over the period's calls that ran it. */
export interface IvrNodeRowJson {
  readonly node: string;
  /** The node's type in the flow in service (`menu`, `speak` …); null for a node no longer in it. */
  readonly type: string | null;
  /** Calls that passed the node. */
  readonly reached: number;
  /** Calls whose caller hung up while at the node (their IVR ended there). */
  readonly left: number;
  /** Calls that passed the node and went on to an agent queue. */
  readonly queued: number;
  /** Calls that passed the node and completed a self-service without an agent. */
  readonly selfServed: number;
  /** Calls the flow ended at the node (a hangup node, retries used up, an error). */
  readonly ended: number;
  /** 放弃率 at the node = left ÷ reached. */
  readonly leftRate: number | null;
}

export interface SelfServiceFiguresJson {
  /** Inbound calls that ran an IVR flow. */
  readonly entered: number;
  /** Of them, calls that completed a self-service and never went on to an agent queue. */
  readonly selfServed: number;
  /** Of them, calls that went on to an agent queue. */
  readonly queued: number;
  /** Of them, calls whose caller hung up in the IVR. */
  readonly left: number;
  /** 自助服务完成率 = selfServed ÷ entered. */
  readonly selfServiceRate: number | null;
  /** IVR 拦截率 = (entered − queued) ÷ entered. */
  readonly containmentRate: number | null;
}

/** `GET /reports/ivr?from=&to=&flow=`: per node of one flow (default: the inbound flow in service). */
export interface IvrReportJson extends SelfServiceFiguresJson {
  readonly from: string;
  readonly to: string;
  readonly flow: string;
  /** The flow's nodes in file order (those no call reached: zeros), then nodes since removed from it. */
  readonly nodes: IvrNodeRowJson[];
}

/** One category's 直办 figures. */
export interface DirectRateRowJson {
  readonly categoryId: number;
  readonly code: string;
  readonly name: string;
  /** Names from the top class down, e.g. `城乡建设 / 供水`. */
  readonly path: string;
  /** Orders received in the period filed under the category. */
  readonly received: number;
  /** Of them, orders answered on the call and closed at once (直办). */
  readonly direct: number;
  /** 直办率 = direct ÷ received. */
  readonly directRate: number | null;
}

/** `GET /reports/direct?from=&to=`: 直办率 per category (most orders first) and over all orders. */
export interface DirectReportJson {
  readonly from: string;
  readonly to: string;
  readonly received: number;
  readonly direct: number;
  readonly directRate: number | null;
  readonly items: DirectRateRowJson[];
}

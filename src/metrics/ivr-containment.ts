import type { IvrNodeRowJson, IvrReportJson, SelfServiceFiguresJson } from '../shared/wire/ivr-reports.js';
import { ratio } from './ratio.js';

/**
 * IVR containment, drop-out and self-service (issue 12), written once. Every figure comes from the
 * call records (calls.ivr_path, ivr_flow, ivr_outcome, ivr_self_served of migration 0024), written when
 * the call ends. A call counts in the period its `started_at` falls in; calls still going on are not
 * counted yet (their IVR fields are written at the end).
 *
 * Per node of a flow (IvrNodeRow), over the calls that ran the flow:
 * - reached: calls whose path passed the node (once per call, however often it was visited).
 * - left (放弃): calls whose path ENDS at the node and whose caller hung up in the IVR
 *   (ivr_outcome `caller-hangup`): the caller left while there.
 * - queued (转人工): calls that passed the node and went on to an agent queue (ivr_outcome `queue`).
 * - selfServed (自助完成): calls that passed the node and completed a self-service (ivr_self_served).
 * - ended (流程结束): calls whose path ends at the node and that the flow itself ended (a `hangup` node,
 *   retries used up, an error: ivr_outcome `hangup` or `failed`).
 *
 * 自助服务完成率 (selfServiceRate) = selfServed ÷ entered, where
 * - entered: inbound calls that ran an IVR flow (ivr_flow set);
 * - selfServed: of them, calls that reached a node their flow lists under `selfService` (e.g. the
 *   order state read out, `progress-read`) and did NOT go on to an agent queue afterwards.
 * IVR 拦截率 (containmentRate) = (entered − queued) ÷ entered: calls that never asked for an agent,
 * whether served, left or ended by the flow (a drop-out is "contained" too, which is why the
 * self-service rate is the figure that says the IVR served).
 */
export type IvrNodeRow = IvrNodeRowJson;
export type IvrReport = IvrReportJson;
export type SelfServiceFigures = SelfServiceFiguresJson;

/** One group of calls with the same path and ending (the report query's GROUP BY row). */
export interface IvrPathCount {
  /** Node ids, comma-separated, in the order visited (calls.ivr_path). */
  readonly path: string;
  /** `queue`, `caller-hangup`, `hangup`, `failed` (null on a call record without it). */
  readonly outcome: string | null;
  readonly selfServed: boolean;
  readonly calls: number;
}

/** The counts behind 自助服务完成率 (see the formulas above). */
export interface SelfServiceCounts {
  readonly entered: number;
  readonly selfServed: number;
  readonly queued: number;
  readonly left: number;
}

export const IVR_OUTCOME_QUEUE = 'queue';
export const IVR_OUTCOME_CALLER_HANGUP = 'caller-hangup';
const FLOW_ENDINGS: ReadonlySet<string> = new Set(['hangup', 'failed']);

/** 自助服务完成率 and IVR 拦截率 from the counts; null when no call entered the IVR. */
export function selfServiceFigures(c: SelfServiceCounts): SelfServiceFigures {
  return {
    ...c,
    selfServiceRate: ratio(c.selfServed, c.entered),
    containmentRate: ratio(c.entered - c.queued, c.entered),
  };
}

/**
 * The per-node rows of one flow from its calls grouped by path and ending. `nodeOrder` (the flow's
 * nodes, in file order, with their types) puts the rows in that order and lists nodes no call reached
 * (all zero); nodes found only in paths (since removed from the flow) follow, most reached first.
 */
export function ivrContainment(groups: readonly IvrPathCount[], nodeOrder: readonly { readonly id: string; readonly type: string }[] = []): IvrNodeRow[] {
  const rows = new Map<string, { reached: number; left: number; queued: number; selfServed: number; ended: number }>();
  const row = (id: string): { reached: number; left: number; queued: number; selfServed: number; ended: number } => {
    let r = rows.get(id);
    if (r === undefined) {
      r = { reached: 0, left: 0, queued: 0, selfServed: 0, ended: 0 };
      rows.set(id, r);
    }
    return r;
  };
  for (const g of groups) {
    const path = g.path.split(',').filter((id) => id !== '');
    const last = path[path.length - 1];
    if (last === undefined || g.calls <= 0) continue;
    for (const id of new Set(path)) {
      const r = row(id);
      r.reached += g.calls;
      if (g.outcome === IVR_OUTCOME_QUEUE) r.queued += g.calls;
      if (g.selfServed) r.selfServed += g.calls;
    }
    const end = row(last);
    if (g.outcome === IVR_OUTCOME_CALLER_HANGUP) end.left += g.calls;
    else if (g.outcome !== null && FLOW_ENDINGS.has(g.outcome)) end.ended += g.calls;
  }
  const types = new Map(nodeOrder.map((n) => [n.id, n.type]));
  const known = nodeOrder.map((n) => n.id);
  const others = [...rows.keys()].filter((id) => !types.has(id)).sort((a, b) => (rows.get(b)?.reached ?? 0) - (rows.get(a)?.reached ?? 0) || a.localeCompare(b));
  return [...known, ...others].map((id) => {
    const r = rows.get(id) ?? { reached: 0, left: 0, queued: 0, selfServed: 0, ended: 0 };
    return { node: id, type: types.get(id) ?? null, ...r, leftRate: ratio(r.left, r.reached) };
  });
}

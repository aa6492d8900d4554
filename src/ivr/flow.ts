import type { FlowNode } from './flow-node.js';

/** A validated IVR flow: immutable once loaded; sessions share it. */
export class Flow {
  constructor(
    readonly name: string,
    readonly start: string,
    readonly nodes: ReadonlyMap<string, FlowNode>,
    /** The file it came from (for logs). */
    readonly file: string,
    /**
     * Nodes whose reaching completes a self-service (e.g. the order state read out): a run that
     * passed one and did not go on to an agent queue counts as 自助服务完成 (src/metrics/ivr-containment.ts).
     */
    readonly selfService: ReadonlySet<string> = new Set(),
  ) {}

  /** Did a run along `path` complete a self-service (before any queue: see IvrResult.selfServed)? */
  reachedSelfService(path: readonly string[]): boolean {
    return path.some((id) => this.selfService.has(id));
  }

  node(id: string): FlowNode | undefined {
    return this.nodes.get(id);
  }
}

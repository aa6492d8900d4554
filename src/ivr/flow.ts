import type { FlowNode } from './flow-node.js';

/** A validated IVR flow: immutable once loaded; sessions share it. */
export class Flow {
  constructor(
    readonly name: string,
    readonly start: string,
    readonly nodes: ReadonlyMap<string, FlowNode>,
    /** The file it came from (for logs). */
    readonly file: string,
  ) {}

  node(id: string): FlowNode | undefined {
    return this.nodes.get(id);
  }
}

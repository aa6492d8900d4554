import { z } from 'zod';
import type { FlowNode, NodeRef, NodeResult, PromptRef } from '../flow-node.js';
import { nodeId } from '../node-schemas.js';

export const gotoSchema = z.strictObject({
  type: z.literal('goto'),
  target: nodeId,
});

export type GotoParams = z.output<typeof gotoSchema>;

/** Jumps to `target`. */
export class GotoNode implements FlowNode {
  static readonly type = 'goto';
  static readonly schema = gotoSchema;
  readonly type = GotoNode.type;
  readonly waitsForInput = false;

  constructor(
    readonly id: string,
    readonly params: GotoParams,
  ) {}

  references(): readonly NodeRef[] {
    return [{ field: 'target', target: this.params.target }];
  }

  prompts(): readonly PromptRef[] {
    return [];
  }

  run(): Promise<NodeResult> {
    return Promise.resolve({ next: this.params.target });
  }
}

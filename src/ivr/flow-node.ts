import type { IvrOutcome } from './ivr-result.js';
import type { NodeContext } from './node-context.js';

/** Where a node goes next, or how the run ends. */
export type NodeResult = { readonly next: string } | { readonly end: IvrOutcome };

/** A reference from a node field to another node id, checked at load. */
export interface NodeRef {
  /** Field path for error messages, e.g. `next`, `options."1"`. */
  readonly field: string;
  readonly target: string;
}

/** A prompt name used by a node field, checked at load against the prompt library. */
export interface PromptRef {
  readonly field: string;
  readonly name: string;
}

/**
 * One step of a flow (a "verb" in jambonz terms). Built by the NodeRegistry from parsed params;
 * the loader checks `references()` and `prompts()`, the session calls `run()`.
 */
export interface FlowNode {
  readonly id: string;
  readonly type: string;
  /**
   * True when the node waits for the caller (menu, collect). A loop through nodes that never
   * wait would spin without end, so the loader refuses it.
   */
  readonly waitsForInput: boolean;
  references(): readonly NodeRef[];
  prompts(): readonly PromptRef[];
  run(ctx: NodeContext): Promise<NodeResult>;
}

export const CALLER_HANGUP: NodeResult = { end: { outcome: 'caller-hangup' } };

/** Where an input node goes once its retries are used up: `onFailure`, or the end of the run. */
export function afterFailedInput(nodeId: string, onFailure: string | undefined, attempts: number): NodeResult {
  if (onFailure !== undefined) return { next: onFailure };
  return { end: { outcome: 'failed', reason: 'no-valid-input', nodeId, message: `no valid input after ${attempts} attempts` } };
}

/**
 * How an IVR run ended. A discriminated union on `outcome` so later nodes add their own ending
 * (e.g. `{ outcome: 'queue'; queue: string }`) and calls/ must handle it (switch exhaustiveness).
 */
export type IvrOutcome =
  /** The flow reached a `hangup` node: calls/ should hang up the leg. */
  | { readonly outcome: 'hangup'; readonly nodeId: string }
  /** The flow reached a `queue` node: calls/ puts the caller in that agent queue. */
  /** `announce`: prompts to play once queued (the caller joins first). */
  | { readonly outcome: 'queue'; readonly queue: string; readonly nodeId: string; readonly announce: readonly string[] }
  /** The caller hung up first. */
  | { readonly outcome: 'caller-hangup' }
  /** The flow could not go on: input retries exhausted with no `onFailure`, node cap reached, or a bug. */
  | { readonly outcome: 'failed'; readonly reason: IvrFailure; readonly nodeId: string; readonly message: string };

export type IvrFailure = 'no-valid-input' | 'node-limit' | 'error';

export type IvrResult = IvrOutcome & {
  /** Every key the caller pressed during the run, in order (including ignored ones). */
  readonly digits: string;
  /** Node ids visited, in order (a node visited twice appears twice). */
  readonly path: readonly string[];
  /** Variables set by `collect` nodes (and given at start). */
  readonly variables: Readonly<Record<string, string>>;
  /** Texts spoken by `speak` nodes (synthesised, not the fallbacks), in order. */
  readonly spoken: readonly string[];
  /** The flow's `name`. */
  readonly flow: string;
  /** The run passed a `selfService` node of the flow and did not end in a queue (自助服务完成). */
  readonly selfServed: boolean;
};

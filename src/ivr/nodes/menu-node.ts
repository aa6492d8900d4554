import { z } from 'zod';
import { afterFailedInput, CALLER_HANGUP, type FlowNode, type NodeRef, type NodeResult, type PromptRef } from '../flow-node.js';
import type { NodeContext } from '../node-context.js';
import { isDigitKey, nodeId, optionalPromptList, promptList, retries, seconds } from '../node-schemas.js';

export const menuSchema = z.strictObject({
  type: z.literal('menu'),
  prompt: promptList,
  /** Key → node id. Keys are phone keys only: 0-9, * and #. */
  options: z.record(z.string(), nodeId).superRefine((options, ctx) => {
    const keys = Object.keys(options);
    if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'must offer at least one key' });
    for (const key of keys) {
      if (!isDigitKey(key)) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not a phone key (0-9, * or #)` });
    }
  }),
  /** Seconds to wait for a key once the prompt has ended. */
  timeout: seconds.default(5),
  /** Further attempts after the first one. */
  retries: retries.default(2),
  invalidPrompt: optionalPromptList.default(['invalid']),
  noInputPrompt: optionalPromptList.default(['no-input']),
  /** Where to go once retries are used up; without it the run ends as `failed`. */
  onFailure: nodeId.optional(),
});

export type MenuParams = z.output<typeof menuSchema>;

/**
 * Plays the prompt and waits for one key. A key pressed during the prompt stops it and counts
 * (barge-in), as does a key typed ahead during a barge-in `play`. No key within `timeout` plays
 * `noInputPrompt`; a key that is not an option plays `invalidPrompt` and discards the type-ahead.
 * Either way the menu starts again, `retries` more times, then goes to `onFailure`.
 */
export class MenuNode implements FlowNode {
  static readonly type = 'menu';
  static readonly schema = menuSchema;
  readonly type = MenuNode.type;
  readonly waitsForInput = true;

  constructor(
    readonly id: string,
    readonly params: MenuParams,
  ) {}

  references(): readonly NodeRef[] {
    const refs = Object.entries(this.params.options).map(([key, target]) => ({ field: `options."${key}"`, target }));
    return this.params.onFailure === undefined ? refs : [...refs, { field: 'onFailure', target: this.params.onFailure }];
  }

  prompts(): readonly PromptRef[] {
    const { prompt, invalidPrompt, noInputPrompt } = this.params;
    return [
      ...prompt.map((name, i) => ({ field: `prompt[${i}]`, name })),
      ...invalidPrompt.map((name, i) => ({ field: `invalidPrompt[${i}]`, name })),
      ...noInputPrompt.map((name, i) => ({ field: `noInputPrompt[${i}]`, name })),
    ];
  }

  async run(ctx: NodeContext): Promise<NodeResult> {
    const p = this.params;
    const attempts = p.retries + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if ((await ctx.play(p.prompt, { bargeIn: true })) === 'ended') return CALLER_HANGUP;
      const wait = await ctx.keys.next(p.timeout * 1000);
      if (wait.kind === 'ended') return CALLER_HANGUP;
      let errorPrompt: readonly string[];
      if (wait.kind === 'key') {
        const target = Object.hasOwn(p.options, wait.key) ? p.options[wait.key] : undefined;
        if (target !== undefined) return { next: target };
        ctx.logger.info('ivr menu: invalid key', { nodeId: this.id, attempt });
        ctx.keys.clear();
        errorPrompt = p.invalidPrompt;
      } else {
        ctx.logger.info('ivr menu: no input', { nodeId: this.id, attempt });
        errorPrompt = p.noInputPrompt;
      }
      if ((await ctx.play(errorPrompt, { bargeIn: true })) === 'ended') return CALLER_HANGUP;
    }
    return afterFailedInput(this.id, p.onFailure, attempts);
  }
}

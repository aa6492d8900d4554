import { z } from 'zod';
import { CALLER_HANGUP, type FlowNode, type NodeRef, type NodeResult, type PromptRef } from '../flow-node.js';
import type { NodeContext } from '../node-context.js';
import { nodeId, optionalPromptList, promptList, seconds } from '../node-schemas.js';

/** Set by the `notices` node: ids of the notices the caller began to hear, comma-separated, in order. */
export const NOTICES_HEARD_VARIABLE = 'noticesHeard';
/** Set by the `notices` node when the caller pressed 1: the id of the notice the call is about. */
export const NOTICE_PRESSED_VARIABLE = 'noticePressed';

/** One notice as the IVR reads it out: its id (for the counts) and the words to speak. */
export interface SpokenNotice {
  readonly id: number;
  /** Title and text as one sentence, e.g. `河东区停水通知。12月3日8时至18时…`. */
  readonly text: string;
}

/**
 * The port the `notices` node reads through (src/notices implements it over an in-memory cache
 * refreshed on every change: no database query on a call's path).
 */
export interface NoticeSource {
  /** Notices in force at `at` (epoch ms), in the order they are read. */
  activeAt(at: number): readonly SpokenNotice[];
}

export const noticesSchema = z.strictObject({
  type: z.literal('notices'),
  /** Played after each notice: "如您来电反映此事,请按1". */
  pressPrompt: promptList.default(['notice-press-1']),
  /** Played (without barge-in) before the hang-up when the caller pressed 1. */
  goodbyePrompt: optionalPromptList.default(['notice-goodbye']),
  /** Seconds to wait for a key after each notice's press prompt. */
  timeout: seconds.default(3),
  /** Most notices read on one call (the newest first); the rest are skipped. */
  maxNotices: z.number().int('must be a whole number').min(1, 'must be at least 1').max(10, 'must be at most 10').default(3),
  /** Where the caller goes on any other key (kept for that node, as if pressed there) or no key. */
  next: nodeId,
});

export type NoticesParams = z.output<typeof noticesSchema>;

type KeyOrNot = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'timeout' } | { readonly kind: 'ended' };

/**
 * 公告 (未诉先办): reads every notice in force, one after the other, each followed by `pressPrompt`.
 * Pressing 1 during a notice or within `timeout` after it marks the call as about that notice
 * (`noticePressed`), plays `goodbyePrompt` and ends the run (`hangup`: no order, no queue). Any
 * other key stops the notices and stays queued, so the `next` node (the menu) takes it as if it had
 * been pressed there; silence moves on to the next notice, then to `next`. A caller who typed a key
 * before the node (barge-in on the welcome) skips the notices; with none in force the node takes no
 * time at all. `noticesHeard` lists the notices the caller began to hear (calls/ stores the counts).
 */
export class NoticesNode implements FlowNode {
  static readonly type = 'notices';
  readonly type = NoticesNode.type;
  readonly waitsForInput = false;

  /** The schema is the same for every registry; the source is what the server wires in. */
  static readonly schema = noticesSchema;

  constructor(
    readonly id: string,
    readonly params: NoticesParams,
    private readonly source: NoticeSource,
  ) {}

  references(): readonly NodeRef[] {
    return [{ field: 'next', target: this.params.next }];
  }

  prompts(): readonly PromptRef[] {
    const { pressPrompt, goodbyePrompt } = this.params;
    return [...pressPrompt.map((name, i) => ({ field: `pressPrompt[${i}]`, name })), ...goodbyePrompt.map((name, i) => ({ field: `goodbyePrompt[${i}]`, name }))];
  }

  async run(ctx: NodeContext): Promise<NodeResult> {
    const { next, maxNotices } = this.params;
    // Typed ahead on the welcome: the caller knows what they want; the key is for the menu.
    if (ctx.keys.pending > 0) return { next };
    const notices = this.source.activeAt(ctx.clock.now()).slice(0, maxNotices);
    if (notices.length === 0) return { next };
    // Every key pressed from here on, in order; the keys stay in the buffer for the menu.
    const pressed: string[] = [];
    const off = ctx.keys.onKey((key) => pressed.push(key));
    try {
      return await this.readAll(ctx, notices, pressed);
    } finally {
      off();
    }
  }

  private async readAll(ctx: NodeContext, notices: readonly SpokenNotice[], pressed: readonly string[]): Promise<NodeResult> {
    const { next } = this.params;
    const heard: number[] = [];
    for (const notice of notices) {
      // A key pressed while the notice is being synthesised is a key for this notice.
      const mark = pressed.length;
      const prompt = await this.speak(ctx, notice);
      if (ctx.hasEnded()) return CALLER_HANGUP;
      if (prompt === undefined) {
        if (pressed.length > mark) return { next };
        continue;
      }
      heard.push(notice.id);
      ctx.variables.set(NOTICES_HEARD_VARIABLE, heard.join(','));
      const key = await this.playAndListen(ctx, [prompt, ...this.params.pressPrompt], pressed, mark);
      if (key.kind === 'ended') return CALLER_HANGUP;
      if (key.kind === 'timeout') continue;
      if (key.key !== '1') {
        ctx.logger.info('ivr notices: another key, on to the menu', { nodeId: this.id, noticeId: notice.id });
        return { next };
      }
      ctx.keys.clear();
      ctx.variables.set(NOTICE_PRESSED_VARIABLE, String(notice.id));
      ctx.logger.info('ivr notices: caller pressed 1 for a notice', { nodeId: this.id, noticeId: notice.id });
      if ((await ctx.play(this.params.goodbyePrompt, { bargeIn: false })) === 'ended') return CALLER_HANGUP;
      return { end: { outcome: 'hangup', nodeId: this.id } };
    }
    return { next };
  }

  /** The notice's synthesised prompt, or undefined (logged) when it cannot be spoken: it is then skipped. */
  private async speak(ctx: NodeContext, notice: SpokenNotice): Promise<string | undefined> {
    if (ctx.speech === undefined) {
      ctx.logger.warn('ivr notices: no speech synthesiser, notice skipped', { nodeId: this.id, noticeId: notice.id });
      return undefined;
    }
    try {
      const prompt = await ctx.speech.prepare(notice.text);
      ctx.spoken.push(notice.text);
      return prompt;
    } catch (err) {
      ctx.logger.warn('ivr notices: synthesis failed, notice skipped', { nodeId: this.id, noticeId: notice.id, error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  }

  /**
   * Plays with barge-in and returns the first key pressed since `mark` (during the synthesis, the
   * prompts, or within `timeout` after them). The key is not taken from the buffer: a key other than
   * 1 is the menu's.
   */
  private async playAndListen(ctx: NodeContext, prompts: readonly string[], pressed: readonly string[], mark: number): Promise<KeyOrNot> {
    const outcome = await ctx.play(prompts, { bargeIn: true });
    if (outcome === 'ended') return { kind: 'ended' };
    const first = pressed[mark];
    if (first !== undefined) return { kind: 'key', key: first };
    return waitForKey(ctx, this.params.timeout * 1000);
  }
}

/** The first key pressed within `ms` (left in the buffer), a timeout, or the hang-up. */
function waitForKey(ctx: NodeContext, ms: number): Promise<KeyOrNot> {
  if (ctx.hasEnded()) return Promise.resolve({ kind: 'ended' });
  return new Promise((resolve) => {
    const finish = (result: KeyOrNot): void => {
      ctx.clock.clearTimeout(timer);
      offKey();
      offEnded();
      resolve(result);
    };
    const timer = ctx.clock.setTimeout(() => {
      finish({ kind: 'timeout' });
    }, ms);
    const offKey = ctx.keys.onKey((key) => {
      finish({ kind: 'key', key });
    });
    const offEnded = ctx.channel.onEnded(() => {
      finish({ kind: 'ended' });
    });
  });
}

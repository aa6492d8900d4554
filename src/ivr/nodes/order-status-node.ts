import { z } from 'zod';
import { CALLER_HANGUP, type FlowNode, type NodeRef, type NodeResult, type PromptRef } from '../flow-node.js';
import type { NodeContext } from '../node-context.js';
import { nodeId, variableName } from '../node-schemas.js';
import { ORDER_STEPS, type OrderStatus } from '../order-lookup.js';
import { summaryForSpeech } from '../speech/reply-summary.js';
import { countForSpeech, dayForSpeech, digitsForSpeech } from '../speech/spoken-words.js';

/** Set by calls/ at the start of an inbound run: the calling number (From user). */
export const CALLER_NUMBER_VARIABLE = 'callerNumber';
/** The order the caller asked about: calls/ attaches it to the agent offer when the caller goes to a queue. */
export const ORDER_CODE_VARIABLE = 'orderCode';

/** About 25 s of speech at espeak-ng's 150 words a minute: a summary, not the whole reply. */
export const DEFAULT_REPLY_MAX_CHARS = 120;
/** Set for a replied order with a reply: its summary (a `speak` node with `skipWhenMissing` reads it). */
export const ORDER_REPLY_VARIABLE = 'orderReply';

/** Most open orders counted for "您有N张正在办理的工单". */
const OPEN_ORDERS_LIMIT = 20;

export const orderStatusSchema = z.strictObject({
  type: z.literal('order-status'),
  /** Variable holding a code the caller keyed in; without it, the caller's newest open order is looked up. */
  code: variableName.optional(),
  /** The order was found and the caller is its resident: the order's variables are set. */
  next: nodeId,
  /** No such order (or, without `code`, no open order from this number), or the lookup failed. */
  notFound: nodeId,
  /** The order exists but the calling number is not the resident's: only `orderCode` is set (for the agent). */
  notOwner: nodeId,
  /** Longest reply summary (`orderReply`) read to the resident, in characters (a reply is free text). */
  replyMaxChars: z.number().int().min(10).max(300).default(DEFAULT_REPLY_MAX_CHARS),
});

export type OrderStatusParams = z.output<typeof orderStatusSchema>;

/**
 * Progress self-service (工单进度查询): looks an order up through the `OrderLookup` port and sets
 * the variables a `speak` node reads out — `orderCodeSpoken` (digit by digit, 幺 for 1),
 * `orderAccepted` and `orderDeadline` (二〇二六年十二月三日), `orderUnit`, `orderStep` (已派单 …
 * 已办结), for a replied order `orderReply` (the reply's summary, at most `replyMaxChars`), and without `code` also `openOrders` (the count in words, 两 for 2) — then goes to
 * `next`. Only a caller whose number is the order's resident number gets there; anyone else goes to
 * `notOwner` (ask an agent). `orderCode` is set to the order's code in both cases, so an agent
 * offered the call sees it.
 */
export class OrderStatusNode implements FlowNode {
  static readonly type = 'order-status';
  static readonly schema = orderStatusSchema;
  readonly type = OrderStatusNode.type;
  readonly waitsForInput = false;

  constructor(
    readonly id: string,
    readonly params: OrderStatusParams,
  ) {}

  references(): readonly NodeRef[] {
    return [
      { field: 'next', target: this.params.next },
      { field: 'notFound', target: this.params.notFound },
      { field: 'notOwner', target: this.params.notOwner },
    ];
  }

  prompts(): readonly PromptRef[] {
    return [];
  }

  async run(ctx: NodeContext): Promise<NodeResult> {
    const { code, next, notFound, notOwner } = this.params;
    const caller = ctx.variables.get(CALLER_NUMBER_VARIABLE) ?? '';
    const lookup = ctx.orders;
    if (lookup === undefined) {
      ctx.logger.warn('ivr order-status: no order lookup configured', { nodeId: this.id });
      return { next: notFound };
    }
    let order: OrderStatus | undefined;
    let open = 0;
    try {
      if (code !== undefined) {
        const keyed = ctx.variables.get(code) ?? '';
        order = keyed === '' ? undefined : await lookup.byCode(keyed);
      } else {
        const orders = caller === '' ? [] : await lookup.openByPhone(caller, OPEN_ORDERS_LIMIT);
        order = orders[0];
        open = orders.length;
      }
    } catch (err) {
      ctx.logger.warn('ivr order-status: lookup failed', { nodeId: this.id, error: err instanceof Error ? err.message : String(err) });
      order = undefined;
    }
    if (ctx.hasEnded()) return CALLER_HANGUP;
    if (order === undefined) {
      // What the caller keyed is not an order: nothing to attach to an offer.
      ctx.variables.delete(ORDER_CODE_VARIABLE);
      ctx.logger.info('ivr order-status: not found', { nodeId: this.id });
      return { next: notFound };
    }
    ctx.variables.set(ORDER_CODE_VARIABLE, order.code);
    if (!samePhone(caller, order.residentPhone)) {
      ctx.logger.info('ivr order-status: caller is not the resident', { nodeId: this.id });
      return { next: notOwner };
    }
    ctx.variables.set('orderCodeSpoken', digitsForSpeech(order.code));
    ctx.variables.set('orderAccepted', dayForSpeech(order.acceptedDay));
    ctx.variables.set('orderUnit', order.unitName ?? '热线中心');
    ctx.variables.set('orderStep', ORDER_STEPS[order.step]);
    ctx.variables.set('orderDeadline', order.replyByDay === null ? '暂无' : dayForSpeech(order.replyByDay));
    const reply = summaryForSpeech(order.reply ?? '', this.params.replyMaxChars);
    // Cleared otherwise: a second lookup in the same call must not read the first order's reply.
    if (reply === '') ctx.variables.delete(ORDER_REPLY_VARIABLE);
    else ctx.variables.set(ORDER_REPLY_VARIABLE, reply);
    if (code === undefined) {
      ctx.variables.set('openOrders', countForSpeech(open, { liang: true }));
      ctx.variables.set('openOrderCount', String(open));
    }
    ctx.logger.info('ivr order-status: found', { nodeId: this.id, step: order.step });
    return { next };
  }
}

/**
 * Same subscriber? Digits only; a +86 / 0086 / 86 country prefix before an 11-digit number and a
 * trunk 0 before a fixed-line number are ignored. An empty number matches nothing.
 */
export function samePhone(a: string, b: string): boolean {
  const norm = (n: string): string => {
    let d = n.replace(/\D/g, '');
    if (/^(0086|86)\d{11}$/.test(d)) d = d.replace(/^(0086|86)/, '');
    return d.replace(/^0(?=\d{9,11}$)/, '');
  };
  const x = norm(a);
  return x.length >= 5 && x === norm(b);
}

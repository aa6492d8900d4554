import { z } from 'zod';
import type { Clock } from '../shared/clock.js';
import { InvalidStateError, NotFoundError, ValidationError } from '../shared/app-error.js';
import { parseWithIssues } from '../tickets/parse-with-issues.js';
import { MESSAGE_CLOSE_REASONS, type MessageStatus, type NewVoiceMessage, type VoiceMessage, type VoiceMessageRepository } from './voice-message.js';

/** Whether a work order exists (tickets' service, as the converting agent sees it). */
export type OrderExists = (code: string, viewer: { readonly id: number; readonly role: string }) => Promise<boolean>;

const ORDER_CODE = /^\d{8}-\d{6}$/;

const convertInput = z.strictObject({
  orderCode: z.string({ error: 'required (the code of the order made from this message)' }).regex(ORDER_CODE, 'must be an order code like 20261122-000123'),
});

const closeInput = z
  .strictObject({
    reason: z.enum(MESSAGE_CLOSE_REASONS, { error: `must be one of ${MESSAGE_CLOSE_REASONS.join(', ')}` }),
    note: z.string().trim().max(500, 'must be at most 500 characters').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.reason === 'other' && (v.note === undefined || v.note === '')) ctx.addIssue({ code: 'custom', path: ['note'], message: 'required when the reason is other' });
  });

/**
 * The messages (留言) agents work through in the morning: filed by the IVR, listed oldest first,
 * each either turned into a work order (the order form, caller number prefilled, then `convert`
 * with the new order's code) or closed with a reason. Settling is a compare-and-set on `pending`, so
 * two agents cannot both handle one message.
 */
export class MessageService {
  constructor(private readonly deps: { readonly messages: VoiceMessageRepository; readonly orderExists: OrderExists; readonly clock: Clock }) {}

  receive(message: NewVoiceMessage): Promise<VoiceMessage> {
    return this.deps.messages.create(message);
  }

  list(status: MessageStatus, page: { limit: number; offset: number }): Promise<{ readonly items: VoiceMessage[]; readonly total: number }> {
    return this.deps.messages.list({ status }, page);
  }

  async get(id: number): Promise<VoiceMessage> {
    const message = await this.deps.messages.get(id);
    if (message === undefined) throw new NotFoundError(`no message ${id}`);
    return message;
  }

  async convert(id: number, input: unknown, actor: { readonly id: number; readonly role: string }): Promise<VoiceMessage> {
    const { orderCode } = parseWithIssues(convertInput, input, 'body');
    await this.pending(id);
    if (!(await this.deps.orderExists(orderCode, actor))) throw new ValidationError(`invalid body: orderCode no such order`, [{ path: 'orderCode', message: `no order ${orderCode}` }]);
    return this.settle(id, { status: 'converted', orderCode, handledBy: actor.id, handledAt: this.deps.clock.now() });
  }

  async close(id: number, input: unknown, actor: { readonly id: number }): Promise<VoiceMessage> {
    const { reason, note } = parseWithIssues(closeInput, input, 'body');
    await this.pending(id);
    return this.settle(id, { status: 'closed', closeReason: reason, closeNote: note === undefined || note === '' ? null : note, handledBy: actor.id, handledAt: this.deps.clock.now() });
  }

  private async pending(id: number): Promise<VoiceMessage> {
    const message = await this.get(id);
    if (message.status !== 'pending') throw new InvalidStateError(`message ${id} is already ${message.status}`);
    return message;
  }

  private async settle(id: number, settlement: Parameters<VoiceMessageRepository['settle']>[1]): Promise<VoiceMessage> {
    if (!(await this.deps.messages.settle(id, settlement))) throw new InvalidStateError(`message ${id} was handled by someone else meanwhile`);
    return this.get(id);
  }
}

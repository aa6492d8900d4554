import { Router } from 'express';
import { z } from 'zod';
import type { MessageService } from '../messages/message-service.js';
import { MESSAGE_STATUSES, type VoiceMessage } from '../messages/voice-message.js';
import { NotFoundError } from '../shared/app-error.js';
import { MESSAGES_MAX_LIMIT, type MessageJson, type MessagePageJson } from '../shared/wire/messages.js';
import { insideFolder, intParam } from './calls.routes.js';
import { currentUser, requireRole } from './auth-context.js';
import { idParams } from './path-params.js';
import { parseInput } from './parse-input.js';

export interface MessageRoutesDeps {
  readonly messages: MessageService;
  /** RECORDINGS_DIR: a recording is served only from inside it. */
  readonly recordingsDir: string;
  /** A queue's display name (综合咨询), for the list. */
  readonly queueName: (queue: string) => string;
}

const listQuery = z.strictObject({
  status: z.enum(MESSAGE_STATUSES, { error: `must be one of ${MESSAGE_STATUSES.join(', ')}` }).default('pending'),
  limit: intParam(1, MESSAGES_MAX_LIMIT).default(50),
  offset: intParam(0, 2_147_483_647).default(0),
});

export function toMessageJson(m: VoiceMessage, queueName: string): MessageJson {
  return {
    id: m.id,
    callId: m.callId,
    callerNumber: m.callerNumber,
    queue: m.queue,
    queueName,
    receivedAt: new Date(m.receivedAt).toISOString(),
    durationMs: m.durationMs,
    recordingUrl: `/api/v1/messages/${m.id}/recording`,
    status: m.status,
    closeReason: m.closeReason,
    closeNote: m.closeNote,
    orderCode: m.orderCode,
    handledBy: m.handledBy,
    handledAt: m.handledAt === null ? null : new Date(m.handledAt).toISOString(),
  };
}

/**
 * Messages (留言, night mode, issue 12) under /api/v1, for agents, supervisors and admins (not units:
 * a message is the hotline's until it is an order): `GET /messages?status=pending|converted|closed`
 * (pending oldest first), `GET /messages/:id`, `GET /messages/:id/recording` (audio/wav, inline for an
 * <audio> element), `POST /messages/:id/convert {orderCode}` (the order made from it with the order
 * form) and `POST /messages/:id/close {reason: no-content|duplicate|other, note}`; 409 when already handled.
 */
export function createMessageRoutes(deps: MessageRoutesDeps): Router {
  const router = Router();
  const hotline = requireRole('agent', 'supervisor', 'admin');
  const json = (m: VoiceMessage): MessageJson => toMessageJson(m, deps.queueName(m.queue));

  router.get('/messages', hotline, async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const page = await deps.messages.list(q.status, { limit: q.limit, offset: q.offset });
    const body: MessagePageJson = { items: page.items.map(json), total: page.total, limit: q.limit, offset: q.offset };
    res.set('Cache-Control', 'no-store').json(body);
  });

  router.get('/messages/:id', hotline, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.set('Cache-Control', 'no-store').json(json(await deps.messages.get(id)));
  });

  router.get('/messages/:id/recording', hotline, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const message = await deps.messages.get(id);
    const file = await insideFolder(deps.recordingsDir, message.recordingPath);
    if (file === undefined) throw new NotFoundError(`the recording of message ${id} is missing`);
    res.type('audio/wav').set('Cache-Control', 'private, no-store');
    await new Promise<void>((resolve, reject) => {
      res.sendFile(file, (err) => {
        if (err) reject(new NotFoundError(`the recording of message ${id} is missing on disk`, { cause: err }));
        else resolve();
      });
    });
  });

  router.post('/messages/:id/convert', hotline, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.json(json(await deps.messages.convert(id, req.body, currentUser(res))));
  });

  router.post('/messages/:id/close', hotline, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.json(json(await deps.messages.close(id, req.body, currentUser(res))));
  });

  return router;
}

import { Router, type Response } from 'express';
import { z } from 'zod';
import { DuplicateUserError } from '../identity/identity-errors.js';
import type { IdentityService } from '../identity/identity-service.js';
import type { User } from '../identity/user.js';
import { displayNameSchema, extensionSchema, passwordSchema, skillsSchema, unitIdSchema, userPatchSchema, usernameSchema } from '../identity/user-fields.js';
import { currentUser, requireRole } from './auth-context.js';
import { NotFoundError } from '../shared/app-error.js';
import { toSessionJson } from './auth.routes.js';
import { bearerToken } from './authenticate.js';
import { answerNamingDuplicate } from './duplicate-field.js';
import type { SessionListJson, SipCredentialsJson, UserJson, UserListJson } from '../shared/wire/users.js';
import { parseInput } from './parse-input.js';
import { idParams } from './path-params.js';

/**
 * A new user must choose its own password at its first login when true. Default false for the API
 * (provisioning scripts and test rigs sign in at once); the admin's page sends true unless unticked.
 */
const mustChangeField = z.boolean({ error: 'must be true or false' }).optional();

const agentBody = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  displayName: displayNameSchema.optional(),
  extension: extensionSchema,
  skills: skillsSchema.default([]),
  sipPassword: passwordSchema.optional(),
  mustChangePassword: mustChangeField,
});

/** Agents have their own endpoint (extension, skills, SIP secret); this one makes every other role. */
const USER_BODY_ROLES = ['admin', 'supervisor', 'unit'] as const;

const userBody = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  role: z.enum(USER_BODY_ROLES, { error: `must be one of ${USER_BODY_ROLES.join(', ')} (agents: POST /api/v1/agents)` }),
  displayName: displayNameSchema.optional(),
  unitId: unitIdSchema.optional(),
  mustChangePassword: mustChangeField,
});

/** A new password for a user (login or SIP), chosen by the admin's page. */
const passwordBody = z.strictObject({ password: passwordSchema });

export type { UserJson } from '../shared/wire/users.js';

export function toUserJson(u: User): UserJson {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    extension: u.extension,
    skills: u.skills,
    unitId: u.unitId,
    active: u.active,
    mustChangePassword: u.mustChangePassword,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

/** 201 with the user; a taken username or extension is 409 naming the field in `issues`. */
async function answerCreated(res: Response, create: () => Promise<User>): Promise<void> {
  await answerNamingDuplicate(res, 201, async () => toUserJson(await create()), (err) => (err instanceof DuplicateUserError ? err.field : 'username'));
}

/**
 * `/agents` (admin, supervisor) and `/users` (admin) under /api/v1, behind the authentication
 * middleware. A taken username or extension answers 409 DUPLICATE naming the field. Admins also
 * change users (PATCH /users/:id: display name, skills, unit, active; disabling ends the user's
 * sessions and sockets) and set their passwords (POST /users/:id/password, /users/:id/sip-password;
 * 204, the password is never answered back; a login password set for another user must be changed by
 * that user at its next login), list a user's sessions and end them all (GET/DELETE /users/:id/sessions).
 */
export function createAgentsRoutes(service: IdentityService): Router {
  const router = Router();
  const staff = requireRole('admin', 'supervisor');
  const admin = requireRole('admin');

  router.post('/agents', staff, async (req, res) => {
    const body = parseInput(agentBody, req.body, 'body');
    await answerCreated(res, () => service.createUser({ ...body, role: 'agent' }));
  });

  router.get('/agents', staff, async (_req, res) => {
    const agents = await service.listUsers({ roles: ['agent'] });
    const body: UserListJson = { items: agents.map(toUserJson) };
    res.json(body);
  });

  // The workspace's phone registers with the agent's own HA1 (the browser is signed in as that agent).
  router.get('/agents/me/sip-credentials', requireRole('agent'), async (_req, res) => {
    const creds = await service.ownSipCredentials(currentUser(res).id);
    if (creds === undefined) throw new NotFoundError('no SIP account in this realm: an admin must set the SIP password');
    const body: SipCredentialsJson = creds;
    res.set('Cache-Control', 'no-store').json(body);
  });

  router.post('/users', admin, async (req, res) => {
    const body = parseInput(userBody, req.body, 'body');
    await answerCreated(res, () => service.createUser(body));
  });

  router.get('/users', admin, async (_req, res) => {
    const users = await service.listUsers();
    const body: UserListJson = { items: users.map(toUserJson) };
    res.json(body);
  });

  router.patch('/users/:id', admin, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const body = parseInput(userPatchSchema, req.body, 'body');
    res.json(toUserJson(await service.updateUser(id, body, currentUser(res))));
  });

  router.post('/users/:id/password', admin, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const { password } = parseInput(passwordBody, req.body, 'body');
    await service.setPassword(id, password, currentUser(res), { keepToken: bearerToken(req, res) });
    res.status(204).end();
  });

  router.get('/users/:id/sessions', admin, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const items = await service.listSessions(id, bearerToken(req, res));
    const body: SessionListJson = { items: items.map(toSessionJson) };
    res.set('Cache-Control', 'no-store').json(body);
  });

  // 全部下线: every session of the user ends and its sockets close at once (an admin's own call keeps its session).
  router.delete('/users/:id/sessions', admin, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const ended = await service.endAllSessions(id, currentUser(res), { keepToken: bearerToken(req, res) });
    res.json({ ended });
  });

  router.post('/users/:id/sip-password', admin, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const { password } = parseInput(passwordBody, req.body, 'body');
    await service.setSipPassword(id, password, currentUser(res));
    res.status(204).end();
  });

  return router;
}

import { Router, type Response } from 'express';
import { z } from 'zod';
import { DuplicateUserError } from '../identity/identity-errors.js';
import type { IdentityService } from '../identity/identity-service.js';
import type { User } from '../identity/user.js';
import { displayNameSchema, extensionSchema, passwordSchema, skillsSchema, unitIdSchema, userPatchSchema, usernameSchema } from '../identity/user-fields.js';
import { currentUser, requireRole } from './auth-context.js';
import { bearerToken } from './authenticate.js';
import { answerNamingDuplicate } from './duplicate-field.js';
import type { UserJson, UserListJson } from '../shared/wire/users.js';
import { parseInput } from './parse-input.js';
import { idParams } from './path-params.js';

const agentBody = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  displayName: displayNameSchema.optional(),
  extension: extensionSchema,
  skills: skillsSchema.default([]),
  sipPassword: passwordSchema.optional(),
});

/** Agents have their own endpoint (extension, skills, SIP secret); this one makes every other role. */
const USER_BODY_ROLES = ['admin', 'supervisor', 'unit'] as const;

const userBody = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  role: z.enum(USER_BODY_ROLES, { error: `must be one of ${USER_BODY_ROLES.join(', ')} (agents: POST /api/v1/agents)` }),
  displayName: displayNameSchema.optional(),
  unitId: unitIdSchema.optional(),
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
 * 204, the password is never answered back).
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

  router.post('/users/:id/sip-password', admin, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const { password } = parseInput(passwordBody, req.body, 'body');
    await service.setSipPassword(id, password, currentUser(res));
    res.status(204).end();
  });

  return router;
}

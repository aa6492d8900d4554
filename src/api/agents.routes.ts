import { Router } from 'express';
import { z } from 'zod';
import type { IdentityService } from '../identity/identity-service.js';
import type { User } from '../identity/user.js';
import { displayNameSchema, extensionSchema, passwordSchema, skillsSchema, unitIdSchema, usernameSchema } from '../identity/user-fields.js';
import { requireRole } from './auth-context.js';
import { parseInput } from './parse-input.js';

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

/** A user as the API shows it: never the password hash or the SIP HA1. */
export interface UserJson {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: User['role'];
  readonly extension: string | null;
  readonly skills: readonly string[];
  readonly unitId: number | null;
  readonly active: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

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

/**
 * `/agents` (admin, supervisor) and `/users` (admin) under /api/v1, behind the authentication
 * middleware. A taken username or extension answers 409 DUPLICATE naming the field.
 */
export function createAgentsRoutes(service: IdentityService): Router {
  const router = Router();
  const staff = requireRole('admin', 'supervisor');
  const admin = requireRole('admin');

  router.post('/agents', staff, async (req, res) => {
    const body = parseInput(agentBody, req.body, 'body');
    const agent = await service.createUser({ ...body, role: 'agent' });
    res.status(201).json(toUserJson(agent));
  });

  router.get('/agents', staff, async (_req, res) => {
    const agents = await service.listUsers({ roles: ['agent'] });
    res.json({ items: agents.map(toUserJson) });
  });

  router.post('/users', admin, async (req, res) => {
    const body = parseInput(userBody, req.body, 'body');
    const user = await service.createUser(body);
    res.status(201).json(toUserJson(user));
  });

  router.get('/users', admin, async (_req, res) => {
    const users = await service.listUsers();
    res.json({ items: users.map(toUserJson) });
  });

  return router;
}

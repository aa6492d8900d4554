import { z } from 'zod';
import { ValidationError } from '../shared/app-error.js';
import { USER_ROLES } from './user.js';

/** Field rules shared by the identity service and the HTTP API, so both refuse alike. */
export const usernameSchema = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9_.-]{3,64}$/, 'must be 3-64 letters, digits, _ . -');

/** Upper bound keeps scrypt's input small; 8 matches ADMIN_PASSWORD. */
export const passwordSchema = z
  .string({ error: 'must be a string' })
  .min(8, 'must be at least 8 characters')
  .max(128, 'must be at most 128 characters');

/** Any UTF-8 text (Chinese names included) without control characters. */
export const displayNameSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

export const extensionSchema = z.string({ error: 'must be a string of digits' }).regex(/^\d{3,8}$/, 'must be 3-8 digits');

export const skillsSchema = z
  .array(
    z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, 'must not be empty')
      .max(64, 'must be at most 64 characters'),
    { error: 'must be a list of strings' },
  )
  .max(32, 'must list at most 32 skills')
  .transform((skills) => [...new Set(skills)]);

export const roleSchema = z.enum(USER_ROLES, { error: `must be one of ${USER_ROLES.join(', ')}` });

export const unitIdSchema = z.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(2_147_483_647);

/** Everything createUser accepts; role-specific rules are checked after the shape. */
export const newUserInputSchema = z
  .strictObject({
    username: usernameSchema,
    password: passwordSchema,
    role: roleSchema,
    displayName: displayNameSchema.optional(),
    extension: extensionSchema.optional(),
    skills: skillsSchema.optional(),
    sipPassword: passwordSchema.optional(),
    unitId: unitIdSchema.optional(),
    /** The user must choose its own password at its first login (its admin knows this one). */
    mustChangePassword: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .superRefine((u, ctx) => {
    if (u.role === 'agent' && u.extension === undefined) ctx.addIssue({ code: 'custom', path: ['extension'], message: 'is required for an agent' });
    if (u.role !== 'agent') {
      for (const field of ['extension', 'skills', 'sipPassword'] as const) {
        if (u[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'is only for agents' });
      }
    }
    if (u.role !== 'unit' && u.unitId !== undefined) ctx.addIssue({ code: 'custom', path: ['unitId'], message: 'is only for unit users' });
  });

export type NewUserInput = z.input<typeof newUserInputSchema>;

/**
 * What an admin may change on a user (PATCH /users/:id). Username, role and extension stay: the
 * SIP HA1 binds the extension, and a role change is a new account. Passwords have their own calls.
 */
export const userPatchSchema = z
  .strictObject(
    {
      displayName: displayNameSchema.optional(),
      skills: skillsSchema.optional(),
      unitId: unitIdSchema.optional(),
      active: z.boolean({ error: 'must be true or false' }).optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (changeable: displayName, skills, unitId, active)`
          : 'must be an object of user fields',
    },
  )
  .refine((p) => Object.keys(p).length > 0, 'names no field to change');

export type UserPatchInput = z.input<typeof userPatchSchema>;
export type ParsedNewUser = z.output<typeof newUserInputSchema>;

/** Parses with `schema`; refuses with a ValidationError naming each bad field. */
export function parseFields<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || what, message: i.message }));
  throw new ValidationError(`invalid ${what}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
}

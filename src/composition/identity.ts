import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AuthUser } from '../api/auth-context.js';
import { toAuthUser } from '../api/authenticate.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { SequelizeAuthThrottleStore } from '../db/sequelize-auth-throttle-store.js';
import { SequelizeSessionRepository } from '../db/sequelize-session-repository.js';
import { SequelizeUserRepository } from '../db/sequelize-user-repository.js';
import { SequelizeUnitRepository } from '../db/unit-repository.js';
import { IdentityService } from '../identity/identity-service.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';

/** A bearer token's user as the HTTP API and the WebSocket servers see it, or undefined when expired or unknown. */
export type VerifyToken = (token: string) => Promise<AuthUser | undefined>;

export interface Identity {
  readonly identity: IdentityService;
  /** SIP digest credentials (HA1s) for REGISTER and the agents' INVITEs. */
  readonly users: SequelizeUserRepository;
  /** Login and REGISTER guessing counters, in the database so every process counts together. */
  readonly authThrottles: SequelizeAuthThrottleStore;
  /** The one token check of the WebSocket servers (the HTTP middleware uses the same service). */
  readonly verifyToken: VerifyToken;
}

/** The token check over `identity`: the same user, in the same shape, wherever a token is shown. */
export function createVerifyToken(identity: Pick<IdentityService, 'verifyToken'>): VerifyToken {
  return async (token) => {
    const user = await identity.verifyToken(token);
    return user ? toAuthUser(user) : undefined;
  };
}

/** Users, sessions and throttles over the database, and the first admin. Holds nothing to close. */
export async function createIdentity(config: Config, db: Database, clock: Clock, logger: Logger): Promise<Identity> {
  const users = new SequelizeUserRepository(db.sequelize);
  const authThrottles = new SequelizeAuthThrottleStore(db.sequelize);
  // Only to check a unit user's unitId; the units themselves are the work-order module's.
  const units = new SequelizeUnitRepository(db.sequelize);
  const identity = new IdentityService({
    users,
    sessions: new SequelizeSessionRepository(db.sequelize),
    clock,
    sipRealm: config.SIP_REALM,
    tokenTtlMs: config.AUTH_TOKEN_TTL_H * 3_600_000,
    logger,
    throttle: { store: authThrottles },
    unitExists: async (unitId) => (await units.get(unitId)) !== undefined,
  });
  await ensureFirstAdmin(identity, config, logger);
  return { identity, users, authThrottles, verifyToken: createVerifyToken(identity) };
}

/**
 * The first admin: ADMIN_USER with ADMIN_PASSWORD. Without a password (a fresh `npm start`), one is
 * generated and written to `<data dir>/admin-password.txt` (mode 600), never to the log.
 */
async function ensureFirstAdmin(identity: IdentityService, config: Config, logger: Logger): Promise<void> {
  if (config.ADMIN_PASSWORD !== undefined) {
    if (await identity.ensureAdmin(config.ADMIN_USER, config.ADMIN_PASSWORD)) logger.info('first admin created', { username: config.ADMIN_USER });
    return;
  }
  const password = randomBytes(12).toString('base64url');
  if (!(await identity.ensureAdmin(config.ADMIN_USER, password))) return;
  const file = join(dirname(config.RECORDINGS_DIR), 'admin-password.txt');
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${config.ADMIN_USER}\n${password}\n`, { mode: 0o600 });
  logger.warn('first admin created with a generated password: set ADMIN_PASSWORD or change it', { username: config.ADMIN_USER, passwordFile: file });
}

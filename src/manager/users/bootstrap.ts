// First start: a manager without any user gets `admin`, mapped (as the seed's installation
// maps root) to the administrator and WPARAdministrator roles, with a one-time password
// that the manager prints and that must be changed at the first login.
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../../api/roles.js';
import { writeFileDurableSync } from '../../fs/durable.js';
import { hashPassword, oneTimePassword, verifyPassword } from '../auth/passwords.js';
import type { Services } from '../services.js';
import { insertUser } from './store.js';

export const INITIAL_ADMIN = 'admin';
const INITIAL_ROLES: readonly Role[] = ['administrator', 'WPARAdministrator'];

/** Creates the first user when there is none; returns its credentials, or null. */
export async function ensureInitialAdmin(services: Pick<Services, 'db'>, password = oneTimePassword()): Promise<{ name: string; password: string } | null> {
  const passwordHash = await hashPassword(password);
  // One transaction: a crash in between must not leave a user without its roles, after
  // which no later start would create one again.
  return services.db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('users').select('id').limit(1).executeTakeFirst()) return null;
    await insertUser(trx, { id: randomUUID(), name: INITIAL_ADMIN, fullName: 'Capstan administrator', passwordHash, groups: [] });
    const now = new Date().toISOString();
    await trx.insertInto('role_mappings')
      .values(INITIAL_ROLES.map((role) => ({ role, principal_type: 'user' as const, principal: INITIAL_ADMIN, created_at: now })))
      .execute();
    return { name: INITIAL_ADMIN, password };
  });
}

/** Where the first login waits, readable by root only, until the administrator replaces it. */
export const INITIAL_PASSWORD_FILE = 'initial-admin-password';

/**
 * The first login while it is still unused: made on a fresh database, and kept in the data
 * directory until admin changes it, so a start that dies before showing it loses nothing.
 */
export async function initialAdminLogin(services: Pick<Services, 'db'>, dataDir: string): Promise<{ name: string; password: string } | null> {
  const file = join(dataDir, INITIAL_PASSWORD_FILE);
  let password: string | undefined;
  try {
    password = readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    // None kept: a fresh data directory, or the first login happened.
  }
  if (!(await services.db.selectFrom('users').select('id').limit(1).executeTakeFirst())) {
    password ??= oneTimePassword();
    // The file first: the user must never exist with a password nobody can read.
    writeFileDurableSync(file, password + '\n', 0o600);
    await ensureInitialAdmin(services, password);
  }
  if (password === undefined) return null;
  const admin = await services.db.selectFrom('users').select(['password_hash', 'must_change_password']).where('name', '=', INITIAL_ADMIN).executeTakeFirst();
  if (admin && admin.must_change_password !== 0 && (await verifyPassword(password, admin.password_hash))) return { name: INITIAL_ADMIN, password };
  rmSync(file, { force: true });
  return null;
}

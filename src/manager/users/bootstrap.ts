// First start: a manager without any user gets `admin`, mapped (as the seed's installation
// maps root) to the administrator and WPARAdministrator roles, with a one-time password
// that the manager prints once and that must be changed at the first login.
import { randomUUID } from 'node:crypto';
import type { Role } from '../../api/roles.js';
import { hashPassword, oneTimePassword } from '../auth/passwords.js';
import type { Services } from '../services.js';
import { insertUser } from './store.js';

export const INITIAL_ADMIN = 'admin';
const INITIAL_ROLES: readonly Role[] = ['administrator', 'WPARAdministrator'];

/** Creates the first user when there is none; returns its credentials, or null. */
export async function ensureInitialAdmin(services: Pick<Services, 'db'>): Promise<{ name: string; password: string } | null> {
  const password = oneTimePassword();
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

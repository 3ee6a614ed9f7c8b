// Which roles a user holds (mapped to its name, or to one of its user groups), and the one
// rule every change to users and mappings must keep: some enabled user can still
// administer users and mappings, or nobody could ever fix the mappings again.
import { CapstanError } from '../../api/errors.js';
import { ROLES, type Role } from '../../api/roles.js';
import type { RoleGrant } from '../../api/users.js';
import type { Db } from './store.js';

export function parseRole(text: string): Role {
  const role = ROLES.find((r) => r === text);
  if (!role) throw new CapstanError('CAP-E0104', `${text} (roles: ${ROLES.join(', ')})`);
  return role;
}

/** Roles in the seed's order, each once. */
export function sortRoles(roles: Iterable<string>): Role[] {
  const held = new Set(roles);
  return ROLES.filter((r) => held.has(r));
}

/** The mappings that give a user its roles. */
export async function grantsOf(db: Db, user: { name: string; groups: readonly string[] }): Promise<RoleGrant[]> {
  const rows = await db.selectFrom('role_mappings').select(['role', 'principal_type', 'principal'])
    .where((eb) => eb.or([
      eb.and([eb('principal_type', '=', 'user'), eb('principal', '=', user.name)]),
      ...(user.groups.length ? [eb.and([eb('principal_type', '=', 'group'), eb('principal', 'in', user.groups)])] : []),
    ]))
    .execute();
  // Direct mappings first, then by group, each in the seed's role order: the same on both databases.
  const order = (r: { role: Role; principal_type: string; principal: string }) =>
    `${r.principal_type === 'user' ? 0 : 1}\u0000${r.principal}\u0000${ROLES.indexOf(r.role)}`;
  return rows
    .filter((r): r is typeof r & { role: Role } => (ROLES as readonly string[]).includes(r.role))
    .sort((a, b) => (order(a) < order(b) ? -1 : 1))
    .map((r) => (r.principal_type === 'user' ? { role: r.role } : { role: r.role, group: r.principal }));
}

/**
 * Runs a change to users or role mappings in one transaction, refused (CAP-E0105) and
 * rolled back if it would leave no enabled user holding 'administrator'.
 */
export function administeredChange<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    // Two such changes must not run side by side, each seeing the other's administrator
    // still there: writing one row first makes the second wait for the first to commit
    // (PostgreSQL's row lock; SQLite runs one write transaction at a time anyway).
    await trx.updateTable('settings').set((eb) => ({ value: eb.ref('value') })).where('key', '=', 'capstan.schema').execute();
    const result = await work(trx);
    await assertAdministered(trx);
    return result;
  });
}

async function assertAdministered(db: Db): Promise<void> {
  const admin = await db.selectFrom('users as u').select('u.id')
    .where('u.disabled', '=', 0)
    .where((eb) => eb.or([
      eb.exists(eb.selectFrom('role_mappings as rm').select('rm.role')
        .where('rm.role', '=', 'administrator').where('rm.principal_type', '=', 'user').whereRef('rm.principal', '=', 'u.name')),
      eb.exists(eb.selectFrom('user_group_members as g')
        .innerJoin('role_mappings as rm', (j) => j.onRef('rm.principal', '=', 'g.group_name')
          .on('rm.principal_type', '=', 'group').on('rm.role', '=', 'administrator'))
        .select('g.user_id').whereRef('g.user_id', '=', 'u.id')),
    ]))
    .limit(1)
    .executeTakeFirst();
  if (!admin) throw new CapstanError('CAP-E0105', 'no enabled user would be left with the administrator role');
}

// The built-in user store's rows: reading users with their groups, and writing them. Takes
// any Kysely handle, so callers combine these steps in one transaction.
import type { Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import type { UserView } from '../../api/users.js';
import type { Database, UserRow } from '../db/schema.js';

export type Db = Kysely<Database>;

export async function requireUser(db: Db, name: string): Promise<UserRow> {
  const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) throw new CapstanError('CAP-E0002', `user ${name}`);
  return row;
}

/** The user groups of each given user, sorted by name. */
export async function groupsByUser(db: Db, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return out;
  const rows = await db.selectFrom('user_group_members').select(['user_id', 'group_name'])
    .where('user_id', 'in', userIds).orderBy('group_name').execute();
  for (const r of rows) out.get(r.user_id)?.push(r.group_name);
  return out;
}

export function toUserView(row: UserRow, groups: string[]): UserView {
  return {
    id: row.id,
    name: row.name,
    fullName: row.full_name,
    groups,
    disabled: row.disabled !== 0,
    mustChangePassword: row.must_change_password !== 0,
    createdAt: row.created_at,
  };
}

export async function viewOf(db: Db, row: UserRow): Promise<UserView> {
  return toUserView(row, (await groupsByUser(db, [row.id])).get(row.id) ?? []);
}

/**
 * Inserts a user and its groups. Its password was chosen by someone else (an administrator,
 * or the first start), so the user must replace it at its first login. The caller hashes
 * the password first: scrypt is slow, and must not run while a transaction holds the database.
 */
export async function insertUser(db: Db, u: { id: string; name: string; fullName: string; passwordHash: string; groups: readonly string[] }): Promise<void> {
  const existing = await db.selectFrom('users').select('id').where('name', '=', u.name).executeTakeFirst();
  if (existing) throw new CapstanError('CAP-E0003', `user ${u.name}`);
  await db.insertInto('users').values({
    id: u.id,
    name: u.name,
    full_name: u.fullName,
    password_hash: u.passwordHash,
    disabled: 0,
    must_change_password: 1,
    created_at: new Date().toISOString(),
  }).execute();
  await setGroups(db, u.id, u.groups);
}

export async function setGroups(db: Db, userId: string, groups: readonly string[]): Promise<void> {
  await db.deleteFrom('user_group_members').where('user_id', '=', userId).execute();
  if (groups.length) {
    await db.insertInto('user_group_members').values(groups.map((g) => ({ user_id: userId, group_name: g }))).execute();
  }
}

// The built-in user store: users, their user groups and passwords. Changes that could take
// away the last administrator run as an administered change (CAP-E0105), in one transaction,
// so a refused change leaves nothing behind.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import type { Page } from '../../api/resources.js';
import type {
  ChangeOwnPasswordRequest,
  CreatedUser,
  CreateUserRequest,
  ModifyUserRequest,
  PasswordSet,
  SetPasswordRequest,
  UserListQuery,
  UserView,
} from '../../api/users.js';
import { hashPassword, oneTimePassword, verifyPassword } from '../auth/passwords.js';
import type { Database, UsersTable } from '../db/schema.js';
import { administeredChange } from './grants.js';
import { groupsByUser, insertUser, requireUser, setGroups, toUserView, viewOf } from './store.js';

export class UserService {
  constructor(private readonly db: Kysely<Database>) {}

  async list(q: UserListQuery): Promise<Page<UserView>> {
    const [rows, total] = await Promise.all([
      this.db.selectFrom('users').selectAll().orderBy('name').limit(q.limit).offset(q.offset).execute(),
      this.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    const groups = await groupsByUser(this.db, rows.map((r) => r.id));
    return { items: rows.map((r) => toUserView(r, groups.get(r.id) ?? [])), total: Number(total.n) };
  }

  async get(name: string): Promise<UserView> {
    return viewOf(this.db, await requireUser(this.db, name));
  }

  /** Without a password, generates a one-time password, returned here once. */
  async create(req: CreateUserRequest): Promise<CreatedUser> {
    const { passwordHash, shown } = await choosePassword(req.password);
    const user = await this.db.transaction().execute(async (trx) => {
      await insertUser(trx, { id: randomUUID(), name: req.name, fullName: req.fullName ?? '', passwordHash, groups: req.groups ?? [] });
      return viewOf(trx, await requireUser(trx, req.name));
    });
    return { user, ...shown };
  }

  async modify(name: string, req: ModifyUserRequest): Promise<UserView> {
    return administeredChange(this.db, async (trx) => {
      const row = await requireUser(trx, name);
      const set: Partial<Pick<UsersTable, 'full_name' | 'disabled'>> = {};
      if (req.fullName !== undefined) set.full_name = req.fullName;
      if (req.disabled !== undefined) set.disabled = req.disabled ? 1 : 0;
      if (Object.keys(set).length) await trx.updateTable('users').set(set).where('id', '=', row.id).execute();
      if (req.groups) await setGroups(trx, row.id, req.groups);
      // Disabling ends every credential: enabling again must not bring back a token someone kept.
      if (req.disabled) await revokeCredentials(trx, row.id);
      return viewOf(trx, await requireUser(trx, name));
    });
  }

  /**
   * An administrator (`by`) sets a user's password, or has a one-time one generated. The
   * user's sessions and API tokens end (a reset answers a leak), and unless it set its own,
   * it must change it at its next login.
   */
  async setPassword(name: string, req: SetPasswordRequest, by: string): Promise<PasswordSet> {
    const { passwordHash, shown } = await choosePassword(req.password);
    await this.db.transaction().execute(async (trx) => {
      const row = await requireUser(trx, name);
      await trx.updateTable('users').set({ password_hash: passwordHash, must_change_password: by === name ? 0 : 1 })
        .where('id', '=', row.id).execute();
      await revokeCredentials(trx, row.id);
    });
    return shown;
  }

  /** A user replaces its own password, proving it knows the current one (CAP-E0108). */
  async changeOwnPassword(userId: string, req: ChangeOwnPasswordRequest): Promise<void> {
    const row = await this.db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
    if (!row) throw new CapstanError('CAP-E0002', 'user');
    if (!(await verifyPassword(req.oldPassword, row.password_hash))) throw new CapstanError('CAP-E0108');
    // Otherwise a one-time password could simply be set again and stay known to its issuer.
    if (req.newPassword === req.oldPassword) throw new CapstanError('CAP-E0001', 'the new password must differ from the current one');
    await this.db.updateTable('users').set({ password_hash: await hashPassword(req.newPassword), must_change_password: 0 })
      .where('id', '=', userId).execute();
  }

  /** Deletes a user with its sessions, tokens, group memberships and its own role mappings. */
  async remove(name: string): Promise<void> {
    await administeredChange(this.db, async (trx) => {
      const row = await requireUser(trx, name);
      await revokeCredentials(trx, row.id);
      await trx.deleteFrom('user_group_members').where('user_id', '=', row.id).execute();
      // A later user of the same name must not inherit this one's roles.
      await trx.deleteFrom('role_mappings').where('principal_type', '=', 'user').where('principal', '=', name).execute();
      await trx.deleteFrom('users').where('id', '=', row.id).execute();
    });
  }
}

/** Ends a user's login sessions and deletes its API tokens. */
async function revokeCredentials(trx: Kysely<Database>, userId: string): Promise<void> {
  await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
  await trx.deleteFrom('api_tokens').where('user_id', '=', userId).execute();
}

/** The given password, or a generated one-time password for the caller to show once. */
async function choosePassword(given: string | undefined): Promise<{ passwordHash: string; shown: PasswordSet }> {
  const password = given ?? oneTimePassword();
  return { passwordHash: await hashPassword(password), shown: given === undefined ? { oneTimePassword: password } : {} };
}

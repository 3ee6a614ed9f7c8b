// Who is calling: login sessions (cookie) and API tokens (Bearer), both stored only as
// hashes, and the roles a user holds through its own mappings and its groups' mappings.
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import type { Role } from '../../api/roles.js';
import type { CreatedToken, TokenView, UserView } from '../../api/users.js';
import type { Database, UsersTable } from '../db/schema.js';
import { grantsOf, sortRoles } from '../users/grants.js';
import { groupsByUser, toUserView } from '../users/store.js';
import { hashPassword, needsRehash, NO_USER_HASH, randomSecret, verifyPassword } from './passwords.js';
import { LoginThrottle } from './throttle.js';

export const SESSION_TTL_MS = 12 * 3600 * 1000;
export const TOKEN_PREFIX = 'cap_';

export interface Principal {
  userId: string;
  name: string;
  groups: string[];
  roles: Role[];
  via: 'session' | 'token';
  /** Until the user replaces a password someone else chose, it may only do that (CAP-E0107). */
  mustChangePassword: boolean;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class SessionService {
  private readonly throttle = new LoginThrottle();

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Checks a password and opens a session; returns the cookie value. `from` is the caller's
   * address: failures are throttled per user name and address (CAP-E0106).
   */
  async login(name: string, password: string, from = ''): Promise<{ secret: string; expiresAt: string; principal: Principal; user: UserView }> {
    this.throttle.begin(name, from);
    let user: Selectable<UsersTable> | undefined;
    let outcome: 'failed' | 'succeeded' | 'abandoned' = 'abandoned';
    try {
      user = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
      const ok = await verifyPassword(password, user?.password_hash ?? NO_USER_HASH);
      outcome = user && ok && !user.disabled ? 'succeeded' : 'failed';
    } finally {
      this.throttle[outcome](name, from);
    }
    if (!user || outcome === 'failed') throw new CapstanError('CAP-E0101');
    if (needsRehash(user.password_hash)) {
      // Raised cost: the password is at hand only now, so its hash is upgraded at login.
      await this.db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('id', '=', user.id).execute();
    }
    const secret = randomSecret(32);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
    // Housekeeping on the way: expired sessions are refused anyway, so drop them.
    await this.db.deleteFrom('sessions').where('expires_at', '<', now.toISOString()).execute();
    await this.db.insertInto('sessions')
      .values({ id: sha256(secret), user_id: user.id, created_at: now.toISOString(), expires_at: expiresAt })
      .execute();
    const principal = await this.principal(user.id, 'session');
    return { secret, expiresAt, principal, user: toUserView(user, principal.groups) };
  }

  async logout(secret: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', sha256(secret)).execute();
  }

  /** The principal behind a session cookie or an API token; throws CAP-E0103 when stale. */
  async authenticate(cred: { session?: string; token?: string }): Promise<Principal> {
    const now = new Date().toISOString();
    if (cred.token) {
      const row = await this.db.selectFrom('api_tokens').select(['id', 'user_id', 'expires_at'])
        .where('token_hash', '=', sha256(cred.token)).executeTakeFirst();
      if (!row || (row.expires_at && row.expires_at < now)) throw new CapstanError('CAP-E0103');
      await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
      return this.principal(row.user_id, 'token');
    }
    if (cred.session) {
      const row = await this.db.selectFrom('sessions').select(['user_id', 'expires_at'])
        .where('id', '=', sha256(cred.session)).executeTakeFirst();
      if (!row || row.expires_at < now) throw new CapstanError('CAP-E0103');
      return this.principal(row.user_id, 'session');
    }
    throw new CapstanError('CAP-E0100');
  }

  /** Creates an API token for a user; the secret is shown once. */
  async createToken(userId: string, name: string, ttlDays?: number): Promise<CreatedToken> {
    const token = TOKEN_PREFIX + randomSecret(32);
    const id = randomUUID();
    const createdAt = new Date().toISOString();
    const expiresAt = ttlDays ? new Date(Date.now() + ttlDays * 86400_000).toISOString() : null;
    await this.db.insertInto('api_tokens')
      .values({ id, user_id: userId, name, token_hash: sha256(token), created_at: createdAt, expires_at: expiresAt, last_used_at: null })
      .execute();
    return { id, name, createdAt, expiresAt, lastUsedAt: null, token };
  }

  async listTokens(userId: string): Promise<TokenView[]> {
    const rows = await this.db.selectFrom('api_tokens').select(['id', 'name', 'created_at', 'expires_at', 'last_used_at'])
      .where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, expiresAt: r.expires_at, lastUsedAt: r.last_used_at }));
  }

  /** Revokes one of the user's own tokens; another user's token is as unknown as a missing one. */
  async revokeToken(userId: string, id: string): Promise<void> {
    const res = await this.db.deleteFrom('api_tokens').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (res.numDeletedRows === 0n) throw new CapstanError('CAP-E0002', `token ${id}`);
  }

  async principal(userId: string, via: Principal['via']): Promise<Principal> {
    const user = await this.db.selectFrom('users').select(['id', 'name', 'disabled', 'must_change_password'])
      .where('id', '=', userId).executeTakeFirst();
    if (!user || user.disabled) throw new CapstanError('CAP-E0103');
    const groups = (await groupsByUser(this.db, [user.id])).get(user.id) ?? [];
    const roles = sortRoles((await grantsOf(this.db, { name: user.name, groups })).map((g) => g.role));
    return { userId: user.id, name: user.name, groups, roles, via, mustChangePassword: user.must_change_password !== 0 };
  }
}

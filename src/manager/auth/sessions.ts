// Who is calling: login sessions (cookie) and API tokens (Bearer), both stored as hashes,
// and the roles a user holds through its own mappings and its groups' mappings.
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import { ROLES, type Role } from '../../api/roles.js';
import type { Database } from '../db/schema.js';
import { randomSecret, verifyPassword } from './passwords.js';

export const SESSION_COOKIE = 'capstan_session';
export const SESSION_TTL_MS = 12 * 3600 * 1000;
export const TOKEN_PREFIX = 'cap_';

export interface Principal {
  userId: string;
  name: string;
  groups: string[];
  roles: Role[];
  via: 'session' | 'token';
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class SessionService {
  constructor(private readonly db: Kysely<Database>) {}

  /** Checks a password and opens a session; returns the cookie value. */
  async login(name: string, password: string): Promise<{ secret: string; expiresAt: string; principal: Principal }> {
    const user = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    // Verify even for unknown users so timing does not reveal which names exist.
    const ok = await verifyPassword(password, user?.password_hash ?? 'scrypt$16384$8$1$AAAA$AAAA');
    if (!user || !ok || user.disabled) throw new CapstanError('CAP-E0101');
    const secret = randomSecret(32);
    const now = Date.now();
    const expiresAt = new Date(now + SESSION_TTL_MS).toISOString();
    await this.db.insertInto('sessions')
      .values({ id: sha256(secret), user_id: user.id, created_at: new Date(now).toISOString(), expires_at: expiresAt })
      .execute();
    return { secret, expiresAt, principal: await this.principal(user.id, 'session') };
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
  async createToken(userId: string, name: string, ttlDays?: number): Promise<{ id: string; token: string; expiresAt: string | null }> {
    const token = TOKEN_PREFIX + randomSecret(32);
    const id = randomUUID();
    const expiresAt = ttlDays ? new Date(Date.now() + ttlDays * 86400_000).toISOString() : null;
    await this.db.insertInto('api_tokens')
      .values({ id, user_id: userId, name, token_hash: sha256(token), created_at: new Date().toISOString(), expires_at: expiresAt, last_used_at: null })
      .execute();
    return { id, token, expiresAt };
  }

  async principal(userId: string, via: Principal['via']): Promise<Principal> {
    const user = await this.db.selectFrom('users').select(['id', 'name', 'disabled']).where('id', '=', userId).executeTakeFirst();
    if (!user || user.disabled) throw new CapstanError('CAP-E0103');
    const groups = (await this.db.selectFrom('user_group_members').select('group_name').where('user_id', '=', userId).execute())
      .map((g) => g.group_name);
    let q = this.db.selectFrom('role_mappings').select('role').distinct()
      .where((eb) => eb.or([
        eb.and([eb('principal_type', '=', 'user'), eb('principal', '=', user.name)]),
        ...(groups.length ? [eb.and([eb('principal_type', '=', 'group'), eb('principal', 'in', groups)])] : []),
      ]));
    q = q.orderBy('role');
    const roles = (await q.execute()).map((r) => r.role).filter((r): r is Role => (ROLES as readonly string[]).includes(r));
    return { userId: user.id, name: user.name, groups, roles, via };
  }
}

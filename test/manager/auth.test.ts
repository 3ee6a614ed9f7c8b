// Logging in and out, sessions, own API tokens, own password, and the password change a
// one-time password forces: over HTTP, on SQLite and PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_PREFIX, SESSION_COOKIE } from '../../src/api/paths.js';
import { routePath } from '../../src/api/route-definition.js';
import { allRoutes } from '../../src/api/routes/index.js';
import { hashPassword, SCRYPT_COST } from '../../src/manager/auth/passwords.js';
import { startTestManager, type TestManager } from '../helpers/manager.js';
import { caller, DB_KINDS, login, refused } from './users-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`authentication (${kind})`, { skip }, () => {
    let m: TestManager;
    let call: ReturnType<typeof caller>;
    before(async () => {
      m = await startTestManager({ kind });
      call = caller(m);
    });
    after(async () => { await m?.close(); });

    it('logs in with a strict, secure, HTTP-only session cookie and answers user, roles and expiry', async () => {
      const u = await m.userWithRoles(['WPARUser']);
      const res = await call('POST', '/auth/login', null, { name: u.name, password: u.password });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.user.name, u.name);
      assert.equal(body.user.mustChangePassword, false);
      assert.deepEqual(body.roles, ['WPARUser']);
      assert.ok(Date.parse(body.expiresAt) > Date.now() + 11 * 3600_000);
      const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
      assert.ok(cookie);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.secure, true);
      assert.equal(cookie.sameSite, 'Strict');
      assert.equal(cookie.path, '/');
      const who = await call('GET', '/whoami', { cookie: cookie.value });
      assert.equal(who.statusCode, 200);
      assert.equal(who.json().via, 'session');
    });

    it('refuses a wrong password and an unknown user alike (CAP-E0101), opening no session', async () => {
      const u = await m.userWithRoles([]);
      const sessions = async () => (await m.services.db.selectFrom('sessions').selectAll().execute()).length;
      const before = await sessions();
      refused(await call('POST', '/auth/login', null, { name: u.name, password: 'wrong-password' }), 401, 'CAP-E0101');
      refused(await call('POST', '/auth/login', null, { name: 'nobody-here', password: 'whatever' }), 401, 'CAP-E0101');
      refused(await call('POST', '/auth/login', null, { name: u.name }), 400, 'CAP-E0001');
      assert.equal(await sessions(), before);
    });

    it('locks a user name out from one address after 5 failures, even for the right password (CAP-E0106)', async () => {
      const u = await m.userWithRoles([]);
      for (let i = 0; i < 5; i++) {
        refused(await call('POST', '/auth/login', null, { name: u.name, password: 'guess-' + i }, '203.0.113.9'), 401, 'CAP-E0101');
      }
      const locked = await call('POST', '/auth/login', null, { name: u.name, password: u.password }, '203.0.113.9');
      refused(locked, 429, 'CAP-E0106');
      assert.ok(locked.json().details.retryAfterSeconds > 0);
      // The real user, elsewhere, is not locked out by the guesser.
      assert.equal((await call('POST', '/auth/login', null, { name: u.name, password: u.password }, '198.51.100.7')).statusCode, 200);
    });

    it('logs out: the session is gone and the cookie cleared', async () => {
      const u = await m.userWithRoles(['WPARMonitor']);
      const s = await login(m, u.name, u.password);
      const out = await call('POST', '/auth/logout', s);
      assert.equal(out.statusCode, 204);
      const cleared = out.cookies.find((c) => c.name === SESSION_COOKIE);
      assert.ok(cleared && cleared.value === '');
      refused(await call('GET', '/whoami', s), 401, 'CAP-E0103');
      refused(await call('POST', '/auth/logout', null), 401, 'CAP-E0100');
    });

    it('refuses an expired session (CAP-E0103)', async () => {
      const u = await m.userWithRoles(['WPARMonitor']);
      const s = await login(m, u.name, u.password);
      const { id } = await m.services.db.selectFrom('users').select('id').where('name', '=', u.name).executeTakeFirstOrThrow();
      await m.services.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', id).execute();
      refused(await call('GET', '/whoami', s), 401, 'CAP-E0103');
    });

    it('creates an API token from a session: its secret once, listed without it, usable, revocable', async () => {
      const u = await m.userWithRoles(['WPARMonitor']);
      const s = await login(m, u.name, u.password);
      const created = await call('POST', '/auth/tokens', s, { name: 'ci', ttlDays: 30 });
      assert.equal(created.statusCode, 201, created.body);
      const t = created.json();
      assert.ok(t.token.startsWith('cap_'));
      assert.equal(t.name, 'ci');
      assert.ok(Date.parse(t.expiresAt) > Date.now() + 29 * 86400_000);
      const bearer = { headers: { authorization: `Bearer ${t.token}` } };
      assert.equal((await call('GET', '/whoami', bearer)).json().via, 'token');

      const list = (await call('GET', '/auth/tokens', s)).json();
      const mine = list.find((x: { id: string }) => x.id === t.id);
      assert.equal(mine.name, 'ci');
      assert.equal(mine.token, undefined);
      assert.ok(mine.lastUsedAt);
      assert.ok(list.every((x: { token?: string }) => x.token === undefined));

      assert.equal((await call('DELETE', `/auth/tokens/${t.id}`, s)).statusCode, 204);
      refused(await call('GET', '/whoami', bearer), 401, 'CAP-E0103');
      refused(await call('DELETE', `/auth/tokens/${t.id}`, s), 404, 'CAP-E0002');
    });

    it('refuses minting a token with a token (CAP-E0109), and touching another user\'s tokens', async () => {
      const a = await m.userWithRoles([]);
      const b = await m.userWithRoles([]);
      refused(await call('POST', '/auth/tokens', a, { name: 'again' }), 403, 'CAP-E0109');
      refused(await call('POST', '/auth/tokens', await login(m, a.name, a.password), { name: '' }), 400, 'CAP-E0001');
      const bTokens = (await call('GET', '/auth/tokens', b)).json();
      assert.equal(bTokens.length, 1);
      refused(await call('DELETE', `/auth/tokens/${bTokens[0].id}`, a), 404, 'CAP-E0002');
      assert.equal((await call('GET', '/whoami', b)).statusCode, 200);
      assert.ok((await call('GET', '/auth/tokens', a)).json().every((t: { id: string }) => t.id !== bTokens[0].id));
    });

    it('refuses a token past its expiry (CAP-E0103)', async () => {
      const u = await m.userWithRoles([]);
      await m.services.db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('user_id', '=', (await m.services.db.selectFrom('users').select('id').where('name', '=', u.name).executeTakeFirstOrThrow()).id)
        .execute();
      refused(await call('GET', '/whoami', u), 401, 'CAP-E0103');
    });

    it('changes one\'s own password only with the current one, and not to the same', async () => {
      const u = await m.userWithRoles([]);
      refused(await call('PUT', '/auth/password', u, { oldPassword: 'not-it', newPassword: 'new-password-1' }), 400, 'CAP-E0108');
      refused(await call('PUT', '/auth/password', u, { oldPassword: u.password, newPassword: u.password }), 400, 'CAP-E0001');
      refused(await call('PUT', '/auth/password', u, { oldPassword: u.password, newPassword: 'short' }), 400, 'CAP-E0001');
      assert.equal((await call('PUT', '/auth/password', u, { oldPassword: u.password, newPassword: 'new-password-1' })).statusCode, 204);
      refused(await call('POST', '/auth/login', null, { name: u.name, password: u.password }), 401, 'CAP-E0101');
      await login(m, u.name, 'new-password-1');
    });

    it('holds a user with a one-time password to whoami, logout and changing it (CAP-E0107)', async () => {
      const admin = await m.userWithRoles(['administrator', 'WPARAdministrator']);
      const created = (await call('POST', '/users', admin, { name: 'otp-user' })).json();
      await call('POST', '/roles/WPARMonitor/mappings', admin, { users: ['otp-user'] });
      const otp = created.oneTimePassword as string;
      const res = await call('POST', '/auth/login', null, { name: 'otp-user', password: otp });
      assert.equal(res.json().user.mustChangePassword, true);
      const s = await login(m, 'otp-user', otp);

      assert.equal((await call('GET', '/whoami', s)).statusCode, 200);
      refused(await call('GET', '/roles', s), 403, 'CAP-E0107');
      refused(await call('GET', '/auth/tokens', s), 403, 'CAP-E0107');
      refused(await call('POST', '/auth/tokens', s, { name: 'x' }), 403, 'CAP-E0107');

      assert.equal((await call('PUT', '/auth/password', s, { oldPassword: otp, newPassword: 'my-own-password' })).statusCode, 204);
      assert.equal((await call('GET', '/auth/tokens', s)).statusCode, 200);
      // From now on only its roles limit it.
      refused(await call('GET', '/roles', s), 403, 'CAP-E0102');
      assert.equal((await call('POST', '/auth/logout', s)).statusCode, 204);
    });

    it('takes the throttle\'s slot before hashing: guesses sent at once get no more tries than one after another', async () => {
      const u = await m.userWithRoles([]);
      const guesses = await Promise.all(Array.from({ length: 12 }, (_, i) =>
        call('POST', '/auth/login', null, { name: u.name, password: 'guess-' + i }, '203.0.113.20')));
      const codes = guesses.map((r) => r.json().code as string);
      assert.equal(codes.filter((c) => c === 'CAP-E0101').length, 5, codes.join(' '));
      assert.equal(codes.filter((c) => c === 'CAP-E0106').length, 7, codes.join(' '));
      refused(await call('POST', '/auth/login', null, { name: u.name, password: u.password }, '203.0.113.20'), 429, 'CAP-E0106');
    });

    it('upgrades a password hashed at an older, lower cost when its user logs in', async () => {
      const u = await m.userWithRoles([]);
      const hashOf = async () => (await m.services.db.selectFrom('users').select('password_hash').where('name', '=', u.name).executeTakeFirstOrThrow()).password_hash;
      const current = await hashOf();
      assert.ok(current.startsWith(`scrypt$${SCRYPT_COST.N}$${SCRYPT_COST.r}$${SCRYPT_COST.p}$`), current);
      // The cost every hash had before it was raised.
      const { scryptSync, randomBytes } = await import('node:crypto');
      const salt = randomBytes(16);
      const old = `scrypt$16384$8$1$${salt.toString('base64')}$${scryptSync(u.password, salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64')}`;
      await m.services.db.updateTable('users').set({ password_hash: old }).where('name', '=', u.name).execute();
      await login(m, u.name, u.password);
      const upgraded = await hashOf();
      assert.notEqual(upgraded, old);
      assert.ok(upgraded.startsWith(`scrypt$${SCRYPT_COST.N}$`), upgraded);
      await login(m, u.name, u.password);
      refused(await call('POST', '/auth/login', null, { name: u.name, password: 'not-it' }), 401, 'CAP-E0101');
      assert.notEqual(await hashPassword(u.password), upgraded, 'each hash has its own salt');
    });

    it('refuses every change made with the session cookie from a foreign origin or none (CAP-E0110), and changes nothing', async () => {
      const u = await m.userWithRoles(['administrator', 'WPARAdministrator']);
      const s = await login(m, u.name, u.password);
      const backups = async () => (await call('GET', '/backups', s)).json().length as number;
      const before = await backups();
      const changing = allRoutes().filter(([, r]) => r.method !== 'GET');
      assert.ok(changing.length > 40);
      for (const [name, r] of changing) {
        const params = Object.fromEntries([...r.path.matchAll(/:(\w+)/g)].map((x) => [x[1], 'x']));
        const url = (r.outsidePrefix ? '' : API_PREFIX) + routePath(r, params);
        for (const origin of ['https://evil.example', 'null', undefined]) {
          const res = await m.app.inject({
            method: r.method, url, cookies: { [SESSION_COOKIE]: s.cookie },
            ...(origin ? { headers: { origin } } : {}),
            ...(r.schema.body ? { payload: {} } : {}),
          });
          // The login is public: without an Origin it is not a change made with the cookie.
          if (name === 'auth.login' && origin === undefined) continue;
          // Nor are the agents' own calls, which present no cookie's authority (their certificate, or the registration password).
          if ((name === 'agents.register' || name === 'agents.unregister') && origin === undefined) continue;
          refused(res, 403, 'CAP-E0110');
        }
      }
      assert.equal(await backups(), before);
      assert.equal((await call('GET', '/whoami', s)).statusCode, 200, 'the session itself is untouched');
    });

    it('accepts the console\'s own origin on the manager\'s host, and a token without any', async () => {
      const u = await m.userWithRoles(['WPARMonitor']);
      const s = await login(m, u.name, u.password);
      const create = (headers: Record<string, string>, cookie?: string) => m.app.inject({
        method: 'POST', url: `${API_PREFIX}/auth/tokens`, headers: { host: 'capstan.example:14443', ...headers },
        ...(cookie ? { cookies: { [SESSION_COOKIE]: cookie } } : {}), payload: { name: 'from-console' },
      });
      assert.equal((await create({ origin: 'https://capstan.example:14443' }, s.cookie)).statusCode, 201);
      refused(await create({ origin: 'https://capstan.example:8443' }, s.cookie), 403, 'CAP-E0110');
      refused(await create({ origin: 'https://other.capstan.example:14443' }, s.cookie), 403, 'CAP-E0110');
      // A token is no ambient credential: a script need not name an origin.
      refused(await create({ authorization: u.headers.authorization }), 403, 'CAP-E0109');
      // A foreign page cannot log the browser in either.
      refused(await m.app.inject({ method: 'POST', url: `${API_PREFIX}/auth/login`, headers: { origin: 'https://evil.example' }, payload: { name: u.name, password: u.password } }), 403, 'CAP-E0110');
    });
  });
}

// The built-in user store over HTTP, and the first start's administrator, on SQLite and
// PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureInitialAdmin } from '../../src/manager/users/bootstrap.js';
import { startTestManager, type TestManager } from '../helpers/manager.js';
import { caller, DB_KINDS, login, refused, type Caller } from './users-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`users (${kind})`, { skip }, () => {
    let m: TestManager;
    let call: ReturnType<typeof caller>;
    let admin: Caller;
    before(async () => {
      m = await startTestManager({ kind });
      call = caller(m);
      admin = await m.userWithRoles(['administrator']);
    });
    after(async () => { await m?.close(); });

    const count = async (table: 'users' | 'user_group_members' | 'role_mappings' | 'sessions' | 'api_tokens') =>
      Number((await m.services.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const tokensOf = async (name: string) => Number((await m.services.db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id')
      .where('users.name', '=', name).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    it('creates a user with a password and groups, shows and lists it', async () => {
      const res = await call('POST', '/users', admin, { name: 'alice', fullName: 'Alice Smith', password: 'alice-password', groups: ['ops', 'dba'] });
      assert.equal(res.statusCode, 201, res.body);
      const { user, oneTimePassword } = res.json();
      assert.equal(oneTimePassword, undefined);
      assert.deepEqual({ ...user, id: undefined, createdAt: undefined }, {
        id: undefined, name: 'alice', fullName: 'Alice Smith', groups: ['dba', 'ops'], disabled: false, mustChangePassword: true, createdAt: undefined,
      });
      assert.deepEqual((await call('GET', '/users/alice', admin)).json(), user);
      const list = (await call('GET', '/users?limit=1000', admin)).json();
      assert.equal(list.total, list.items.length);
      assert.deepEqual(list.items.find((u: { name: string }) => u.name === 'alice'), user);
      // The password an administrator chose works once, then must be replaced.
      const s = await login(m, 'alice', 'alice-password');
      refused(await call('GET', '/auth/tokens', s), 403, 'CAP-E0107');
    });

    it('generates a one-time password when none is given, shown once', async () => {
      const res = await call('POST', '/users', admin, { name: 'bob' });
      assert.equal(res.statusCode, 201, res.body);
      const otp = res.json().oneTimePassword;
      assert.match(otp, /^[A-Za-z0-9_-]{16}$/);
      assert.equal(res.json().user.mustChangePassword, true);
      assert.equal((await call('GET', '/users/bob', admin)).json().oneTimePassword, undefined);
      await login(m, 'bob', otp);
    });

    it('refuses a duplicate (CAP-E0003) and invalid input (CAP-E0001), storing nothing', async () => {
      await call('POST', '/users', admin, { name: 'carol' });
      const users = await count('users');
      const groups = await count('user_group_members');
      refused(await call('POST', '/users', admin, { name: 'carol', groups: ['x'] }), 409, 'CAP-E0003');
      refused(await call('POST', '/users', admin, { name: 'has space' }), 400, 'CAP-E0001');
      refused(await call('POST', '/users', admin, { name: 'dave', password: 'short' }), 400, 'CAP-E0001');
      refused(await call('POST', '/users', admin, { name: 'dave', groups: ['bad group'] }), 400, 'CAP-E0001');
      refused(await call('POST', '/users', admin, { name: 'dave', groups: ['g', 'g'] }), 400, 'CAP-E0001');
      refused(await call('POST', '/users', admin, { name: 'dave', role: 'administrator' }), 400, 'CAP-E0001');
      assert.equal(await count('users'), users);
      assert.equal(await count('user_group_members'), groups);
      refused(await call('GET', '/users/nobody', admin), 404, 'CAP-E0002');
      refused(await call('PATCH', '/users/nobody', admin, { fullName: 'x' }), 404, 'CAP-E0002');
      refused(await call('PATCH', '/users/carol', admin, {}), 400, 'CAP-E0001');
    });

    it('modifies full name and groups; disabling ends its sessions and tokens for good', async () => {
      const u = await m.userWithRoles(['WPARMonitor'], 'erin');
      const s = await login(m, 'erin', u.password);
      const mod = await call('PATCH', '/users/erin', admin, { fullName: 'Erin E', groups: ['web'] });
      assert.equal(mod.statusCode, 200, mod.body);
      assert.equal(mod.json().fullName, 'Erin E');
      assert.deepEqual(mod.json().groups, ['web']);
      assert.deepEqual((await call('GET', '/whoami', u)).json().groups, ['web']);

      assert.equal((await call('PATCH', '/users/erin', admin, { disabled: true })).json().disabled, true);
      refused(await call('GET', '/whoami', u), 401, 'CAP-E0103');
      refused(await call('GET', '/whoami', s), 401, 'CAP-E0103');
      refused(await call('POST', '/auth/login', null, { name: 'erin', password: u.password }), 401, 'CAP-E0101');

      assert.equal(await tokensOf('erin'), 0);

      // Enabled again, it logs in afresh: the old token stays revoked.
      assert.equal((await call('PATCH', '/users/erin', admin, { disabled: false })).json().disabled, false);
      refused(await call('GET', '/whoami', u), 401, 'CAP-E0103');
      await login(m, 'erin', u.password);
    });

    it('sets another user\'s password: its sessions and tokens end and it must change the password', async () => {
      const u = await m.userWithRoles([], 'frank');
      const s = await login(m, 'frank', u.password);
      const set = await call('PUT', '/users/frank/password', admin, {});
      assert.equal(set.statusCode, 200, set.body);
      const otp = set.json().oneTimePassword;
      assert.ok(otp);
      refused(await call('GET', '/whoami', s), 401, 'CAP-E0103');
      refused(await call('GET', '/whoami', u), 401, 'CAP-E0103');
      assert.equal(await tokensOf('frank'), 0);
      refused(await call('POST', '/auth/login', null, { name: 'frank', password: u.password }), 401, 'CAP-E0101');
      const again = await login(m, 'frank', otp);
      refused(await call('GET', '/auth/tokens', again), 403, 'CAP-E0107');

      const chosen = await call('PUT', '/users/frank/password', admin, { password: 'chosen-by-admin' });
      assert.deepEqual(chosen.json(), {});
      await login(m, 'frank', 'chosen-by-admin');
      refused(await call('PUT', '/users/nobody/password', admin, {}), 404, 'CAP-E0002');
    });

    it('deletes a user with its sessions, tokens, groups and own mappings', async () => {
      const u = await m.userWithRoles(['WPARUser'], 'gina');
      await call('PATCH', '/users/gina', admin, { groups: ['ops'] });
      const s = await login(m, 'gina', u.password);
      const { id } = await m.services.db.selectFrom('users').select('id').where('name', '=', 'gina').executeTakeFirstOrThrow();
      assert.equal((await call('DELETE', '/users/gina', admin)).statusCode, 204);
      refused(await call('GET', '/whoami', u), 401, 'CAP-E0103');
      refused(await call('GET', '/whoami', s), 401, 'CAP-E0103');
      for (const table of ['sessions', 'api_tokens', 'user_group_members'] as const) {
        assert.equal((await m.services.db.selectFrom(table).select('user_id').where('user_id', '=', id).execute()).length, 0, table);
      }
      assert.equal((await m.services.db.selectFrom('role_mappings').select('role').where('principal', '=', 'gina').execute()).length, 0);
      refused(await call('DELETE', '/users/gina', admin), 404, 'CAP-E0002');
      // A new user of the same name starts without the old one's roles.
      await call('POST', '/users', admin, { name: 'gina' });
      assert.deepEqual((await call('GET', '/users/gina/roles', admin)).json().roles, []);
    });

    it('is for administrators only: WPARAdministrator, other roles and no role are refused', async () => {
      for (const roles of [['WPARAdministrator'], ['WPARUser'], ['WPARMonitor'], []] as const) {
        const u = await m.userWithRoles([...roles]);
        refused(await call('GET', '/users', u), 403, 'CAP-E0102');
        refused(await call('POST', '/users', u, { name: 'sneaky' }), 403, 'CAP-E0102');
        refused(await call('PUT', `/users/${u.name}/password`, u, { password: 'self-service' }), 403, 'CAP-E0102');
      }
      refused(await call('GET', '/users', null), 401, 'CAP-E0100');
      refused(await call('GET', '/users/sneaky', admin), 404, 'CAP-E0002');
    });
  });

  describe(`the last administrator (${kind})`, { skip }, () => {
    it('never leaves no enabled administrator (CAP-E0105), changing nothing', async () => {
      // Its own manager, with one administrator. (One PostgreSQL test manager at a time:
      // the migrator finds another test schema's migration tables and skips creating its own.)
      const solo = await startTestManager({ kind });
      try {
        const c = caller(solo);
        const root = await solo.userWithRoles(['administrator'], 'root');
        const helper = await solo.userWithRoles([], 'helper');
        refused(await c('PATCH', '/users/root', root, { disabled: true }), 409, 'CAP-E0105');
        refused(await c('DELETE', '/users/root', root), 409, 'CAP-E0105');
        assert.equal((await c('GET', '/users/root', root)).json().disabled, false);

        // Through its group, helper becomes another administrator: root may now go.
        await c('PATCH', '/users/helper', root, { groups: ['admins'] });
        await c('POST', '/roles/administrator/mappings', root, { groups: ['admins'] });
        assert.equal((await c('PATCH', '/users/root', root, { disabled: true })).statusCode, 200);
        refused(await c('PATCH', '/users/helper', helper, { groups: ['other'] }), 409, 'CAP-E0105');
        refused(await c('PATCH', '/users/helper', helper, { disabled: true }), 409, 'CAP-E0105');
        refused(await c('DELETE', '/users/helper', helper), 409, 'CAP-E0105');
        const after = (await c('GET', '/users/helper', helper)).json();
        assert.deepEqual([after.groups, after.disabled], [['admins'], false]);
      } finally {
        await solo.close();
      }
    });

  });

  describe(`first start (${kind})`, { skip }, () => {
    it('creates admin with administrator and WPARAdministrator and a one-time password, once', async () => {
      const m = await startTestManager({ kind });
      try {
        const first = await ensureInitialAdmin(m.services);
        assert.ok(first);
        assert.equal(first.name, 'admin');
        assert.equal(await ensureInitialAdmin(m.services), null);

        const call = caller(m);
        const res = await call('POST', '/auth/login', null, { name: 'admin', password: first.password });
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json().roles, ['administrator', 'WPARAdministrator']);
        assert.equal(res.json().user.mustChangePassword, true);
        const s = await login(m, 'admin', first.password);
        refused(await call('GET', '/users', s), 403, 'CAP-E0107');
        assert.equal((await call('PUT', '/auth/password', s, { oldPassword: first.password, newPassword: 'admin-chosen' })).statusCode, 204);
        assert.equal((await call('GET', '/users', s)).statusCode, 200);
      } finally {
        await m.close();
      }
    });

    it('does nothing when any user exists', async () => {
      const m = await startTestManager({ kind });
      try {
        await m.userWithRoles([]);
        assert.equal(await ensureInitialAdmin(m.services), null);
      } finally {
        await m.close();
      }
    });
  });
}

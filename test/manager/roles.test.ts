// Role mappings over HTTP (the seed's lwiMapRole: add, remove, purge and the queries), on
// SQLite and PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestManager, type TestManager } from '../helpers/manager.js';
import { caller, DB_KINDS, refused, type Caller } from './users-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`role mappings (${kind})`, { skip }, () => {
    let m: TestManager;
    let call: ReturnType<typeof caller>;
    let admin: Caller;
    before(async () => {
      m = await startTestManager({ kind });
      call = caller(m);
      admin = await m.userWithRoles(['administrator'], 'root');
    });
    after(async () => { await m?.close(); });

    const mappings = async () => (await m.services.db.selectFrom('role_mappings').select(['role', 'principal_type', 'principal'])
      .orderBy('role').orderBy('principal_type').orderBy('principal').execute());

    it('lists the four roles with what each may do and who holds it (getRoles)', async () => {
      const res = await call('GET', '/roles', admin);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), [
        { role: 'administrator', permissions: ['users.manage'], users: ['root'], groups: [] },
        { role: 'WPARAdministrator', permissions: ['view', 'wpar.manage', 'system.manage'], users: [], groups: [] },
        { role: 'WPARUser', permissions: ['view', 'wpar.manage'], users: [], groups: [] },
        { role: 'WPARMonitor', permissions: ['view'], users: [], groups: [] },
      ]);
    });

    it('maps users and groups (add), idempotently, and answers the queries', async () => {
      await m.userWithRoles([], 'ann');
      await m.userWithRoles([], 'ben');
      await call('PATCH', '/users/ben', admin, { groups: ['ops', 'dev'] });
      const added = await call('POST', '/roles/WPARUser/mappings', admin, { users: ['ann', 'ben'], groups: ['ops'] });
      assert.equal(added.statusCode, 200, added.body);
      assert.deepEqual(added.json(), { role: 'WPARUser', permissions: ['view', 'wpar.manage'], users: ['ann', 'ben'], groups: ['ops'] });
      const again = await call('POST', '/roles/WPARUser/mappings', admin, { users: ['ann'] });
      assert.deepEqual(again.json(), added.json());
      await call('POST', '/roles/WPARMonitor/mappings', admin, { groups: ['dev', 'ops'] });

      assert.deepEqual((await call('GET', '/roles/WPARUser', admin)).json(), added.json());
      assert.deepEqual((await call('GET', '/roles/WPARUser/users', admin)).json(), { role: 'WPARUser', users: ['ann', 'ben'] });
      assert.deepEqual((await call('GET', '/roles/WPARMonitor/groups', admin)).json(), { role: 'WPARMonitor', groups: ['dev', 'ops'] });
      assert.deepEqual((await call('GET', '/user-groups/ops/roles', admin)).json(), { group: 'ops', roles: ['WPARUser', 'WPARMonitor'] });
      assert.deepEqual((await call('GET', '/user-groups/nobody-maps-me/roles', admin)).json(), { group: 'nobody-maps-me', roles: [] });
      assert.deepEqual((await call('GET', '/users/ben/roles', admin)).json(), {
        user: 'ben',
        roles: ['WPARUser', 'WPARMonitor'],
        grants: [{ role: 'WPARUser' }, { role: 'WPARMonitor', group: 'dev' }, { role: 'WPARUser', group: 'ops' }, { role: 'WPARMonitor', group: 'ops' }],
      });
      assert.deepEqual((await call('GET', '/users/ann/roles', admin)).json(), { user: 'ann', roles: ['WPARUser'], grants: [{ role: 'WPARUser' }] });
      refused(await call('GET', '/users/nobody/roles', admin), 404, 'CAP-E0002');
    });

    it('gives a user the roles of its groups', async () => {
      const u = await m.userWithRoles([], 'carl');
      assert.deepEqual((await call('GET', '/whoami', u)).json().roles, []);
      refused(await call('GET', '/roles', u), 403, 'CAP-E0102');
      await call('PATCH', '/users/carl', admin, { groups: ['security'] });
      await call('POST', '/roles/administrator/mappings', admin, { groups: ['security'] });
      assert.deepEqual((await call('GET', '/whoami', u)).json().roles, ['administrator']);
      assert.equal((await call('GET', '/roles', u)).statusCode, 200);
      // Leaving the group takes the role away at once.
      await call('PATCH', '/users/carl', admin, { groups: [] });
      refused(await call('GET', '/roles', u), 403, 'CAP-E0102');
      await call('DELETE', '/roles/administrator/mappings', admin, { groups: ['security'] });
    });

    it('refuses an unknown role (CAP-E0104), an unknown user (CAP-E0002) and an empty request, changing nothing', async () => {
      const before = await mappings();
      refused(await call('POST', '/roles/superuser/mappings', admin, { users: ['root'] }), 400, 'CAP-E0104');
      refused(await call('DELETE', '/roles/superuser/mappings', admin, { users: ['root'] }), 400, 'CAP-E0104');
      refused(await call('DELETE', '/roles/superuser', admin), 400, 'CAP-E0104');
      refused(await call('GET', '/roles/superuser/users', admin), 400, 'CAP-E0104');
      refused(await call('GET', '/roles/superuser/groups', admin), 400, 'CAP-E0104');
      refused(await call('GET', '/roles/superuser', admin), 400, 'CAP-E0104');
      refused(await call('POST', '/roles/WPARUser/mappings', admin, { users: ['root', 'ghost'], groups: ['g1'] }), 404, 'CAP-E0002');
      refused(await call('POST', '/roles/WPARUser/mappings', admin, {}), 400, 'CAP-E0001');
      refused(await call('POST', '/roles/WPARUser/mappings', admin, { users: [], groups: [] }), 400, 'CAP-E0001');
      refused(await call('POST', '/roles/WPARUser/mappings', admin, { users: ['bad name'] }), 400, 'CAP-E0001');
      refused(await call('POST', '/roles/WPARUser/mappings', admin, { roles: ['x'] }), 400, 'CAP-E0001');
      refused(await call('GET', '/user-groups/bad%20name/roles', admin), 400, 'CAP-E0001');
      assert.deepEqual(await mappings(), before);
    });

    it('removes mappings (remove), refusing one that does not exist and changing nothing then', async () => {
      await m.userWithRoles([], 'dora');
      await call('POST', '/roles/WPARMonitor/mappings', admin, { users: ['dora'], groups: ['audit'] });
      const before = await mappings();
      refused(await call('DELETE', '/roles/WPARMonitor/mappings', admin, { users: ['dora'], groups: ['not-mapped'] }), 404, 'CAP-E0002');
      assert.deepEqual(await mappings(), before);
      const removed = await call('DELETE', '/roles/WPARMonitor/mappings', admin, { users: ['dora'], groups: ['audit'] });
      assert.equal(removed.statusCode, 200, removed.body);
      assert.ok(!removed.json().users.includes('dora'));
      assert.ok(!removed.json().groups.includes('audit'));
      assert.deepEqual((await call('GET', '/users/dora/roles', admin)).json().roles, []);
    });

    it('purges every mapping of a role (purge)', async () => {
      await m.userWithRoles(['WPARAdministrator'], 'eve');
      await call('POST', '/roles/WPARAdministrator/mappings', admin, { groups: ['wadmins'] });
      assert.equal((await call('DELETE', '/roles/WPARAdministrator', admin)).statusCode, 204);
      assert.deepEqual((await call('GET', '/roles/WPARAdministrator', admin)).json(), {
        role: 'WPARAdministrator', permissions: ['view', 'wpar.manage', 'system.manage'], users: [], groups: [],
      });
      assert.deepEqual((await call('GET', '/users/eve/roles', admin)).json().roles, []);
    });

    it('refuses one of two concurrent removals that together would leave no administrator', async () => {
      await m.userWithRoles(['administrator'], 'gus');
      // Straight to the service: over HTTP the second caller may already be refused for its roles.
      const results = await Promise.allSettled([
        m.services.roles.remove('administrator', { users: ['gus'] }),
        m.services.roles.remove('administrator', { users: ['root'] }),
      ]);
      const codes = results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code?: string }).code));
      assert.deepEqual([...codes].sort(), ['CAP-E0105', 'ok']);
      // Back to root as the only administrator.
      if (codes[1] === 'ok') {
        await m.services.roles.add('administrator', { users: ['root'] });
        await m.services.roles.remove('administrator', { users: ['gus'] });
      }
      assert.deepEqual((await call('GET', '/roles/administrator/users', admin)).json().users, ['root']);
    });

    it('never removes the last administrator mapping (CAP-E0105), by remove or purge', async () => {
      const before = await mappings();
      refused(await call('DELETE', '/roles/administrator/mappings', admin, { users: ['root'] }), 409, 'CAP-E0105');
      refused(await call('DELETE', '/roles/administrator', admin), 409, 'CAP-E0105');
      assert.deepEqual(await mappings(), before);
      // With a group that holds an enabled member, root's own mapping may go.
      await m.userWithRoles([], 'fay');
      await call('PATCH', '/users/fay', admin, { groups: ['admins'] });
      await call('POST', '/roles/administrator/mappings', admin, { groups: ['admins'] });
      // A mapping to a group with no enabled member does not count.
      await call('PATCH', '/users/fay', admin, { disabled: true });
      refused(await call('DELETE', '/roles/administrator/mappings', admin, { users: ['root'] }), 409, 'CAP-E0105');
      await call('PATCH', '/users/fay', admin, { disabled: false });
      const removed = await call('DELETE', '/roles/administrator/mappings', admin, { users: ['root'] });
      assert.equal(removed.statusCode, 200, removed.body);
      assert.deepEqual(removed.json().users, []);
    });

    it('is for administrators only', async () => {
      for (const roles of [['WPARAdministrator'], ['WPARUser'], ['WPARMonitor'], []] as const) {
        const u = await m.userWithRoles([...roles]);
        refused(await call('GET', '/roles', u), 403, 'CAP-E0102');
        refused(await call('POST', '/roles/administrator/mappings', u, { users: [u.name] }), 403, 'CAP-E0102');
        refused(await call('GET', `/users/${u.name}/roles`, u), 403, 'CAP-E0102');
      }
      refused(await call('GET', '/roles', null), 401, 'CAP-E0100');
    });
  });
}

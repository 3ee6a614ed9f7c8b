// Relocation domains over HTTP, on SQLite and PostgreSQL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/manager/db/migrations.js';
import { count, DB_KINDS, refused, managerPerSuite } from './wpars-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`relocation domains (${kind})`, { skip }, () => {
    const mgr = managerPerSuite(kind);
    const { call } = mgr;

    it('has the default domain, readable by a monitor', async () => {
      const res = await call('GET', '/domains', mgr.monitor);
      assert.equal(res.statusCode, 200);
      const { items, total } = res.json();
      assert.equal(total, 1);
      assert.deepEqual({ ...items[0], createdAt: undefined }, {
        id: DEFAULTS.domainId, name: 'default', description: 'Every system belongs here unless moved', isDefault: true, systemCount: 0, allowance: { mountSources: [], capabilities: [] }, createdAt: undefined,
      });
    });

    it('creates, shows by id or name, modifies and removes a domain', async () => {
      const created = await call('POST', '/domains', mgr.admin, { name: 'banking', description: 'bank systems' });
      assert.equal(created.statusCode, 201, created.body);
      const d = created.json();
      assert.equal(d.name, 'banking');
      assert.equal(d.isDefault, false);
      assert.deepEqual((await call('GET', `/domains/${d.id}`, mgr.monitor)).json(), d);
      assert.deepEqual((await call('GET', '/domains/banking', mgr.monitor)).json(), d);

      const modified = await call('PATCH', '/domains/banking', mgr.admin, { name: 'bank', description: 'renamed' });
      assert.equal(modified.statusCode, 200, modified.body);
      assert.equal(modified.json().name, 'bank');
      assert.equal(modified.json().description, 'renamed');

      const removed = await call('DELETE', `/domains/${d.id}`, mgr.admin);
      assert.equal(removed.statusCode, 204);
      refused(await call('GET', `/domains/${d.id}`, mgr.monitor), 404, 'CAP-E0002');
    });

    it('refuses a duplicate name (CAP-E0003) and an invalid one (CAP-E0001), storing nothing', async () => {
      await call('POST', '/domains', mgr.admin, { name: 'hr' });
      const before = await count(mgr.m, 'relocation_domains');
      refused(await call('POST', '/domains', mgr.admin, { name: 'hr' }), 409, 'CAP-E0003');
      refused(await call('POST', '/domains', mgr.admin, { name: 'no spaces' }), 400, 'CAP-E0001');
      refused(await call('POST', '/domains', mgr.admin, { name: 'x', extra: 1 }), 400, 'CAP-E0001');
      assert.equal(await count(mgr.m, 'relocation_domains'), before);
    });

    it('refuses renaming onto another domain and an empty change, changing nothing', async () => {
      await call('POST', '/domains', mgr.admin, { name: 'backup' });
      refused(await call('PATCH', '/domains/backup', mgr.admin, { name: 'hr' }), 409, 'CAP-E0003');
      refused(await call('PATCH', '/domains/backup', mgr.admin, {}), 400, 'CAP-E0001');
      refused(await call('PATCH', '/domains/nope', mgr.admin, { description: 'x' }), 404, 'CAP-E0002');
      assert.equal((await call('GET', '/domains/backup', mgr.monitor)).json().name, 'backup');
    });

    it('never removes the default domain (CAP-E0300)', async () => {
      refused(await call('DELETE', '/domains/default', mgr.admin), 409, 'CAP-E0300');
      refused(await call('DELETE', `/domains/${DEFAULTS.domainId}`, mgr.admin), 409, 'CAP-E0300');
      assert.equal((await call('GET', '/domains/default', mgr.monitor)).statusCode, 200);
    });

    it('refuses to remove a domain that still has systems (CAP-E0301)', async () => {
      await call('POST', '/domains', mgr.admin, { name: 'busy' });
      const sys = await call('POST', '/systems', mgr.admin, { name: 'busy-host', host: '10.9.0.1', domain: 'busy' });
      assert.equal(sys.statusCode, 201, sys.body);
      refused(await call('DELETE', '/domains/busy', mgr.admin), 409, 'CAP-E0301');
      const d = (await call('GET', '/domains/busy', mgr.monitor)).json();
      assert.equal(d.systemCount, 1);
      assert.equal((await call('DELETE', '/systems/busy-host', mgr.admin)).statusCode, 204);
      assert.equal((await call('DELETE', '/domains/busy', mgr.admin)).statusCode, 204);
    });

    it('lets only system managers change domains (the seed: WPARUser may not)', async () => {
      const before = await count(mgr.m, 'relocation_domains');
      refused(await call('POST', '/domains', mgr.user, { name: 'u1' }), 403, 'CAP-E0102');
      refused(await call('POST', '/domains', mgr.monitor, { name: 'u2' }), 403, 'CAP-E0102');
      refused(await call('PATCH', '/domains/hr', mgr.user, { description: 'x' }), 403, 'CAP-E0102');
      refused(await call('DELETE', '/domains/hr', mgr.user), 403, 'CAP-E0102');
      assert.equal(await count(mgr.m, 'relocation_domains'), before);
      assert.equal((await call('GET', '/domains', mgr.user)).statusCode, 200);
    });

    it('pages the list', async () => {
      const all = (await call('GET', '/domains', mgr.monitor)).json();
      const page = (await call('GET', '/domains?limit=1&offset=1', mgr.monitor)).json();
      assert.equal(page.total, all.total);
      assert.deepEqual(page.items, all.items.slice(1, 2));
    });
  });
}

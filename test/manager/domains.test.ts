// Relocation domains over HTTP, on SQLite and PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/manager/db/migrations.js';
import type { TestManager } from '../helpers/manager.js';
import { count, DB_KINDS, refused, startManager, type Headers } from './wpars-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`relocation domains (${kind})`, { skip }, () => {
    let m: TestManager;
    let admin: Headers;
    let user: Headers;
    let monitor: Headers;
    before(async () => ({ m, admin, user, monitor } = await startManager(kind)));
    after(async () => { await m?.close(); });

    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Headers, payload?: object) =>
      m.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });

    it('has the default domain, readable by a monitor', async () => {
      const res = await call('GET', '/domains', monitor);
      assert.equal(res.statusCode, 200);
      const { items, total } = res.json();
      assert.equal(total, 1);
      assert.deepEqual({ ...items[0], createdAt: undefined }, {
        id: DEFAULTS.domainId, name: 'default', description: 'Every system belongs here unless moved', isDefault: true, systemCount: 0, createdAt: undefined,
      });
    });

    it('creates, shows by id or name, modifies and removes a domain', async () => {
      const created = await call('POST', '/domains', admin, { name: 'banking', description: 'bank systems' });
      assert.equal(created.statusCode, 201, created.body);
      const d = created.json();
      assert.equal(d.name, 'banking');
      assert.equal(d.isDefault, false);
      assert.deepEqual((await call('GET', `/domains/${d.id}`, monitor)).json(), d);
      assert.deepEqual((await call('GET', '/domains/banking', monitor)).json(), d);

      const modified = await call('PATCH', '/domains/banking', admin, { name: 'bank', description: 'renamed' });
      assert.equal(modified.statusCode, 200, modified.body);
      assert.equal(modified.json().name, 'bank');
      assert.equal(modified.json().description, 'renamed');

      const removed = await call('DELETE', `/domains/${d.id}`, admin);
      assert.equal(removed.statusCode, 204);
      refused(await call('GET', `/domains/${d.id}`, monitor), 404, 'CAP-E0002');
    });

    it('refuses a duplicate name (CAP-E0003) and an invalid one (CAP-E0001), storing nothing', async () => {
      await call('POST', '/domains', admin, { name: 'hr' });
      const before = await count(m, 'relocation_domains');
      refused(await call('POST', '/domains', admin, { name: 'hr' }), 409, 'CAP-E0003');
      refused(await call('POST', '/domains', admin, { name: 'no spaces' }), 400, 'CAP-E0001');
      refused(await call('POST', '/domains', admin, { name: 'x', extra: 1 }), 400, 'CAP-E0001');
      assert.equal(await count(m, 'relocation_domains'), before);
    });

    it('refuses renaming onto another domain and an empty change, changing nothing', async () => {
      await call('POST', '/domains', admin, { name: 'backup' });
      refused(await call('PATCH', '/domains/backup', admin, { name: 'hr' }), 409, 'CAP-E0003');
      refused(await call('PATCH', '/domains/backup', admin, {}), 400, 'CAP-E0001');
      refused(await call('PATCH', '/domains/nope', admin, { description: 'x' }), 404, 'CAP-E0002');
      assert.equal((await call('GET', '/domains/backup', monitor)).json().name, 'backup');
    });

    it('never removes the default domain (CAP-E0300)', async () => {
      refused(await call('DELETE', '/domains/default', admin), 409, 'CAP-E0300');
      refused(await call('DELETE', `/domains/${DEFAULTS.domainId}`, admin), 409, 'CAP-E0300');
      assert.equal((await call('GET', '/domains/default', monitor)).statusCode, 200);
    });

    it('refuses to remove a domain that still has systems (CAP-E0301)', async () => {
      await call('POST', '/domains', admin, { name: 'busy' });
      const sys = await call('POST', '/systems', admin, { name: 'busy-host', host: '10.9.0.1', domain: 'busy' });
      assert.equal(sys.statusCode, 201, sys.body);
      refused(await call('DELETE', '/domains/busy', admin), 409, 'CAP-E0301');
      const d = (await call('GET', '/domains/busy', monitor)).json();
      assert.equal(d.systemCount, 1);
      assert.equal((await call('DELETE', '/systems/busy-host', admin)).statusCode, 204);
      assert.equal((await call('DELETE', '/domains/busy', admin)).statusCode, 204);
    });

    it('lets only system managers change domains (the seed: WPARUser may not)', async () => {
      const before = await count(m, 'relocation_domains');
      refused(await call('POST', '/domains', user, { name: 'u1' }), 403, 'CAP-E0102');
      refused(await call('POST', '/domains', monitor, { name: 'u2' }), 403, 'CAP-E0102');
      refused(await call('PATCH', '/domains/hr', user, { description: 'x' }), 403, 'CAP-E0102');
      refused(await call('DELETE', '/domains/hr', user), 403, 'CAP-E0102');
      assert.equal(await count(m, 'relocation_domains'), before);
      assert.equal((await call('GET', '/domains', user)).statusCode, 200);
    });

    it('pages the list', async () => {
      const all = (await call('GET', '/domains', monitor)).json();
      const page = (await call('GET', '/domains?limit=1&offset=1', monitor)).json();
      assert.equal(page.total, all.total);
      assert.deepEqual(page.items, all.items.slice(1, 2));
    });
  });
}

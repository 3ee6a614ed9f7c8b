// Managed systems over HTTP, on SQLite and PostgreSQL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/manager/db/migrations.js';
import { connectedSystem, count, DB_KINDS, refused, managerPerSuite, succeeded } from './wpars-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`managed systems (${kind})`, { skip }, () => {
    const mgr = managerPerSuite(kind);
    const { call } = mgr;

    it('adds a system by name and host: Unknown, in the default domain, no profile yet', async () => {
      const res = await call('POST', '/systems', mgr.admin, { name: 'host-a', host: 'host-a.example.test' });
      assert.equal(res.statusCode, 201, res.body);
      const s = res.json();
      assert.equal(s.state, 'Unknown');
      assert.equal(s.profile, null);
      assert.equal(s.lastSeenAt, null);
      assert.deepEqual(s.domain, { id: DEFAULTS.domainId, name: 'default' });
      assert.equal(s.wparCount, 0);
      assert.deepEqual((await call('GET', '/systems/host-a', mgr.monitor)).json(), s);
      assert.deepEqual((await call('GET', `/systems/${s.id}`, mgr.monitor)).json(), s);
    });

    it('adds a system into a named domain and moves it to another', async () => {
      await call('POST', '/domains', mgr.admin, { name: 'hr' });
      await call('POST', '/domains', mgr.admin, { name: 'bank' });
      const s = (await call('POST', '/systems', mgr.admin, { name: 'host-b', host: '10.0.0.2', domain: 'hr' })).json();
      assert.equal(s.domain.name, 'hr');
      const moved = await call('PATCH', '/systems/host-b', mgr.admin, { domain: 'bank', name: 'host-b2' });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.equal(moved.json().domain.name, 'bank');
      assert.equal(moved.json().name, 'host-b2');
      assert.equal((await call('GET', '/domains/bank', mgr.monitor)).json().systemCount, 1);
      assert.equal((await call('GET', '/domains/hr', mgr.monitor)).json().systemCount, 0);
    });

    it('refuses bad input and changes nothing', async () => {
      const before = await count(mgr.m, 'systems');
      refused(await call('POST', '/systems', mgr.admin, { name: 'host-a', host: 'x' }), 409, 'CAP-E0003');
      refused(await call('POST', '/systems', mgr.admin, { name: 'host-c', host: 'x', domain: 'nope' }), 404, 'CAP-E0002');
      refused(await call('POST', '/systems', mgr.admin, { name: 'host-c', host: 'not a host!' }), 400, 'CAP-E0001');
      refused(await call('POST', '/systems', mgr.admin, { name: 'host-c' }), 400, 'CAP-E0001');
      assert.equal(await count(mgr.m, 'systems'), before);
      refused(await call('PATCH', '/systems/host-b2', mgr.admin, { domain: 'nope' }), 404, 'CAP-E0002');
      refused(await call('PATCH', '/systems/host-b2', mgr.admin, { name: 'host-a' }), 409, 'CAP-E0003');
      refused(await call('PATCH', '/systems/host-b2', mgr.admin, { host: 'elsewhere' }), 400, 'CAP-E0001');
      const s = (await call('GET', '/systems/host-b2', mgr.monitor)).json();
      assert.equal(s.domain.name, 'bank');
      assert.equal(s.host, '10.0.0.2');
    });

    it('lists with filters and pages', async () => {
      const all = (await call('GET', '/systems', mgr.monitor)).json();
      assert.equal(all.total, 2);
      assert.deepEqual(all.items.map((s: { name: string }) => s.name), ['host-a', 'host-b2']);
      assert.deepEqual((await call('GET', '/systems?domain=bank', mgr.monitor)).json().items.map((s: { name: string }) => s.name), ['host-b2']);
      assert.equal((await call('GET', '/systems?state=Online', mgr.monitor)).json().total, 0);
      assert.equal((await call('GET', '/systems?state=Unknown', mgr.monitor)).json().total, 2);
      const page = (await call('GET', '/systems?limit=1&offset=1', mgr.monitor)).json();
      assert.deepEqual(page, { total: 2, items: [all.items[1]] });
      refused(await call('GET', '/systems?state=Sleeping', mgr.monitor), 400, 'CAP-E0001');
      refused(await call('GET', '/systems?domain=nope', mgr.monitor), 404, 'CAP-E0002');
    });

    it('refuses to remove a system while WPARs are deployed on it (CAP-E0004)', async () => {
      const { id } = await connectedSystem(mgr.m, mgr.admin, 'host-d');
      await succeeded(mgr.m, await call('POST', '/wpars', mgr.user, { name: 'on-d', type: 'system', system: 'host-d' }));
      const before = (await call('GET', `/systems/${id}`, mgr.monitor)).json();
      assert.equal(before.wparCount, 1);
      refused(await call('DELETE', '/systems/host-d', mgr.admin), 409, 'CAP-E0004');
      assert.deepEqual((await call('GET', `/systems/${id}`, mgr.monitor)).json(), before);
      await succeeded(mgr.m, await call('POST', '/wpars/on-d/actions/remove', mgr.user, {}));
      assert.equal((await call('DELETE', '/systems/host-d', mgr.admin)).statusCode, 204);
      refused(await call('GET', `/systems/${id}`, mgr.monitor), 404, 'CAP-E0002');
      assert.equal((await call('GET', '/wpars/on-d', mgr.monitor)).json().state, 'Undeployed', 'the definition stays');
    });

    it('lets only system managers add, modify or remove systems (the seed: WPARUser may not)', async () => {
      const before = await count(mgr.m, 'systems');
      refused(await call('POST', '/systems', mgr.user, { name: 'host-u', host: 'u' }), 403, 'CAP-E0102');
      refused(await call('PATCH', '/systems/host-a', mgr.user, { name: 'x' }), 403, 'CAP-E0102');
      refused(await call('DELETE', '/systems/host-a', mgr.user), 403, 'CAP-E0102');
      refused(await call('DELETE', '/systems/host-a', mgr.monitor), 403, 'CAP-E0102');
      refused(await mgr.m.app.inject({ method: 'GET', url: '/api/v1/systems' }), 401, 'CAP-E0100');
      assert.equal(await count(mgr.m, 'systems'), before);
      assert.equal((await call('GET', '/systems', mgr.user)).statusCode, 200);
    });
  });
}

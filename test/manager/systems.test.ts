// Managed systems over HTTP, on SQLite and PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/manager/db/migrations.js';
import type { TestManager } from '../helpers/manager.js';
import { connectedSystem, count, DB_KINDS, refused, startManager, succeeded, type Headers } from './wpars-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`managed systems (${kind})`, { skip }, () => {
    let m: TestManager;
    let admin: Headers;
    let user: Headers;
    let monitor: Headers;
    before(async () => ({ m, admin, user, monitor } = await startManager(kind)));
    after(async () => { await m?.close(); });

    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Headers, payload?: object) =>
      m.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });

    it('adds a system by name and host: Unknown, in the default domain, no profile yet', async () => {
      const res = await call('POST', '/systems', admin, { name: 'host-a', host: 'host-a.example.test' });
      assert.equal(res.statusCode, 201, res.body);
      const s = res.json();
      assert.equal(s.state, 'Unknown');
      assert.equal(s.profile, null);
      assert.equal(s.lastSeenAt, null);
      assert.deepEqual(s.domain, { id: DEFAULTS.domainId, name: 'default' });
      assert.equal(s.wparCount, 0);
      assert.deepEqual((await call('GET', '/systems/host-a', monitor)).json(), s);
      assert.deepEqual((await call('GET', `/systems/${s.id}`, monitor)).json(), s);
    });

    it('adds a system into a named domain and moves it to another', async () => {
      await call('POST', '/domains', admin, { name: 'hr' });
      await call('POST', '/domains', admin, { name: 'bank' });
      const s = (await call('POST', '/systems', admin, { name: 'host-b', host: '10.0.0.2', domain: 'hr' })).json();
      assert.equal(s.domain.name, 'hr');
      const moved = await call('PATCH', '/systems/host-b', admin, { domain: 'bank', name: 'host-b2' });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.equal(moved.json().domain.name, 'bank');
      assert.equal(moved.json().name, 'host-b2');
      assert.equal((await call('GET', '/domains/bank', monitor)).json().systemCount, 1);
      assert.equal((await call('GET', '/domains/hr', monitor)).json().systemCount, 0);
    });

    it('refuses bad input and changes nothing', async () => {
      const before = await count(m, 'systems');
      refused(await call('POST', '/systems', admin, { name: 'host-a', host: 'x' }), 409, 'CAP-E0003');
      refused(await call('POST', '/systems', admin, { name: 'host-c', host: 'x', domain: 'nope' }), 404, 'CAP-E0002');
      refused(await call('POST', '/systems', admin, { name: 'host-c', host: 'not a host!' }), 400, 'CAP-E0001');
      refused(await call('POST', '/systems', admin, { name: 'host-c' }), 400, 'CAP-E0001');
      assert.equal(await count(m, 'systems'), before);
      refused(await call('PATCH', '/systems/host-b2', admin, { domain: 'nope' }), 404, 'CAP-E0002');
      refused(await call('PATCH', '/systems/host-b2', admin, { name: 'host-a' }), 409, 'CAP-E0003');
      refused(await call('PATCH', '/systems/host-b2', admin, { host: 'elsewhere' }), 400, 'CAP-E0001');
      const s = (await call('GET', '/systems/host-b2', monitor)).json();
      assert.equal(s.domain.name, 'bank');
      assert.equal(s.host, '10.0.0.2');
    });

    it('lists with filters and pages', async () => {
      const all = (await call('GET', '/systems', monitor)).json();
      assert.equal(all.total, 2);
      assert.deepEqual(all.items.map((s: { name: string }) => s.name), ['host-a', 'host-b2']);
      assert.deepEqual((await call('GET', '/systems?domain=bank', monitor)).json().items.map((s: { name: string }) => s.name), ['host-b2']);
      assert.equal((await call('GET', '/systems?state=Online', monitor)).json().total, 0);
      assert.equal((await call('GET', '/systems?state=Unknown', monitor)).json().total, 2);
      const page = (await call('GET', '/systems?limit=1&offset=1', monitor)).json();
      assert.deepEqual(page, { total: 2, items: [all.items[1]] });
      refused(await call('GET', '/systems?state=Sleeping', monitor), 400, 'CAP-E0001');
      refused(await call('GET', '/systems?domain=nope', monitor), 404, 'CAP-E0002');
    });

    it('refuses to remove a system while WPARs are deployed on it (CAP-E0004)', async () => {
      const { id } = await connectedSystem(m, admin, 'host-d');
      await succeeded(m, await call('POST', '/wpars', user, { name: 'on-d', type: 'system', system: 'host-d' }));
      const before = (await call('GET', `/systems/${id}`, monitor)).json();
      assert.equal(before.wparCount, 1);
      refused(await call('DELETE', '/systems/host-d', admin), 409, 'CAP-E0004');
      assert.deepEqual((await call('GET', `/systems/${id}`, monitor)).json(), before);
      await succeeded(m, await call('POST', '/wpars/on-d/actions/remove', user, {}));
      assert.equal((await call('DELETE', '/systems/host-d', admin)).statusCode, 204);
      refused(await call('GET', `/systems/${id}`, monitor), 404, 'CAP-E0002');
      assert.equal((await call('GET', '/wpars/on-d', monitor)).json().state, 'Undeployed', 'the definition stays');
    });

    it('lets only system managers add, modify or remove systems (the seed: WPARUser may not)', async () => {
      const before = await count(m, 'systems');
      refused(await call('POST', '/systems', user, { name: 'host-u', host: 'u' }), 403, 'CAP-E0102');
      refused(await call('PATCH', '/systems/host-a', user, { name: 'x' }), 403, 'CAP-E0102');
      refused(await call('DELETE', '/systems/host-a', user), 403, 'CAP-E0102');
      refused(await call('DELETE', '/systems/host-a', monitor), 403, 'CAP-E0102');
      refused(await m.app.inject({ method: 'GET', url: '/api/v1/systems' }), 401, 'CAP-E0100');
      assert.equal(await count(m, 'systems'), before);
      assert.equal((await call('GET', '/systems', user)).statusCode, 200);
    });
  });
}

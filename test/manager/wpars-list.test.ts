// Listing WPARs: filters by state, type, system and group, sorting, paging, and a fleet of
// 10,000 WPARs listed fast.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DEFAULTS } from '../../src/manager/db/migrations.js';
import type { TestManager } from '../helpers/manager.js';
import { connectedSystem, DB_KINDS, refused, startManager, succeeded, type Headers } from './wpars-fixtures.js';

type Item = { name: string; createdAt: string };

for (const { kind, skip } of DB_KINDS) {
  describe(`WPAR list (${kind})`, { skip }, () => {
    let m: TestManager;
    let admin: Headers;
    let user: Headers;
    let monitor: Headers;
    before(async () => {
      ({ m, admin, user, monitor } = await startManager(kind));
      await connectedSystem(m, admin, 'host-b');
      await connectedSystem(m, admin, 'host-a');
      await m.app.inject({ method: 'POST', url: '/api/v1/groups', headers: admin, payload: { name: 'grp' } });
      const create = async (body: object) => succeeded(m, await m.app.inject({ method: 'POST', url: '/api/v1/wpars', headers: user, payload: body }));
      await create({ name: 'w-sys-a', type: 'system', system: 'host-a', start: true });
      await create({ name: 'w-sys-b', type: 'system', system: 'host-b' });
      await create({ name: 'w-app-a', type: 'application', command: ['/bin/true'], system: 'host-a', group: 'grp', interfaces: [{ address: '10.0.0.31' }] });
      await create({ name: 'w-undep', type: 'system', group: 'grp' });
      await create({ name: 'w-app-u', type: 'application', command: ['/bin/true'], interfaces: [{ address: '10.0.0.32' }] });
    });
    after(async () => { await m?.close(); });

    const list = async (query: string) => {
      const res = await m.app.inject({ method: 'GET', url: `/api/v1/wpars${query}`, headers: monitor });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { items: Item[]; total: number };
    };
    const names = async (query: string) => (await list(query)).items.map((w) => w.name);

    it('lists every WPAR by name by default', async () => {
      assert.deepEqual(await names(''), ['w-app-a', 'w-app-u', 'w-sys-a', 'w-sys-b', 'w-undep']);
      assert.equal((await list('')).total, 5);
    });

    it('filters by state (one or several), type, system and group, by id or name', async () => {
      assert.deepEqual(await names('?state=Active'), ['w-app-a', 'w-sys-a']);
      assert.deepEqual(await names('?state=Undeployed&state=Defined'), ['w-app-u', 'w-sys-b', 'w-undep']);
      assert.deepEqual(await names('?type=application'), ['w-app-a', 'w-app-u']);
      assert.deepEqual(await names('?system=host-a'), ['w-app-a', 'w-sys-a']);
      assert.deepEqual(await names('?group=grp'), ['w-app-a', 'w-undep']);
      assert.deepEqual(await names(`?group=${DEFAULTS.groupId}&type=system&state=Active`), ['w-sys-a']);
    });

    it('sorts by any listed key, either way, names breaking ties', async () => {
      assert.deepEqual(await names('?order=desc'), ['w-undep', 'w-sys-b', 'w-sys-a', 'w-app-u', 'w-app-a']);
      assert.deepEqual(await names('?sort=state'), ['w-app-a', 'w-sys-a', 'w-sys-b', 'w-app-u', 'w-undep']);
      assert.deepEqual(await names('?sort=type&order=desc'), ['w-undep', 'w-sys-b', 'w-sys-a', 'w-app-u', 'w-app-a']);
      assert.deepEqual(await names('?sort=system'), ['w-app-a', 'w-sys-a', 'w-sys-b', 'w-app-u', 'w-undep']);
      assert.deepEqual(await names('?sort=system&order=desc'), ['w-sys-b', 'w-sys-a', 'w-app-a', 'w-undep', 'w-app-u']);
      assert.deepEqual(await names('?sort=group&order=asc'), ['w-app-u', 'w-sys-a', 'w-sys-b', 'w-app-a', 'w-undep']);
      const created = (await list('?sort=createdAt&order=desc')).items.map((w) => w.createdAt);
      assert.deepEqual(created, [...created].sort().reverse());
    });

    it('pages without overlap', async () => {
      const all = await names('?sort=state');
      const pages = [];
      for (let offset = 0; offset < all.length; offset += 2) pages.push(...(await names(`?sort=state&limit=2&offset=${offset}`)));
      assert.deepEqual(pages, all);
      assert.equal((await list('?limit=2')).total, 5);
    });

    it('refuses bad filters', async () => {
      const get = (q: string) => m.app.inject({ method: 'GET', url: `/api/v1/wpars${q}`, headers: monitor });
      refused(await get('?state=Running'), 400, 'CAP-E0001');
      refused(await get('?sort=size'), 400, 'CAP-E0001');
      refused(await get('?limit=0'), 400, 'CAP-E0001');
      refused(await get('?limit=5000'), 400, 'CAP-E0001');
      refused(await get('?system=nope'), 404, 'CAP-E0002');
      refused(await get('?group=nope'), 404, 'CAP-E0002');
    });

    // Its speed is bench/manager's to measure (GET /wpars at fleet size); here the time is only printed.
    it('lists, filters and counts 10,000 WPARs', async (tc) => {
      const systems = await m.services.db.selectFrom('systems').select('id').execute();
      const groups = await m.services.db.selectFrom('wpar_groups').select('id').execute();
      const states = ['Undeployed', 'Defined', 'Active', 'Paused', 'Broken'];
      const t = new Date().toISOString();
      const rows = Array.from({ length: 10_000 }, (_, i) => {
        const state = states[i % states.length]!;
        const type = i % 3 === 0 ? 'application' : 'system';
        const name = `bulk${String(i).padStart(5, '0')}`;
        return {
          id: randomUUID(), name, type, spec: JSON.stringify({ name, type, image: 'busybox', interfaces: [], mounts: [], resources: {}, checkpointable: false, ...(type === 'application' ? { command: ['/bin/true'] } : {}) }),
          state, state_reason: null, exit_status: null, system_id: state === 'Undeployed' ? null : systems[i % systems.length]!.id,
          group_id: groups[i % groups.length]!.id, busy_task_id: null, created_at: t, updated_at: t,
        };
      });
      for (let i = 0; i < rows.length; i += 500) await m.services.db.insertInto('wpars').values(rows.slice(i, i + 500)).execute();

      const queries = ['?limit=100', '?state=Active&limit=100', '?type=application&group=grp&sort=name&order=desc', '?system=host-a&sort=state&offset=1000', '?sort=system&order=desc&limit=1000'];
      for (const q of queries) await list(q); // warm up: statement caches, JIT
      for (const q of queries) {
        const started = process.hrtime.bigint();
        const page = await list(q);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        assert.ok(page.total > 0, q);
        tc.diagnostic(`${q}: ${ms.toFixed(0)} ms`);
      }
      assert.equal((await list('?state=Active')).total, 2000 + 2);
      assert.equal((await list('?limit=1')).total, 10_005);
    });
  });
}

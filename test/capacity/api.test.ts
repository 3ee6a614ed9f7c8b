// Instant capacity over HTTP, on SQLite and PostgreSQL: who may read and change it, the
// status, activation, the activation log (JSON and CSV), and the deploy check (refused, or warned by the setting) on the real
// WPAR deploy path with a test driver standing in for the system's agent.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectedSystem, count, DB_KINDS, managerPerSuite, refused, succeeded } from '../manager/wpars-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`capacity API (${kind})`, { skip }, () => {
    const mgr = managerPerSuite(kind);
    const { call } = mgr;
    const put = (url: string, headers: { authorization: string }, payload: object) => mgr.m.app.inject({ method: 'PUT', url: `/api/v1${url}`, headers, payload });

    it('reads need a role; changes need WPARAdministrator', async () => {
      await connectedSystem(mgr.m, mgr.admin, 'api-a');
      const body = { name: 'api', serial: 'SN-API', systems: ['api-a'], rights: { cores: 2 }, instantAccessSeconds: 3600 };
      refused(await call('POST', '/capacity/complexes', mgr.user, body), 403, 'CAP-E0102');
      refused(await call('POST', '/capacity/complexes', mgr.monitor, body), 403, 'CAP-E0102');
      const created = await call('POST', '/capacity/complexes', mgr.admin, body);
      assert.equal(created.statusCode, 201, created.body);
      const status = await call('GET', '/capacity/complexes/api', mgr.monitor);
      assert.equal(status.statusCode, 200, status.body);
      assert.deepEqual(status.json().systems.map((s: { name: string; intended: { cores: number }; actual: unknown; pending: boolean }) => [s.name, s.intended.cores, s.actual, s.pending]), [['api-a', 2, null, true]]);
      refused(await call('POST', '/capacity/systems/api-a/activate', mgr.user, { cores: 1 }), 403, 'CAP-E0102');
      refused(await call('POST', '/capacity/systems/api-a/activate', mgr.admin, {}), 400, 'CAP-E0001');
      refused(await call('POST', '/capacity/systems/api-a/activate', mgr.admin, { cores: 3 }), 409, 'CAP-E0805');
      const up = await call('POST', '/capacity/systems/api-a/activate', mgr.admin, { cores: 1 });
      assert.equal(up.statusCode, 200, up.body);
      assert.equal(up.json().temporary.coresInUse, 1);
      refused(await call('POST', '/capacity/codewords', mgr.admin, { codeword: 'ABCDEF-GHJKMN' }), 400, 'CAP-E0800');
      refused(await call('POST', '/capacity/issuers', mgr.admin, { name: 'vendor', publicKey: 'nope' }), 400, 'CAP-E0812');
      refused(await call('GET', '/capacity/complexes/none', mgr.monitor), 404, 'CAP-E0002');
    });

    it('refuses to deploy a WPAR onto a system without the active capacity it needs, storing nothing', async () => {
      const { driver } = await connectedSystem(mgr.m, mgr.admin, 'dep-a');
      const created = await call('POST', '/capacity/complexes', mgr.admin, { name: 'dep', serial: 'SN-DEP', systems: ['dep-a'], rights: { cores: 2, memoryGiB: 1 } });
      assert.equal(created.statusCode, 201, created.body);
      const tasks = await count(mgr.m, 'tasks');
      const big = { name: 'big', type: 'system', resources: { cpuLimit: 3 }, system: 'dep-a' };
      refused(await call('POST', '/wpars', mgr.user, big), 409, 'CAP-E0811');
      refused(await call('POST', '/wpars', mgr.user, { name: 'fat', type: 'system', resources: { memoryLimitMiB: 2048 }, system: 'dep-a' }), 409, 'CAP-E0811');
      assert.equal(await count(mgr.m, 'tasks'), tasks);
      assert.equal(driver.calls.length, 0);

      // Defined first, then deployed: the same check on the deploy action.
      await succeeded(mgr.m, await call('POST', '/wpars', mgr.user, { name: 'big', type: 'system', resources: { cpuLimit: 1.5 } }));
      await succeeded(mgr.m, await call('POST', '/wpars/big/actions/deploy', mgr.user, { system: 'dep-a' }));
      await succeeded(mgr.m, await call('POST', '/wpars', mgr.user, { name: 'second', type: 'system', resources: { cpuLimit: 1 } }));
      refused(await call('POST', '/wpars/second/actions/deploy', mgr.user, { system: 'dep-a' }), 409, 'CAP-E0811');

      // A system with no active core runs nothing, not even a WPAR without limits.
      await call('POST', '/capacity/systems/dep-a/deactivate', mgr.admin, { cores: 2 });
      refused(await call('POST', '/wpars', mgr.user, { name: 'tiny', type: 'system', system: 'dep-a' }), 409, 'CAP-E0811');
      await call('POST', '/capacity/systems/dep-a/activate', mgr.admin, { cores: 2 });

      // The setting turns the refusal into a warning.
      refused(await put('/capacity/settings', mgr.user, { deployCheck: 'warn' }), 403, 'CAP-E0102');
      const set = await put('/capacity/settings', mgr.admin, { deployCheck: 'warn' });
      assert.deepEqual(set.json(), { deployCheck: 'warn' });
      try {
        await succeeded(mgr.m, await call('POST', '/wpars/second/actions/deploy', mgr.user, { system: 'dep-a' }));
      } finally {
        await put('/capacity/settings', mgr.admin, { deployCheck: 'refuse' });
      }
      assert.deepEqual((await call('GET', '/capacity/settings', mgr.monitor)).json(), { deployCheck: 'refuse' });
    });

    it('serves the activation log to every role that reads capacity, as JSON pages and as CSV; nobody else', async () => {
      await connectedSystem(mgr.m, mgr.admin, 'log-a');
      assert.equal((await call('POST', '/capacity/complexes', mgr.admin, { name: 'logc', serial: 'SN-LOGC', systems: ['log-a'], rights: { cores: 2 }, instantAccessSeconds: 3600 })).statusCode, 201);
      assert.equal((await call('POST', '/capacity/systems/log-a/activate', mgr.admin, { cores: 1 })).statusCode, 200);
      const admin = ((await call('GET', '/whoami', mgr.admin)).json() as { name: string }).name;

      for (const reader of [mgr.admin, mgr.user, mgr.monitor]) {
        const r = await call('GET', '/capacity/log?complex=logc&limit=2', reader);
        assert.equal(r.statusCode, 200, r.body);
        const body = r.json() as { items: { action: string; who: string; system: { name: string } | null; before: unknown; after: unknown }[]; total: number };
        assert.equal(body.total, 4, 'created (the complex, its system), credited, activated');
        assert.deepEqual(body.items.map((e) => [e.action, e.who, e.system?.name ?? null, e.before, e.after]), [
          ['activate', admin, 'log-a', { cores: 2 }, { cores: 3 }],
          ['temporary-credited', admin, null, { balanceSeconds: 0 }, { balanceSeconds: 3600 }],
        ]);
      }
      const paged = (await call('GET', '/capacity/log?complex=logc&system=log-a&limit=1&offset=1', mgr.monitor)).json() as { items: { action: string }[]; total: number };
      assert.deepEqual([paged.total, paged.items.map((e) => e.action)], [2, ['complex-created']]);

      const csv = await call('GET', '/capacity/log/csv?complex=logc', mgr.monitor);
      assert.equal(csv.statusCode, 200, csv.body);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.match(String(csv.headers['content-disposition']), /^attachment; filename="capacity-activation-log-\d{4}-\d\d-\d\d\.csv"$/);
      const lines = csv.body.split('\r\n');
      assert.equal(lines[0], 'when,who,who_kind,action,complex,serial,system,before,after,codeword_sequence,codeword_kind,codeword_quantity,detail');
      assert.equal(lines.length, 6, 'the header, four entries, and the empty text after the last CRLF');
      assert.match(lines[1]!, new RegExp(`^\\d{4}-[^,]+Z,${admin},user,activate,logc,SN-LOGC,log-a,"\\{""cores"":2\\}","\\{""cores"":3\\}",,,,1 cores activated on log-a by ${admin}$`));

      const nobody = (await mgr.m.userWithRoles([])).headers;
      refused(await call('GET', '/capacity/log', nobody), 403, 'CAP-E0102');
      refused(await call('GET', '/capacity/log/csv', nobody), 403, 'CAP-E0102');
      refused(await mgr.m.app.inject({ method: 'GET', url: '/api/v1/capacity/log/csv' }), 401, 'CAP-E0100');
      refused(await call('GET', '/capacity/log?since=yesterday', mgr.monitor), 400, 'CAP-E0001');
      refused(await call('GET', '/capacity/log?since=2030-01-02T00:00:00Z&until=2030-01-01T00:00:00Z', mgr.monitor), 400, 'CAP-E1040');
      refused(await call('GET', '/capacity/log?limit=0', mgr.monitor), 400, 'CAP-E0001');
      refused(await call('GET', '/capacity/log/csv?complex=nosuch', mgr.monitor), 404, 'CAP-E0002');
    });

    it('does not govern systems in no complex', async () => {
      await connectedSystem(mgr.m, mgr.admin, 'free-a');
      await succeeded(mgr.m, await call('POST', '/wpars', mgr.user, { name: 'free', type: 'system', resources: { cpuLimit: 64 }, system: 'free-a' }));
      refused(await call('POST', '/capacity/systems/free-a/activate', mgr.admin, { cores: 1 }), 409, 'CAP-E0808');
    });
  });
}

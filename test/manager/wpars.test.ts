// WPAR definitions over HTTP: create, create from a template, view, modify, delete. Every
// change is a task answered 202; every refusal comes first and stores nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/manager/db/migrations.js';
import type { TestManager } from '../helpers/manager.js';
import { connectedSystem, count, DB_KINDS, refused, startManager, succeeded, type Headers } from './wpars-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`WPAR definitions (${kind})`, { skip }, () => {
    let m: TestManager;
    let admin: Headers;
    let user: Headers;
    let monitor: Headers;
    before(async () => ({ m, admin, user, monitor } = await startManager(kind)));
    after(async () => { await m?.close(); });

    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Headers, payload?: object) =>
      m.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
    const view = async (ref: string) => (await call('GET', `/wpars/${ref}`, monitor)).json();

    /** Asserts a refusal stored nothing: no WPAR, no task. */
    async function storesNothing(work: () => Promise<void>): Promise<void> {
      const [wpars, tasks] = [await count(m, 'wpars'), await count(m, 'tasks')];
      await work();
      assert.equal(await count(m, 'wpars'), wpars, 'no WPAR stored');
      assert.equal(await count(m, 'tasks'), tasks, 'no task stored');
    }

    it('creates a definition through a task: Undeployed, default group, defaults filled in', async () => {
      const res = await call('POST', '/wpars', user, { name: 'web1', type: 'system', interfaces: [{ address: '10.0.0.11' }] });
      const task = await succeeded(m, res);
      assert.equal(task.kind, 'wpar.create');
      assert.equal(task.target?.name, 'web1');
      const w = await view('web1');
      assert.equal(w.id, task.target?.id);
      assert.equal(w.state, 'Undeployed');
      assert.equal(w.system, null);
      assert.deepEqual(w.group, { id: DEFAULTS.groupId, name: 'default' });
      assert.equal(w.busyTaskId, null);
      assert.equal(w.stateReason, null);
      assert.equal(w.image, 'busybox');
      assert.deepEqual(w.interfaces, [{ address: '10.0.0.11', prefix: 24 }]);
      assert.deepEqual(w.mounts, []);
      assert.equal(w.checkpointable, false);
      assert.deepEqual(await view(w.id), w);
    });

    it('creates an application WPAR in a named group', async () => {
      await call('POST', '/groups', admin, { name: 'batch' });
      await succeeded(m, await call('POST', '/wpars', user, { name: 'job1', type: 'application', command: ['/bin/sleep', '60'], group: 'batch', checkpointable: true }));
      const w = await view('job1');
      assert.equal(w.type, 'application');
      assert.deepEqual(w.command, ['/bin/sleep', '60']);
      assert.equal(w.group.name, 'batch');
    });

    it('refuses bad definitions before any task, storing nothing', async () => {
      await storesNothing(async () => {
        refused(await call('POST', '/wpars', user, { name: '1bad', type: 'system' }), 400, 'CAP-E0001');
        refused(await call('POST', '/wpars', user, { name: 'ok', type: 'container' }), 400, 'CAP-E0001');
        refused(await call('POST', '/wpars', user, { name: 'ok', type: 'system', interfaces: [{ address: '300.0.0.1' }] }), 400, 'CAP-E0001');
        refused(await call('POST', '/wpars', user, { name: 'ok', type: 'system', unknown: true }), 400, 'CAP-E0001');
        refused(await call('POST', '/wpars', user, { name: 'app0', type: 'application' }), 400, 'CAP-E0205');
        refused(await call('POST', '/wpars', user, { name: 'web1', type: 'system' }), 409, 'CAP-E0003');
        refused(await call('POST', '/wpars', user, { name: 'ok', type: 'system', group: 'nope' }), 404, 'CAP-E0002');
        refused(await call('POST', '/wpars', user, { name: 'ok', type: 'system', start: true }), 400, 'CAP-E0207');
        refused(await call('POST', '/wpars', user, { name: 'ok', type: 'system', system: 'nope' }), 404, 'CAP-E0002');
      });
    });

    it('refuses to deploy at creation on a system without a connected agent (CAP-E0302)', async () => {
      await call('POST', '/systems', admin, { name: 'dark', host: 'dark.example.test' });
      await storesNothing(async () => {
        refused(await call('POST', '/wpars', user, { name: 'ok', type: 'system', system: 'dark' }), 409, 'CAP-E0302');
      });
    });

    it('creates and deploys in one task when a system is given', async () => {
      const { driver } = await connectedSystem(m, admin, 'host-1');
      const task = await succeeded(m, await call('POST', '/wpars', user, { name: 'web2', type: 'system', system: 'host-1', start: true }));
      assert.equal(task.kind, 'wpar.deploy');
      const w = await view('web2');
      assert.equal(w.state, 'Active');
      assert.equal(w.system.name, 'host-1');
      assert.deepEqual(driver.calls.map((c) => [c.action, c.wpar, c.opts.start]), [['deploy', 'web2', true]]);
    });

    it('creates from a template: its spec with a new name, new addresses, its group', async () => {
      await succeeded(m, await call('POST', '/wpars', user, {
        name: 'tmpl', type: 'system', hostname: 'tmpl', checkpointable: true, group: 'batch',
        interfaces: [{ address: '10.0.1.1', prefix: 16 }], resources: { cpuShares: 512, memoryLimitMiB: 256 },
      }));
      const task = await succeeded(m, await call('POST', '/wpars/tmpl/clone', user, { name: 'copy1', addresses: ['10.0.1.2'] }));
      assert.equal(task.kind, 'wpar.create');
      const [t, c] = [await view('tmpl'), await view('copy1')];
      assert.notEqual(c.id, t.id);
      assert.equal(c.state, 'Undeployed');
      assert.deepEqual(c.interfaces, [{ address: '10.0.1.2', prefix: 16 }]);
      assert.equal(c.hostname, undefined);
      assert.deepEqual(c.resources, t.resources);
      assert.equal(c.checkpointable, true);
      assert.equal(c.group.name, 'batch');

      await succeeded(m, await call('POST', `/wpars/${t.id}/clone`, user, { name: 'copy2', group: 'default', hostname: 'c2' }));
      const c2 = await view('copy2');
      assert.deepEqual(c2.interfaces, t.interfaces);
      assert.equal(c2.group.name, 'default');
      assert.equal(c2.hostname, 'c2');
    });

    it('refuses a bad template request, storing nothing', async () => {
      await storesNothing(async () => {
        refused(await call('POST', '/wpars/tmpl/clone', user, { name: 'copy3', addresses: ['10.0.1.3', '10.0.1.4'] }), 400, 'CAP-E0001');
        refused(await call('POST', '/wpars/tmpl/clone', user, { name: 'copy1' }), 409, 'CAP-E0003');
        refused(await call('POST', '/wpars/nope/clone', user, { name: 'copy3' }), 404, 'CAP-E0002');
        refused(await call('POST', '/wpars/tmpl/clone', user, { name: 'copy3', group: 'nope' }), 404, 'CAP-E0002');
      });
    });

    it('modifies any property of an Undeployed WPAR, null clearing an optional one', async () => {
      const task = await succeeded(m, await call('PATCH', '/wpars/copy2', user, {
        name: 'copy2b', hostname: null, type: 'application', command: ['/bin/true'], image: 'debian', group: 'batch',
      }));
      assert.equal(task.kind, 'wpar.modify');
      refused(await call('GET', '/wpars/copy2', monitor), 404, 'CAP-E0002');
      const w = await view('copy2b');
      assert.equal(w.type, 'application');
      assert.equal(w.hostname, undefined);
      assert.equal(w.image, 'debian');
      assert.equal(w.group.name, 'batch');
      assert.deepEqual(w.interfaces, (await view('tmpl')).interfaces, 'what is not named stays');
      assert.equal(w.busyTaskId, null);
    });

    it('refuses a bad modification, changing nothing', async () => {
      const before = await view('copy2b');
      await storesNothing(async () => {
        refused(await call('PATCH', '/wpars/copy2b', user, { name: 'web1' }), 409, 'CAP-E0003');
        refused(await call('PATCH', '/wpars/copy2b', user, { command: null }), 400, 'CAP-E0205');
        refused(await call('PATCH', '/wpars/copy2b', user, { image: null }), 400, 'CAP-E0001');
        refused(await call('PATCH', '/wpars/copy2b', user, { group: 'nope' }), 404, 'CAP-E0002');
        refused(await call('PATCH', '/wpars/copy2b', user, {}), 400, 'CAP-E0001');
        refused(await call('PATCH', '/wpars/copy2b', user, { resources: { cpuShares: 1 } }), 400, 'CAP-E0001');
        refused(await call('PATCH', '/wpars/nope', user, { image: 'x' }), 404, 'CAP-E0002');
      });
      assert.deepEqual(await view('copy2b'), before);
    });

    it('deletes a definition, and removing an Undeployed WPAR deletes it too (the seed)', async () => {
      const del = await succeeded(m, await call('DELETE', '/wpars/copy2b', user));
      assert.equal(del.kind, 'wpar.delete');
      refused(await call('GET', '/wpars/copy2b', monitor), 404, 'CAP-E0002');
      // Its options all have defaults: no body needed.
      const rm = await succeeded(m, await call('POST', '/wpars/copy1/actions/remove', user));
      assert.equal(rm.kind, 'wpar.delete');
      refused(await call('GET', '/wpars/copy1', monitor), 404, 'CAP-E0002');
    });

    it('lets WPARUser manage WPARs and WPARMonitor only look', async () => {
      await storesNothing(async () => {
        refused(await call('POST', '/wpars', monitor, { name: 'm1', type: 'system' }), 403, 'CAP-E0102');
        refused(await call('PATCH', '/wpars/web1', monitor, { image: 'x' }), 403, 'CAP-E0102');
        refused(await call('DELETE', '/wpars/web1', monitor), 403, 'CAP-E0102');
        refused(await call('POST', '/wpars/web1/clone', monitor, { name: 'm2' }), 403, 'CAP-E0102');
        refused(await call('POST', '/wpars/web1/actions/deploy', monitor, { system: 'host-1' }), 403, 'CAP-E0102');
        refused(await call('POST', '/wpars/web2/actions/stop', monitor), 403, 'CAP-E0102');
      });
      assert.equal((await call('GET', '/wpars', monitor)).statusCode, 200);
    });

    it('describes every WPAR route in the OpenAPI document', async () => {
      const doc = (await m.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
      const paths = Object.keys(doc.paths);
      for (const p of ['/api/v1/wpars', '/api/v1/wpars/{id}', '/api/v1/wpars/{id}/clone', '/api/v1/wpars/{id}/actions/deploy', '/api/v1/wpars/{id}/actions/endProcesses', '/api/v1/systems/{id}', '/api/v1/domains', '/api/v1/groups/{id}']) {
        assert.ok(paths.includes(p), p);
      }
      assert.ok(doc.paths['/api/v1/wpars'].post.summary);
      assert.ok(doc.paths['/api/v1/wpars'].post.responses['202']);
    });
  });
}

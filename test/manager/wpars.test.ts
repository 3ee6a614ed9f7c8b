// WPAR definitions over HTTP: create, create from a template, view, modify, delete. Every
// change is a task answered 202; every refusal comes first and stores nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/manager/db/migrations.js';
import { connectedSystem, DB_KINDS, refused, managerPerSuite, succeeded, storesNothing as storesNothingIn } from './wpars-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`WPAR definitions (${kind})`, { skip }, () => {
    const mgr = managerPerSuite(kind);
    const { call } = mgr;
    const view = async (ref: string) => (await call('GET', `/wpars/${ref}`, mgr.monitor)).json();

    const storesNothing = (work: () => Promise<void>): Promise<void> => storesNothingIn(mgr.m, work);

    it('creates a definition through a task: Undeployed, default group, defaults filled in', async () => {
      const res = await call('POST', '/wpars', mgr.user, { name: 'web1', type: 'system', interfaces: [{ address: '10.0.0.11' }] });
      const task = await succeeded(mgr.m, res);
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
      await call('POST', '/groups', mgr.admin, { name: 'batch' });
      await succeeded(mgr.m, await call('POST', '/wpars', mgr.user, { name: 'job1', type: 'application', command: ['/bin/sleep', '60'], group: 'batch', checkpointable: true, interfaces: [{ address: '10.0.0.21' }] }));
      const w = await view('job1');
      assert.equal(w.type, 'application');
      assert.deepEqual(w.command, ['/bin/sleep', '60']);
      assert.equal(w.group.name, 'batch');
    });

    it('refuses bad definitions before any task, storing nothing', async () => {
      await storesNothing(async () => {
        refused(await call('POST', '/wpars', mgr.user, { name: '1bad', type: 'system' }), 400, 'CAP-E0001');
        refused(await call('POST', '/wpars', mgr.user, { name: 'ok', type: 'container' }), 400, 'CAP-E0001');
        refused(await call('POST', '/wpars', mgr.user, { name: 'ok', type: 'system', interfaces: [{ address: '300.0.0.1' }] }), 400, 'CAP-E0001');
        refused(await call('POST', '/wpars', mgr.user, { name: 'ok', type: 'system', unknown: true }), 400, 'CAP-E0001');
        refused(await call('POST', '/wpars', mgr.user, { name: 'app0', type: 'application' }), 400, 'CAP-E0205');
        refused(await call('POST', '/wpars', mgr.user, { name: 'web1', type: 'system' }), 409, 'CAP-E0003');
        refused(await call('POST', '/wpars', mgr.user, { name: 'ok', type: 'system', group: 'nope' }), 404, 'CAP-E0002');
        refused(await call('POST', '/wpars', mgr.user, { name: 'ok', type: 'system', start: true }), 400, 'CAP-E0207');
        refused(await call('POST', '/wpars', mgr.user, { name: 'ok', type: 'system', system: 'nope' }), 404, 'CAP-E0002');
      });
    });

    it('refuses to deploy at creation on a system without a connected agent (CAP-E0302)', async () => {
      await call('POST', '/systems', mgr.admin, { name: 'dark', host: 'dark.example.test' });
      await storesNothing(async () => {
        refused(await call('POST', '/wpars', mgr.user, { name: 'ok', type: 'system', system: 'dark' }), 409, 'CAP-E0302');
      });
    });

    it('creates and deploys in one task when a system is given', async () => {
      const { driver } = await connectedSystem(mgr.m, mgr.admin, 'host-1');
      const task = await succeeded(mgr.m, await call('POST', '/wpars', mgr.user, { name: 'web2', type: 'system', system: 'host-1', start: true }));
      assert.equal(task.kind, 'wpar.deploy');
      const w = await view('web2');
      assert.equal(w.state, 'Active');
      assert.equal(w.system.name, 'host-1');
      assert.deepEqual(driver.calls.map((c) => [c.action, c.wpar, c.opts.start]), [['deploy', 'web2', true]]);
    });

    it('creates from a template: its spec with a new name, new addresses, its group', async () => {
      await succeeded(mgr.m, await call('POST', '/wpars', mgr.user, {
        name: 'tmpl', type: 'system', hostname: 'tmpl', checkpointable: true, group: 'batch',
        interfaces: [{ address: '10.0.1.1', prefix: 16 }], resources: { cpuShares: 512, memoryLimitMiB: 256 },
      }));
      const task = await succeeded(mgr.m, await call('POST', '/wpars/tmpl/clone', mgr.user, { name: 'copy1', addresses: ['10.0.1.2'] }));
      assert.equal(task.kind, 'wpar.create');
      const [t, c] = [await view('tmpl'), await view('copy1')];
      assert.notEqual(c.id, t.id);
      assert.equal(c.state, 'Undeployed');
      assert.deepEqual(c.interfaces, [{ address: '10.0.1.2', prefix: 16 }]);
      assert.equal(c.hostname, undefined);
      assert.deepEqual(c.resources, t.resources);
      assert.equal(c.checkpointable, true);
      assert.equal(c.group.name, 'batch');

      await succeeded(mgr.m, await call('POST', `/wpars/${t.id}/clone`, mgr.user, { name: 'copy2', group: 'default', hostname: 'c2' }));
      const c2 = await view('copy2');
      assert.deepEqual(c2.interfaces, t.interfaces);
      assert.equal(c2.group.name, 'default');
      assert.equal(c2.hostname, 'c2');
    });

    it('refuses a bad template request, storing nothing', async () => {
      await storesNothing(async () => {
        refused(await call('POST', '/wpars/tmpl/clone', mgr.user, { name: 'copy3', addresses: ['10.0.1.3', '10.0.1.4'] }), 400, 'CAP-E0001');
        refused(await call('POST', '/wpars/tmpl/clone', mgr.user, { name: 'copy1' }), 409, 'CAP-E0003');
        refused(await call('POST', '/wpars/nope/clone', mgr.user, { name: 'copy3' }), 404, 'CAP-E0002');
        refused(await call('POST', '/wpars/tmpl/clone', mgr.user, { name: 'copy3', group: 'nope' }), 404, 'CAP-E0002');
      });
    });

    it('modifies any property of an Undeployed WPAR, null clearing an optional one', async () => {
      const task = await succeeded(mgr.m, await call('PATCH', '/wpars/copy2', mgr.user, {
        name: 'copy2b', hostname: null, type: 'application', command: ['/bin/true'], image: 'debian', group: 'batch',
      }));
      assert.equal(task.kind, 'wpar.modify');
      refused(await call('GET', '/wpars/copy2', mgr.monitor), 404, 'CAP-E0002');
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
        refused(await call('PATCH', '/wpars/copy2b', mgr.user, { name: 'web1' }), 409, 'CAP-E0003');
        refused(await call('PATCH', '/wpars/copy2b', mgr.user, { command: null }), 400, 'CAP-E0205');
        refused(await call('PATCH', '/wpars/copy2b', mgr.user, { image: null }), 400, 'CAP-E0001');
        refused(await call('PATCH', '/wpars/copy2b', mgr.user, { group: 'nope' }), 404, 'CAP-E0002');
        refused(await call('PATCH', '/wpars/copy2b', mgr.user, {}), 400, 'CAP-E0001');
        refused(await call('PATCH', '/wpars/copy2b', mgr.user, { resources: { cpuShares: 1 } }), 400, 'CAP-E0001');
        refused(await call('PATCH', '/wpars/nope', mgr.user, { image: 'x' }), 404, 'CAP-E0002');
      });
      assert.deepEqual(await view('copy2b'), before);
    });

    it('deletes a definition, and removing an Undeployed WPAR deletes it too (the seed)', async () => {
      const del = await succeeded(mgr.m, await call('DELETE', '/wpars/copy2b', mgr.user));
      assert.equal(del.kind, 'wpar.delete');
      refused(await call('GET', '/wpars/copy2b', mgr.monitor), 404, 'CAP-E0002');
      // Its options all have defaults: no body needed.
      const rm = await succeeded(mgr.m, await call('POST', '/wpars/copy1/actions/remove', mgr.user));
      assert.equal(rm.kind, 'wpar.delete');
      refused(await call('GET', '/wpars/copy1', mgr.monitor), 404, 'CAP-E0002');
    });

    it('lets WPARUser manage WPARs and WPARMonitor only look', async () => {
      await storesNothing(async () => {
        refused(await call('POST', '/wpars', mgr.monitor, { name: 'm1', type: 'system' }), 403, 'CAP-E0102');
        refused(await call('PATCH', '/wpars/web1', mgr.monitor, { image: 'x' }), 403, 'CAP-E0102');
        refused(await call('DELETE', '/wpars/web1', mgr.monitor), 403, 'CAP-E0102');
        refused(await call('POST', '/wpars/web1/clone', mgr.monitor, { name: 'm2' }), 403, 'CAP-E0102');
        refused(await call('POST', '/wpars/web1/actions/deploy', mgr.monitor, { system: 'host-1' }), 403, 'CAP-E0102');
        refused(await call('POST', '/wpars/web2/actions/stop', mgr.monitor), 403, 'CAP-E0102');
      });
      assert.equal((await call('GET', '/wpars', mgr.monitor)).statusCode, 200);
    });

    it('describes every WPAR route in the OpenAPI document', async () => {
      const doc = (await mgr.m.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
      const paths = Object.keys(doc.paths);
      for (const p of ['/api/v1/wpars', '/api/v1/wpars/{id}', '/api/v1/wpars/{id}/clone', '/api/v1/wpars/{id}/actions/deploy', '/api/v1/wpars/{id}/actions/endProcesses', '/api/v1/systems/{id}', '/api/v1/domains', '/api/v1/groups/{id}']) {
        assert.ok(paths.includes(p), p);
      }
      assert.ok(doc.paths['/api/v1/wpars'].post.summary);
      assert.ok(doc.paths['/api/v1/wpars'].post.responses['202']);
    });
  });
}

// WPAR actions over HTTP through the real task path, with a TEST-ONLY system driver standing
// in for an agent: deploy, start, stop, pause, freeze, resume, end processes, remove, delete,
// modification while deployed, one action at a time, and Broken after a failed operation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestManager } from '../helpers/manager.js';
import { connectedSystem, count, DB_KINDS, finished, refused, startManager, succeeded, type Headers, type TestSystemDriver } from './wpars-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`WPAR actions (${kind})`, { skip }, () => {
    let m: TestManager;
    let admin: Headers;
    let user: Headers;
    let monitor: Headers;
    let driver: TestSystemDriver;
    before(async () => {
      ({ m, admin, user, monitor } = await startManager(kind));
      ({ driver } = await connectedSystem(m, admin, 'host-1'));
      // Known to the manager, but no agent connected.
      await m.app.inject({ method: 'POST', url: '/api/v1/systems', headers: admin, payload: { name: 'dark', host: 'dark.example.test' } });
    });
    after(async () => { await m?.close(); });

    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Headers, payload?: object) =>
      m.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
    const act = (ref: string, action: string, payload?: object) => call('POST', `/wpars/${ref}/actions/${action}`, user, payload);
    const view = async (ref: string) => (await call('GET', `/wpars/${ref}`, monitor)).json();
    const define = async (name: string, body: object = {}) =>
      succeeded(m, await call('POST', '/wpars', user, { name, type: 'system', ...body }));

    /** Asserts a refusal changed nothing: same WPAR, no task, no driver call. */
    async function changesNothing(ref: string, work: () => Promise<void>): Promise<void> {
      const [before, tasks, calls] = [await view(ref), await count(m, 'tasks'), driver.calls.length];
      await work();
      assert.deepEqual(await view(ref), before, 'the WPAR is unchanged');
      assert.equal(await count(m, 'tasks'), tasks, 'no task stored');
      assert.equal(driver.calls.length, calls, 'the system was not asked');
    }

    it('deploys a system WPAR without starting it (Defined), then starts it', async () => {
      await define('sys1');
      const dep = await succeeded(m, await act('sys1', 'deploy', { system: 'host-1' }));
      assert.equal(dep.kind, 'wpar.deploy');
      let w = await view('sys1');
      assert.equal(w.state, 'Defined');
      assert.equal(w.system.name, 'host-1');
      assert.equal(w.busyTaskId, null);
      assert.deepEqual(driver.calls.at(-1), { system: 'host-1', action: 'deploy', wpar: 'sys1', opts: { start: false, preserveFileSystems: undefined, changed: undefined } });

      const start = await succeeded(m, await act(w.id, 'start'));
      assert.equal(start.kind, 'wpar.start');
      w = await view('sys1');
      assert.equal(w.state, 'Active');
      assert.ok(start.operations.some((o) => /start on host-1/.test(o.name)), 'the system\'s work is an operation of the task');
    });

    it('refuses deploy without a system (CAP-E0207), to an unknown one, or to one not online (CAP-E0302)', async () => {
      await define('sys2');
      await changesNothing('sys2', async () => {
        refused(await act('sys2', 'deploy', {}), 400, 'CAP-E0207');
        refused(await act('sys2', 'deploy'), 400, 'CAP-E0207');
        refused(await act('sys2', 'deploy', { system: 'nope' }), 404, 'CAP-E0002');
        refused(await act('sys2', 'deploy', { system: 'dark' }), 409, 'CAP-E0302');
      });
    });

    it('refuses actions the state, the type or checkpointing do not allow, changing nothing', async () => {
      await changesNothing('sys1', async () => {
        refused(await act('sys1', 'deploy', { system: 'host-1' }), 409, 'CAP-E0200');
        refused(await act('sys1', 'start'), 409, 'CAP-E0200');
        refused(await act('sys1', 'resume'), 409, 'CAP-E0200');
        refused(await act('sys1', 'endProcesses'), 409, 'CAP-E0200');
        refused(await act('sys1', 'pause'), 409, 'CAP-E0202');
        refused(await act('sys1', 'freeze'), 409, 'CAP-E0202');
      });
      await changesNothing('sys2', async () => {
        refused(await act('sys2', 'stop'), 409, 'CAP-E0200');
        refused(await act('sys2', 'start'), 409, 'CAP-E0200');
      });
      refused(await act('nope', 'start'), 404, 'CAP-E0002');
      refused(await call('POST', '/wpars/sys1/actions/checkpoint', user), 404, 'CAP-E0006');
    });

    it('stops a system WPAR to Defined and removes it from its system (Undeployed, definition kept)', async () => {
      await succeeded(m, await act('sys1', 'stop'));
      assert.equal((await view('sys1')).state, 'Defined');
      const rm = await succeeded(m, await act('sys1', 'remove', { preserveFileSystems: true }));
      assert.equal(rm.kind, 'wpar.remove');
      const w = await view('sys1');
      assert.equal(w.state, 'Undeployed');
      assert.equal(w.system, null);
      assert.deepEqual(driver.calls.at(-1)?.opts, { start: undefined, preserveFileSystems: true, changed: undefined });
    });

    it('runs an application WPAR: deploy starts it, stop takes it off the system', async () => {
      await succeeded(m, await call('POST', '/wpars', user, { name: 'app1', type: 'application', command: ['/bin/sleep', '100'], interfaces: [{ address: '10.0.0.31' }] }));
      refused(await act('app1', 'start'), 409, 'CAP-E0203');
      await succeeded(m, await act('app1', 'deploy', { system: 'host-1' }));
      assert.equal((await view('app1')).state, 'Active');
      await changesNothing('app1', async () => {
        refused(await act('app1', 'start'), 409, 'CAP-E0203');
        refused(await act('app1', 'remove', { preserveFileSystems: true }), 400, 'CAP-E0001');
      });
      await succeeded(m, await act('app1', 'stop'));
      const w = await view('app1');
      assert.equal(w.state, 'Undeployed');
      assert.equal(w.system, null);
    });

    it('pauses, freezes, resumes and ends the processes of a checkpointable WPAR', async () => {
      await define('ck1', { checkpointable: true });
      await succeeded(m, await act('ck1', 'deploy', { system: 'host-1', start: true }));
      assert.equal((await view('ck1')).state, 'Active');
      await succeeded(m, await act('ck1', 'freeze'));
      assert.equal((await view('ck1')).state, 'Frozen');
      await succeeded(m, await act('ck1', 'pause'));
      assert.equal((await view('ck1')).state, 'Paused');
      await changesNothing('ck1', async () => {
        // The seed: a Paused WPAR cannot be stopped the usual way, nor removed.
        refused(await act('ck1', 'stop'), 409, 'CAP-E0200');
        refused(await act('ck1', 'remove', {}), 409, 'CAP-E0200');
        refused(await act('ck1', 'freeze'), 409, 'CAP-E0200');
        refused(await call('DELETE', '/wpars/ck1', user), 409, 'CAP-E0200');
      });
      await succeeded(m, await act('ck1', 'resume'));
      assert.equal((await view('ck1')).state, 'Active');
      await succeeded(m, await act('ck1', 'pause'));
      await succeeded(m, await act('ck1', 'endProcesses'));
      assert.equal((await view('ck1')).state, 'Defined');
    });

    it('acts on one WPAR one action at a time: Transitional and busy while a task runs (CAP-E0204)', async () => {
      const hold = driver.holdNext();
      const res = await act('ck1', 'start');
      assert.equal(res.statusCode, 202);
      const taskId = res.json().id as string;
      await hold.started;
      const w = await view('ck1');
      assert.equal(w.state, 'Transitional');
      assert.equal(w.busyTaskId, taskId);
      const [tasks, calls] = [await count(m, 'tasks'), driver.calls.length];
      refused(await act('ck1', 'stop'), 409, 'CAP-E0200');
      refused(await call('PATCH', '/wpars/ck1', user, { group: 'default' }), 409, 'CAP-E0200');
      assert.equal(await count(m, 'tasks'), tasks);
      assert.equal(driver.calls.length, calls);
      hold.release();
      const done = await m.services.tasks.wait(taskId, 10_000);
      assert.equal(done.status, 'succeeded');
      const after = await view('ck1');
      assert.equal(after.state, 'Active');
      assert.equal(after.busyTaskId, null);
    });

    it('lets only one of two simultaneous actions on a WPAR through', async () => {
      await define('busy1');
      await succeeded(m, await act('busy1', 'deploy', { system: 'host-1' }));
      const hold = driver.holdNext();
      const results = await Promise.all([act('busy1', 'start'), act('busy1', 'start')]);
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [202, 409]);
      const loser = results.find((r) => r.statusCode === 409)!.json();
      assert.ok(['CAP-E0204', 'CAP-E0200'].includes(loser.code), loser.code);
      await hold.started;
      hold.release();
      await succeeded(m, results.find((r) => r.statusCode === 202)!);
      await succeeded(m, await act('busy1', 'stop'));
    });

    it('refuses any action while another task holds the WPAR (CAP-E0204), and frees it when that task ends', async () => {
      // As a multi-step task (a relocation) holds a WPAR across states: here a task held in
      // the driver on another WPAR stands for it.
      await define('other1');
      const hold = driver.holdNext();
      const holding = await act('other1', 'deploy', { system: 'host-1' });
      await hold.started;
      const holder = holding.json().id as string;
      const w = await view('busy1');
      await m.services.db.updateTable('wpars').set({ busy_task_id: holder }).where('id', '=', w.id).execute();
      await changesNothing('busy1', async () => {
        refused(await act('busy1', 'start'), 409, 'CAP-E0204');
        refused(await act('busy1', 'remove', {}), 409, 'CAP-E0204');
        refused(await call('PATCH', '/wpars/busy1', user, { group: 'default', resources: { cpuShares: 50 } }), 409, 'CAP-E0204');
        refused(await call('DELETE', '/wpars/busy1', user), 409, 'CAP-E0204');
      });
      assert.equal((await view('busy1')).busyTaskId, holder);
      hold.release();
      await succeeded(m, holding);
      // Its holder has ended: the WPAR is free again (a crash cannot leave it busy for ever).
      await succeeded(m, await act('busy1', 'start'));
      assert.equal((await view('busy1')).busyTaskId, null);
      await succeeded(m, await act('busy1', 'stop'));
    });

    it('frees a WPAR whose claim a dead request left behind', async () => {
      const w = await view('busy1');
      await m.services.db.updateTable('wpars').set({ busy_task_id: `claim:${Date.now() - 120_000}:${randomUUID()}` }).where('id', '=', w.id).execute();
      await succeeded(m, await act('busy1', 'start'));
      await m.services.db.updateTable('wpars').set({ busy_task_id: `claim:${Date.now()}:${randomUUID()}` }).where('id', '=', w.id).execute();
      refused(await act('busy1', 'stop'), 409, 'CAP-E0204');
      await m.services.db.updateTable('wpars').set({ busy_task_id: null }).where('id', '=', w.id).execute();
      await succeeded(m, await act('busy1', 'stop'));
    });

    it('leaves a WPAR Broken, with the reason, when the operation fails on the system', async () => {
      driver.failNext = new Error('runc: container init failed');
      const task = await finished(m, await act('busy1', 'start'));
      assert.equal(task.status, 'failed');
      let w = await view('busy1');
      assert.equal(w.state, 'Broken');
      assert.match(w.stateReason, /start failed: .*runc: container init failed/);
      assert.equal(w.busyTaskId, null);
      assert.equal(w.system.name, 'host-1');
      // From Broken the seed allows stop and remove.
      refused(await act('busy1', 'start'), 409, 'CAP-E0200');
      await succeeded(m, await act('busy1', 'stop'));
      w = await view('busy1');
      assert.equal(w.state, 'Defined');
      assert.equal(w.stateReason, null);
    });

    it('leaves a WPAR Broken when the system reports another state than the action should leave', async () => {
      driver.misreportNext = 'Defined';
      const task = await finished(m, await act('busy1', 'start'));
      assert.equal(task.status, 'failed');
      const w = await view('busy1');
      assert.equal(w.state, 'Broken');
      assert.match(w.stateReason, /reports busy1 Defined; start should leave it Active/);
      await succeeded(m, await act('busy1', 'remove', {}));
      assert.equal((await view('busy1')).state, 'Undeployed');
    });

    it('refuses actions on a system whose agent went away (CAP-E0302), changing nothing', async () => {
      const other = await connectedSystem(m, admin, 'host-2');
      await define('away1');
      await succeeded(m, await act('away1', 'deploy', { system: 'host-2', start: true }));
      m.services.inventory.drivers.connect(other.id, other.driver)();
      await changesNothing('away1', async () => {
        refused(await act('away1', 'stop'), 409, 'CAP-E0302');
        refused(await call('DELETE', '/wpars/away1', user), 409, 'CAP-E0302');
        refused(await call('PATCH', '/wpars/away1', user, { resources: { cpuShares: 10 } }), 409, 'CAP-E0302');
      });
      // Moving it to another group is the manager's business alone.
      await succeeded(m, await call('PATCH', '/wpars/away1', user, { group: 'default' }));
    });

    it('modifies a deployed WPAR only as its state allows (CAP-E0201), on its system', async () => {
      await define('mod1', { checkpointable: true, hostname: 'mod1' });
      await succeeded(m, await act('mod1', 'deploy', { system: 'host-1' }));
      await call('POST', '/groups', admin, { name: 'g2' });

      // Defined: the configuration may change; the system applies it.
      const t1 = await succeeded(m, await call('PATCH', '/wpars/mod1', user, { hostname: 'mod1b', resources: { memoryLimitMiB: 128 } }));
      assert.equal(t1.kind, 'wpar.reconfigure');
      assert.deepEqual(driver.calls.at(-1)?.opts.changed, ['hostname', 'resources']);
      let w = await view('mod1');
      assert.equal(w.state, 'Defined');
      assert.equal(w.hostname, 'mod1b');
      assert.deepEqual(w.resources, { memoryLimitMiB: 128 });

      await changesNothing('mod1', async () => {
        refused(await call('PATCH', '/wpars/mod1', user, { image: 'debian' }), 409, 'CAP-E0201');
        refused(await call('PATCH', '/wpars/mod1', user, { name: 'mod1c' }), 409, 'CAP-E0201');
      });

      // Active: only resources (and the group).
      await succeeded(m, await act('mod1', 'start'));
      await changesNothing('mod1', async () => {
        refused(await call('PATCH', '/wpars/mod1', user, { hostname: 'x' }), 409, 'CAP-E0201');
        refused(await call('PATCH', '/wpars/mod1', user, { resources: { cpuShares: 100 }, mounts: [] , interfaces: [{ address: '10.0.0.9' }] }), 409, 'CAP-E0201');
      });
      await succeeded(m, await call('PATCH', '/wpars/mod1', user, { resources: { cpuShares: 100 } }));
      w = await view('mod1');
      assert.equal(w.state, 'Active');
      assert.deepEqual(w.resources, { cpuShares: 100 });

      // A group change alone never reaches the system.
      const calls = driver.calls.length;
      const t2 = await succeeded(m, await call('PATCH', '/wpars/mod1', user, { group: 'g2' }));
      assert.equal(t2.kind, 'wpar.modify');
      assert.equal(driver.calls.length, calls);
      assert.equal((await view('mod1')).group.name, 'g2');

      // Paused: only the group.
      await succeeded(m, await act('mod1', 'pause'));
      await changesNothing('mod1', async () => {
        refused(await call('PATCH', '/wpars/mod1', user, { resources: { cpuShares: 200 } }), 409, 'CAP-E0201');
      });
      await succeeded(m, await call('PATCH', '/wpars/mod1', user, { group: 'default' }));
      assert.equal((await view('mod1')).state, 'Paused');
    });

    it('deletes a deployed WPAR: removed from its system, then its definition', async () => {
      await define('gone1');
      await succeeded(m, await act('gone1', 'deploy', { system: 'host-1', start: true }));
      const task = await succeeded(m, await call('DELETE', '/wpars/gone1', user));
      assert.equal(task.kind, 'wpar.remove');
      assert.equal(driver.calls.at(-1)?.action, 'remove');
      refused(await call('GET', '/wpars/gone1', monitor), 404, 'CAP-E0002');
      assert.equal(driver.states.has('gone1'), false);

      await define('gone2');
      await succeeded(m, await act('gone2', 'deploy', { system: 'host-1' }));
      await succeeded(m, await act('gone2', 'remove', { deleteDefinition: true }));
      refused(await call('GET', '/wpars/gone2', monitor), 404, 'CAP-E0002');
    });

    it('shows what is deployed where', async () => {
      const sys = (await call('GET', '/systems/host-1', monitor)).json();
      const deployed = (await call('GET', '/wpars?system=host-1', monitor)).json();
      assert.equal(sys.wparCount, deployed.total);
      assert.deepEqual(deployed.items.map((w: { name: string }) => w.name).sort(), [...driver.states.keys()].sort());
    });
  });
}

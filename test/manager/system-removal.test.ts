// Removing a managed system with the seed's choice for its WPARs, on SQLite and PostgreSQL:
// preserved (Undeployed definitions, the system gone, its agent revoked) or removed all (a
// task that deletes each through the WPAR delete path, then the system), the refusals, and
// a manager restart in the middle of removing them. The test system driver stands in for
// the agent, as in the other WPAR task tests.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { TaskView } from '../../src/api/tasks.js';
import { createServices } from '../../src/manager/services.js';
import type { TestManager } from '../helpers/manager.js';
import { connectedSystem, count, DB_KINDS, finished, refused, startManager, succeeded, type Headers, type TestSystemDriver } from './wpars-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`removing a managed system with its WPARs (${kind})`, { skip }, () => {
    let m: TestManager;
    let admin: Headers;
    let user: Headers;
    before(async () => ({ m, admin, user } = await startManager(kind)));
    after(async () => { await m?.close(); });

    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Headers, payload?: object) =>
      m.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
    const wpar = (name: string) => m.services.db.selectFrom('wpars').selectAll().where('name', '=', name).executeTakeFirst();
    const certificate = (systemId: string) => m.services.db.selectFrom('agent_certificates').select('state').where('system_id', '=', systemId).executeTakeFirstOrThrow();

    /** A connected system with an agent certificate and WPARs: the first of them Active, the others Defined. */
    async function systemWith(name: string, wpars: string[]): Promise<{ id: string; driver: TestSystemDriver }> {
      const s = await connectedSystem(m, admin, name);
      const t = new Date().toISOString();
      await m.services.db.insertInto('agent_certificates')
        .values({ serial: randomUUID().replace(/-/g, '').toUpperCase(), system_id: s.id, state: 'registered', agent_port: 14444, not_after: new Date(Date.now() + 86_400_000).toISOString(), created_at: t, revoked_at: null })
        .execute();
      for (const [i, w] of wpars.entries()) {
        await succeeded(m, await call('POST', '/wpars', user, { name: w, type: 'system', system: name, start: i === 0, group: 'keepers' }));
      }
      return s;
    }

    before(async () => {
      assert.equal((await call('POST', '/groups', admin, { name: 'keepers' })).statusCode, 201);
    });

    it('refuses a system with WPARs without a choice, naming both (CAP-E0004), and a choice it does not know', async () => {
      await systemWith('rm-none', ['n1']);
      const res = await call('DELETE', '/systems/rm-none', admin);
      refused(res, 409, 'CAP-E0004');
      assert.match(res.json().message, /--preserve-wpars/);
      assert.match(res.json().message, /--remove-wpars/);
      refused(await call('DELETE', '/systems/rm-none?wpars=keep', admin), 400, 'CAP-E0001');
      assert.equal((await call('GET', '/systems/rm-none', admin)).statusCode, 200);
    });

    it('preserves: the WPARs become Undeployed definitions with their spec and group, the system goes, its agent is revoked', async () => {
      const { id, driver } = await systemWith('rm-keep', ['k1', 'k2']);
      const before1 = await wpar('k1');
      const calls = driver.calls.length;
      const res = await call('DELETE', '/systems/rm-keep?wpars=preserve', admin);
      assert.equal(res.statusCode, 204, res.body);
      refused(await call('GET', '/systems/rm-keep', admin), 404, 'CAP-E0002');
      for (const name of ['k1', 'k2']) {
        const w = (await call('GET', `/wpars/${name}`, admin)).json();
        assert.equal(w.state, 'Undeployed');
        assert.equal(w.system, null);
        assert.equal(w.group.name, 'keepers');
        assert.match((await wpar(name))!.state_reason ?? '', /rm-keep was removed/);
      }
      assert.equal((await wpar('k1'))!.spec, before1!.spec, 'the spec is kept as it was');
      assert.equal(driver.calls.length, calls, 'nothing is asked of the host: its copies are left alone');
      assert.equal((await certificate(id)).state, 'revoked');
    });

    it('refuses to preserve while a WPAR on the system has a task running, and while a relocation to it runs (CAP-E1050), changing nothing', async () => {
      const { id, driver } = await systemWith('rm-busy', ['b1', 'b2']);
      const held = driver.holdNext();
      const stop = await call('POST', '/wpars/b1/actions/stop', user);
      assert.equal(stop.statusCode, 202);
      await held.started;
      const res = await call('DELETE', '/systems/rm-busy?wpars=preserve', admin);
      refused(res, 409, 'CAP-E1050');
      assert.match(res.json().message, /b1 \(task /);
      refused(await call('DELETE', '/systems/rm-busy?wpars=remove', admin), 409, 'CAP-E1050');
      held.release();
      await finished(m, stop);

      // A relocation of a WPAR elsewhere onto this system, as the task engine holds it while it runs.
      const taskId = randomUUID();
      const t = new Date().toISOString();
      await m.services.db.insertInto('tasks').values({
        id: taskId, kind: 'wpar.relocate', status: 'running', target_kind: 'wpar', target_id: randomUUID(), target_name: 'elsewhere',
        params: JSON.stringify({ relocationId: randomUUID(), wparId: randomUUID(), name: 'elsewhere', fromId: randomUUID(), toId: id, method: 'stop-and-copy', transport: 'stream' }),
        result: null, error_code: null, error: null, progress: 0, progress_message: null, attempts: 1, created_by: 'test', created_at: t, started_at: t, ended_at: null,
      }).execute();
      try {
        refused(await call('DELETE', '/systems/rm-busy?wpars=preserve', admin), 409, 'CAP-E1050');
      } finally {
        await m.services.db.updateTable('tasks').set({ status: 'failed', ended_at: t }).where('id', '=', taskId).execute();
      }
      assert.equal((await wpar('b2'))!.system_id, id);
      assert.equal((await certificate(id)).state, 'registered');
      assert.equal((await call('DELETE', '/systems/rm-busy?wpars=preserve', admin)).statusCode, 204);
    });

    it('removes them all: each removed from the system and deleted by its own task, then the system, its agent revoked', async () => {
      const { id, driver } = await systemWith('rm-all', ['a1', 'a2']);
      const task = await succeeded(m, await call('DELETE', '/systems/rm-all?wpars=remove', admin));
      assert.equal(task.kind, 'system.remove');
      assert.deepEqual(task.result, { systemId: id, systemName: 'rm-all', removed: ['a1', 'a2'] });
      assert.deepEqual(task.operations.map((o) => o.name), ['remove a1', 'remove a2', 'remove rm-all']);
      assert.deepEqual(driver.calls.filter((c) => c.action === 'remove').map((c) => c.wpar), ['a1', 'a2']);
      assert.equal(await wpar('a1'), undefined);
      assert.equal(await wpar('a2'), undefined);
      refused(await call('GET', '/systems/rm-all', admin), 404, 'CAP-E0002');
      assert.equal((await certificate(id)).state, 'revoked');
      const deletes = await m.services.tasks.list({ kind: 'wpar.remove' });
      assert.ok(deletes.some((t) => t.target?.name === 'a1' && t.createdBy === 'removal of rm-all'), 'each through the WPAR delete task');
    });

    it('refuses to remove them while the system is not online (CAP-E0302), storing no task', async () => {
      const { id, driver } = await systemWith('rm-off', ['o1']);
      // Its agent goes away.
      m.services.inventory.drivers.connect(id, driver)();
      const tasks = await count(m, 'tasks');
      refused(await call('DELETE', '/systems/rm-off?wpars=remove', admin), 409, 'CAP-E0302');
      assert.equal(await count(m, 'tasks'), tasks);
      assert.equal((await wpar('o1'))!.system_id, id);
    });

    it('fails naming the WPAR that could not be removed; what was removed stays removed, the system and the rest stay', async () => {
      const { id, driver } = await systemWith('rm-fail', ['f1', 'f2', 'f3']);
      const perform = driver.perform.bind(driver);
      driver.perform = async (system, action, w, opts) => {
        if (w.name === 'f2' && action === 'remove') throw new Error('the disk is gone');
        return perform(system, action, w, opts);
      };
      const task = await finished(m, await call('DELETE', '/systems/rm-fail?wpars=remove', admin));
      assert.equal(task.status, 'failed');
      assert.equal(task.error?.code, 'CAP-E1051');
      assert.match(task.error?.message ?? '', /f2 on rm-fail: failed: .*the disk is gone/);
      assert.equal(await wpar('f1'), undefined, 'removed before the failure: stays removed');
      assert.equal((await wpar('f2'))!.state, 'Broken');
      assert.equal((await wpar('f3'))!.state, 'Defined', 'not reached: untouched');
      assert.equal((await call('GET', '/systems/rm-fail', admin)).statusCode, 200);
      assert.equal((await certificate(id)).state, 'registered');
    });

    it('after a manager restart in the middle, fails cleanly: the system stays, the WPARs not reached are untouched', async () => {
      const { id, driver } = await systemWith('rm-crash', ['c1', 'c2']);
      // The first manager dies while the system removes c1 (the held call never returns).
      driver.holdNext();
      const res = await call('DELETE', '/systems/rm-crash?wpars=remove', admin);
      assert.equal(res.statusCode, 202, res.body);
      const taskId = (res.json() as TaskView).id;
      while ((await wpar('c1'))!.state !== 'Transitional') await new Promise((r) => setTimeout(r, 5));

      const next = createServices(m.services.config, m.services.dbHandle, pino({ level: 'silent' }));
      await next.tasks.recover();
      const task = await next.tasks.get(taskId);
      assert.equal(task.status, 'failed');
      assert.equal(task.error?.code, 'CAP-E0401');
      assert.equal((await wpar('c1'))!.state, 'Broken', 'the interrupted removal leaves it Broken, as any interrupted action');
      const c2 = (await wpar('c2'))!;
      assert.deepEqual([c2.state, c2.system_id, c2.busy_task_id], ['Defined', id, null]);
      assert.equal((await next.inventory.systems.get(id)).name, 'rm-crash');
      assert.equal((await certificate(id)).state, 'registered');
    });
  });
}

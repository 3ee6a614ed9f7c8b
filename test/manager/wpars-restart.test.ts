// WPAR tasks across a manager restart: a second set of services over the same database
// plays the restarted manager and recovers the tasks the first one left unfinished.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createServices, type Services } from '../../src/manager/services.js';
import type { TestManager } from '../helpers/manager.js';
import { connectedSystem, DB_KINDS, startManager, succeeded, type Headers } from './wpars-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`WPAR tasks after a manager restart (${kind})`, { skip }, () => {
    let m: TestManager;
    let admin: Headers;
    let user: Headers;
    before(async () => ({ m, admin, user } = await startManager(kind)));
    after(async () => { await m?.close(); });

    const restarted = (): Services => createServices(m.services.config, m.services.dbHandle, pino({ level: 'silent' }));
    const row = (name: string) => m.services.db.selectFrom('wpars').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

    it('fails an action that was running on a system and leaves the WPAR Broken, free again', async () => {
      const { driver } = await connectedSystem(m, admin, 'host-r');
      await succeeded(m, await m.app.inject({ method: 'POST', url: '/api/v1/wpars', headers: user, payload: { name: 'r1', type: 'system', system: 'host-r' } }));
      // The first manager dies while the system is starting the WPAR (the held call never returns).
      driver.holdNext();
      const res = await m.app.inject({ method: 'POST', url: '/api/v1/wpars/r1/actions/start', headers: user });
      assert.equal(res.statusCode, 202);
      const taskId = res.json().id as string;
      while ((await row('r1')).state !== 'Transitional') await new Promise((r) => setTimeout(r, 5));

      const next = restarted();
      await next.tasks.recover();
      const task = await next.tasks.get(taskId);
      assert.equal(task.status, 'failed');
      assert.equal(task.error?.code, 'CAP-E0401');
      const w = await row('r1');
      assert.equal(w.state, 'Broken');
      assert.match(w.state_reason ?? '', /^start failed: /);
      assert.equal(w.busy_task_id, null);
    });

    it('runs a definition task again, idempotently', async () => {
      // The first manager stored the task and had already written the definition when it died.
      const wparId = randomUUID();
      const spec = { name: 'r2', type: 'system', image: 'busybox', interfaces: [], mounts: [], resources: {}, checkpointable: false };
      const taskId = randomUUID();
      const t = new Date().toISOString();
      await m.services.db.insertInto('tasks').values({
        id: taskId, kind: 'wpar.create', status: 'running', target_kind: 'wpar', target_id: wparId, target_name: 'r2',
        params: JSON.stringify({ wparId, spec, groupId: (await m.services.db.selectFrom('wpar_groups').select('id').executeTakeFirstOrThrow()).id }),
        result: null, error_code: null, error: null, progress: 0, progress_message: null, attempts: 1, created_by: 'test', created_at: t, started_at: t, ended_at: null,
      }).execute();
      const next = restarted();
      await next.tasks.recover();
      assert.equal((await next.tasks.wait(taskId, 10_000)).status, 'succeeded');
      const w = await row('r2');
      assert.equal(w.id, wparId);
      assert.equal(w.state, 'Undeployed');
      // Again: the definition is there already, and stays one.
      await m.services.db.updateTable('tasks').set({ status: 'running', ended_at: null }).where('id', '=', taskId).execute();
      const again = restarted();
      await again.tasks.recover();
      assert.equal((await again.tasks.wait(taskId, 10_000)).status, 'succeeded');
      assert.equal((await m.services.db.selectFrom('wpars').select('id').where('name', '=', 'r2').execute()).length, 1);
    });
  });
}

// The tasks that change WPARs. Every change is a task: definitions (create, modify, delete)
// run in the manager and finish at once; actions on a system go through its driver, leave
// the WPAR Transitional while they run and Broken when they fail, as the seed's Broken
// means a failed administrative operation. Checks happen before a task is submitted
// (wpars.ts); a task holds the WPAR's busy claim until it ends and releases it.
import type { Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import { DEFINITION_TASK, SYSTEM_ACTION_TASK, type SystemActionParams } from '../../api/task-kinds.js';
import type { WparState } from '../../api/wpar-states.js';
import type { Database } from '../db/schema.js';
import type { TaskContext, TaskEngine } from '../tasks/engine.js';
import type { DriverRegistry } from './driver.js';
import type { WparStore } from './wpar-store.js';

export function registerWparTasks(tasks: TaskEngine, db: Kysely<Database>, store: WparStore, drivers: DriverRegistry): void {
  // Definitions: idempotent, so a task interrupted by a manager restart simply runs again.
  tasks.register({
    kind: DEFINITION_TASK.create,
    onRestart: 'resume',
    async run(ctx) {
      await ctx.operation('define', async (op) => {
        await store.define(ctx.params, null);
        op.log(`defined ${ctx.params.spec.name}`);
      });
      return { wparId: ctx.params.wparId };
    },
  });

  tasks.register({
    kind: DEFINITION_TASK.modify,
    onRestart: 'resume',
    async run(ctx) {
      const p = ctx.params;
      await ctx.operation('modify definition', async (op) => {
        await store.redefine(p);
        op.log(`modified ${p.spec.name}`);
      });
      return { wparId: p.wparId };
    },
    onFailed: (info) => store.release(info.params.wparId, info.taskId),
  });

  tasks.register({
    kind: DEFINITION_TASK.delete,
    onRestart: 'resume',
    async run(ctx) {
      await ctx.operation('delete definition', async (op) => {
        await store.deleteDefinition(ctx.params.wparId);
        op.log('deleted');
      });
      return { wparId: ctx.params.wparId };
    },
    onFailed: (info) => store.release(info.params.wparId, info.taskId),
  });

  // Actions on a system: after a manager restart only the agent's reconcile can tell what
  // the system did, so an interrupted one fails (and leaves the WPAR Broken).
  for (const kind of Object.values(SYSTEM_ACTION_TASK)) {
    tasks.register({
      kind,
      onRestart: 'fail',
      run: (ctx) => runOnSystem(db, store, drivers, ctx),
      onFailed: (info) => store.failAction(info.params.wparId, info.taskId, `${info.params.action} failed: ${info.error.message}`),
    });
  }
}

async function runOnSystem(db: Kysely<Database>, store: WparStore, drivers: DriverRegistry, ctx: TaskContext<SystemActionParams>): Promise<{ wparId: string; state: WparState | 'deleted' }> {
  const p = ctx.params;
  const system = await db.selectFrom('systems').select(['id', 'name', 'host']).where('id', '=', p.systemId).executeTakeFirst();
  if (!system) throw new CapstanError('CAP-E0002', `managed system ${p.systemId}`);
  // Checked again here: the system may have gone away since the request was accepted.
  const driver = drivers.get(system.id);
  if (!driver) throw new CapstanError('CAP-E0302', system.name);
  // Held by this task from the start: nobody may act on it before it is deployed.
  if (p.define) await store.define(p.define, ctx.taskId);
  const spec = p.spec ?? await store.spec(p.wparId);

  await store.beginAction(p.wparId, system.id);
  const result = await ctx.operation(`${p.action} on ${system.name}`, async (op) => {
    const r = await driver.perform(system, p.action, { id: p.wparId, name: spec.name, spec }, {
      start: p.start,
      preserveFileSystems: p.preserveFileSystems,
      changed: p.changed,
      signal: ctx.signal,
      log: (line) => op.log(line),
    });
    for (const line of r.output) op.log(line);
    return r;
  });
  const redefine = p.spec && p.groupId ? { spec: p.spec, groupId: p.groupId } : undefined;
  const state = await store.completeAction({ ...p, spec, redefine }, result.state, system.name);
  return { wparId: p.wparId, state };
}

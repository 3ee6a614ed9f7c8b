// The tasks that change WPARs. Every change is a task: definitions (create, modify, delete)
// run in the manager and finish at once; actions on a system go through its driver, leave
// the WPAR Transitional while they run and Broken when they fail, as the seed's Broken
// means a failed administrative operation. Checks happen before a task is submitted
// (wpars.ts); a task holds the WPAR's busy claim until it ends and releases it.
import type { Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import { stateAfter, type WparState } from '../../api/wpar-states.js';
import type { WparSpec } from '../../api/wpar.js';
import type { Database } from '../db/schema.js';
import type { TaskContext, TaskEngine } from '../tasks/engine.js';
import type { DriverRegistry, SystemAction } from './driver.js';

export interface DefinitionParams {
  wparId: string;
  spec: WparSpec;
  groupId: string;
}

export interface SystemActionParams {
  wparId: string;
  systemId: string;
  action: SystemAction;
  /** The state before the action (modify leaves it unchanged). */
  fromState: WparState;
  /** deploy of a WPAR created by the same request: its definition. */
  define?: DefinitionParams;
  /** modify: the new definition. */
  spec?: WparSpec;
  groupId?: string;
  changed?: string[];
  start?: boolean;
  preserveFileSystems?: boolean;
  deleteDefinition?: boolean;
}

export const DEFINITION_TASK = { create: 'wpar.create', modify: 'wpar.modify', delete: 'wpar.delete' } as const;

export const SYSTEM_TASK: Record<SystemAction, string> = {
  deploy: 'wpar.deploy',
  start: 'wpar.start',
  stop: 'wpar.stop',
  pause: 'wpar.pause',
  freeze: 'wpar.freeze',
  resume: 'wpar.resume',
  endProcesses: 'wpar.endProcesses',
  remove: 'wpar.remove',
  // Changing a deployed WPAR's properties on its system (the seed's chwpar through the agent).
  modify: 'wpar.reconfigure',
};

export function registerWparTasks(tasks: TaskEngine, db: Kysely<Database>, drivers: DriverRegistry): void {
  // Definitions: idempotent, so a task interrupted by a manager restart simply runs again.
  tasks.register<DefinitionParams>({
    kind: DEFINITION_TASK.create,
    onRestart: 'resume',
    async run(ctx) {
      await ctx.operation('define', async (op) => {
        await insertDefinition(db, ctx.params, null);
        op.log(`defined ${ctx.params.spec.name}`);
      });
      return { wparId: ctx.params.wparId };
    },
  });

  tasks.register<DefinitionParams>({
    kind: DEFINITION_TASK.modify,
    onRestart: 'resume',
    async run(ctx) {
      const p = ctx.params;
      await ctx.operation('modify definition', async (op) => {
        await db.updateTable('wpars')
          .set({ ...definitionColumns(p), busy_task_id: null, updated_at: now() })
          .where('id', '=', p.wparId)
          .execute();
        op.log(`modified ${p.spec.name}`);
      });
      return { wparId: p.wparId };
    },
    onFailed: (info) => release(db, info.params.wparId, info.taskId),
  });

  tasks.register<{ wparId: string }>({
    kind: DEFINITION_TASK.delete,
    onRestart: 'resume',
    async run(ctx) {
      await ctx.operation('delete definition', async (op) => {
        await db.deleteFrom('wpars').where('id', '=', ctx.params.wparId).execute();
        op.log('deleted');
      });
      return { wparId: ctx.params.wparId };
    },
    onFailed: (info) => release(db, info.params.wparId, info.taskId),
  });

  // Actions on a system: after a manager restart only the agent's reconcile can tell what
  // the system did, so an interrupted one fails (and leaves the WPAR Broken).
  for (const kind of Object.values(SYSTEM_TASK)) {
    tasks.register<SystemActionParams>({
      kind,
      onRestart: 'fail',
      run: (ctx) => runOnSystem(db, drivers, ctx),
      onFailed: async (info) => {
        // Transitional means the system was asked: its WPAR is in an unknown, unusable state.
        await db.updateTable('wpars')
          .set({ state: 'Broken', state_reason: `${info.params.action} failed: ${info.error.message}`, updated_at: now() })
          .where('id', '=', info.params.wparId)
          .where('state', '=', 'Transitional')
          .execute();
        await release(db, info.params.wparId, info.taskId);
      },
    });
  }
}

async function runOnSystem(db: Kysely<Database>, drivers: DriverRegistry, ctx: TaskContext<SystemActionParams>): Promise<{ wparId: string; state: WparState | 'deleted' }> {
  const p = ctx.params;
  const system = await db.selectFrom('systems').select(['id', 'name', 'host']).where('id', '=', p.systemId).executeTakeFirst();
  if (!system) throw new CapstanError('CAP-E0002', `managed system ${p.systemId}`);
  // Checked again here: the system may have gone away since the request was accepted.
  const driver = drivers.get(system.id);
  if (!driver) throw new CapstanError('CAP-E0302', system.name);
  // Held by this task from the start: nobody may act on it before it is deployed.
  if (p.define) await insertDefinition(db, p.define, ctx.taskId);
  const row = await db.selectFrom('wpars').select(['name', 'spec']).where('id', '=', p.wparId).executeTakeFirstOrThrow();
  const spec = p.spec ?? (JSON.parse(row.spec) as WparSpec);
  const expected = p.action === 'modify' ? p.fromState : stateAfter(p.action, spec, { start: p.start });

  await db.updateTable('wpars')
    .set({ state: 'Transitional', state_reason: null, system_id: system.id, updated_at: now() })
    .where('id', '=', p.wparId)
    .execute();
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
  if (result.state !== expected) {
    throw new Error(`${system.name} reports ${spec.name} ${result.state}; ${p.action} should leave it ${expected}`);
  }

  if (p.deleteDefinition) {
    await db.deleteFrom('wpars').where('id', '=', p.wparId).execute();
    return { wparId: p.wparId, state: 'deleted' };
  }
  await db.updateTable('wpars')
    .set({
      ...(p.spec && p.groupId ? definitionColumns({ wparId: p.wparId, spec: p.spec, groupId: p.groupId }) : {}),
      state: expected,
      state_reason: null,
      system_id: expected === 'Undeployed' ? null : system.id,
      busy_task_id: null,
      updated_at: now(),
    })
    .where('id', '=', p.wparId)
    .execute();
  return { wparId: p.wparId, state: expected };
}

/** Creates the definition unless this task already did (it may run again after a restart). */
async function insertDefinition(db: Kysely<Database>, p: DefinitionParams, holder: string | null): Promise<void> {
  const exists = await db.selectFrom('wpars').select('id').where('id', '=', p.wparId).executeTakeFirst();
  if (exists) return;
  const t = now();
  await db.insertInto('wpars')
    .values({ id: p.wparId, ...definitionColumns(p), state: 'Undeployed', state_reason: null, exit_status: null, system_id: null, busy_task_id: holder, created_at: t, updated_at: t })
    .execute();
}

function definitionColumns(p: DefinitionParams) {
  return { name: p.spec.name, type: p.spec.type, spec: JSON.stringify(p.spec), group_id: p.groupId };
}

/**
 * Releases a failed task's claim, and only its own: once the task has ended, another request
 * may already hold the WPAR. (A claim named after the task only later holds nothing either:
 * see holderIsLive.)
 */
async function release(db: Kysely<Database>, wparId: string, taskId: string): Promise<void> {
  await db.updateTable('wpars').set({ busy_task_id: null }).where('id', '=', wparId).where('busy_task_id', '=', taskId).execute();
}

function now(): string {
  return new Date().toISOString();
}

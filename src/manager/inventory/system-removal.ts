// Removing a managed system, with the seed's choice for the WPARs on it: preserve them (they
// stay as definitions, Undeployed, and their copies on the host are left alone, unmanaged)
// or remove them all (each removed from the system and deleted by the WPAR delete task, then
// the system). Either way the system's agent is revoked as it goes (SystemService's hook).
// Both refuse while anything acts on the system or its WPARs.
import type { Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import type { SystemWparChoice } from '../../api/systems.js';
import { RELOCATE_TASK, SYSTEM_REMOVE_TASK, type RelocationParams, type SystemParams } from '../../api/task-kinds.js';
import type { TaskStatus, TaskView } from '../../api/tasks.js';
import type { Database, WparRow } from '../db/schema.js';
import type { TaskContext, TaskEngine } from '../tasks/engine.js';
import type { DriverRegistry } from './driver.js';
import type { SystemService } from './systems.js';
import type { WparStore } from './wpar-store.js';
import { holderIsLive } from './wpar-rules.js';
import type { WparService } from './wpars.js';

export interface SystemRemovalResult {
  systemId: string;
  systemName: string;
  /** The WPARs removed from the system and deleted, in order. */
  removed: string[];
}

export class SystemRemoval {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly systems: SystemService,
    private readonly wpars: WparService,
    private readonly store: WparStore,
    private readonly tasks: TaskEngine,
    private readonly drivers: DriverRegistry,
  ) {
    // Each WPAR's delete task acts on the system; after a manager restart only the agent can
    // tell what the interrupted one did (it fails, its WPAR Broken), so the removal fails too
    // and leaves the WPARs it had not reached as they are, and the system in place.
    tasks.register({ kind: SYSTEM_REMOVE_TASK, onRestart: 'fail', run: (ctx) => this.run(ctx) });
  }

  /**
   * Removes the system. Without a choice it is refused (CAP-E0004) while WPARs are on it;
   * `preserve` is done at once; `remove` answers the task that removes them, then it (none
   * when the system holds no WPAR: it is removed at once).
   */
  async remove(ref: string, choice: SystemWparChoice | undefined, by: string): Promise<TaskView | undefined> {
    const system = await this.systems.named.require(ref);
    if (choice === 'preserve') {
      await this.systems.remove(system.id, async (trx, id) => {
        const rows = await this.onSystem(trx, id);
        await assertQuiet(trx, system, rows);
        await this.store.preserveOffSystem(trx, rows, `preserved when its system ${system.name} was removed`);
      });
      return undefined;
    }
    const rows = await this.onSystem(this.db, system.id);
    if (choice === undefined || rows.length === 0) {
      await this.systems.remove(system.id);
      return undefined;
    }
    if (!this.drivers.get(system.id)) throw new CapstanError('CAP-E0302', system.name);
    await assertQuiet(this.db, system, rows);
    // Refused now rather than half-way: a WPAR whose state does not allow deleting it.
    for (const r of rows) await this.store.actionable(r.id, 'delete');
    return this.tasks.submit(SYSTEM_REMOVE_TASK, { systemId: system.id }, { target: { kind: 'system', id: system.id, name: system.name }, createdBy: by });
  }

  private async run(ctx: TaskContext<SystemParams>): Promise<SystemRemovalResult> {
    const system = await this.systems.named.require(ctx.params.systemId);
    const rows = await this.onSystem(this.db, system.id);
    const removed: string[] = [];
    for (const [i, w] of rows.entries()) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      await ctx.progress(i / rows.length, `${w.name} (${i + 1} of ${rows.length})`);
      await ctx.operation(`remove ${w.name}`, async (op) => {
        try {
          const task = await this.wpars.delete(w.id, `removal of ${system.name}`);
          op.log(`task ${task.id}`);
          const done = await this.tasks.wait(task.id);
          if (done.status !== 'succeeded') throw new Error(`${done.status}${done.error ? `: ${done.error.code} ${done.error.message}` : ''}`);
        } catch (e) {
          throw new CapstanError('CAP-E1051', `${w.name} on ${system.name}: ${e instanceof Error ? e.message : String(e)}`);
        }
        removed.push(w.name);
        op.log(`${w.name} removed from ${system.name} and deleted`);
      });
    }
    await ctx.progress(1, `${removed.length} WPAR(s) removed`);
    // Refused (CAP-E0004) if a WPAR was deployed on it meanwhile: the system then stays.
    await ctx.operation(`remove ${system.name}`, async (op) => {
      await this.systems.remove(system.id);
      op.log(`${system.name} removed; its agent is revoked`);
    });
    return { systemId: system.id, systemName: system.name, removed };
  }

  private onSystem(db: Kysely<Database>, systemId: string): Promise<WparRow[]> {
    return db.selectFrom('wpars').selectAll().where('system_id', '=', systemId).orderBy('name').execute();
  }
}

/**
 * CAP-E1050 while a task holds one of the system's WPARs, relocates a WPAR to or from it, or
 * acts on the system itself (an evacuation, a removal, a discovery).
 */
async function assertQuiet(db: Kysely<Database>, system: { id: string; name: string }, rows: WparRow[]): Promise<void> {
  const holders = rows.flatMap((r) => (r.busy_task_id === null ? [] : [r.busy_task_id]));
  const status = new Map((holders.length === 0 ? [] : await db.selectFrom('tasks').select(['id', 'status']).where('id', 'in', holders).execute())
    .map((t) => [t.id, { status: t.status as TaskStatus }]));
  const now = Date.now();
  const busy = rows.filter((r) => r.busy_task_id !== null && holderIsLive(r.busy_task_id, now, status.get(r.busy_task_id)))
    .map((r) => `${r.name} (task ${r.busy_task_id})`);
  const open = await db.selectFrom('tasks').select(['id', 'kind', 'target_kind', 'target_id', 'params'])
    .where('status', 'in', ['queued', 'running'])
    .where((eb) => eb.or([eb('kind', '=', RELOCATE_TASK), eb.and([eb('target_kind', '=', 'system'), eb('target_id', '=', system.id)])]))
    .execute();
  const onIt = open.filter((t) => {
    if (t.kind !== RELOCATE_TASK) return true;
    const p = JSON.parse(t.params) as RelocationParams;
    return p.fromId === system.id || p.toId === system.id;
  }).map((t) => `${t.kind} task ${t.id}`);
  const all = [...new Set([...busy, ...onIt])];
  if (all.length > 0) throw new CapstanError('CAP-E1050', `${system.name}: ${all.join(', ')}`);
}

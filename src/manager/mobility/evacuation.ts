// Evacuation (the seed could not do it): every WPAR off a system, each live to the best fully
// compatible system with room, as one task with its progress. The system is marked first so
// that nothing is placed on it until it is restored. Each move is a relocation task of its
// own, which settles itself whatever interrupts it; an evacuation run again (after a
// manager restart) carries on with the WPARs still there.
import type { TaskView } from '../../api/tasks.js';
import { CapstanError, isCapstanError } from '../../api/errors.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Inventory } from '../inventory/index.js';
import type { TaskContext, TaskEngine } from '../tasks/engine.js';
import type { CompatibilityService } from './compatibility-service.js';
import type { RelocationService } from './relocation.js';
import { EVACUATE_TASK } from '../../api/task-kinds.js';


export interface EvacuationResult {
  systemId: string;
  moved: { wpar: string; to: string }[];
  left: { wpar: string; reason: string }[];
}

export class EvacuationService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly inventory: Inventory,
    private readonly tasks: TaskEngine,
    private readonly testing: CompatibilityService,
    private readonly relocation: RelocationService,
  ) {
    tasks.register({ kind: EVACUATE_TASK, onRestart: 'resume', run: (ctx) => this.run(ctx) });
  }

  async evacuate(systemRef: string, by: string): Promise<TaskView> {
    const system = await this.inventory.systems.get(systemRef);
    return this.tasks.submit(EVACUATE_TASK, { systemId: system.id }, { target: { kind: 'system', id: system.id, name: system.name }, createdBy: by });
  }

  /** Placement may choose the system again. */
  async restore(systemRef: string): Promise<void> {
    const system = await this.inventory.systems.get(systemRef);
    await this.testing.setPlacementBlocked(system.id, false);
  }

  private async run(ctx: TaskContext<{ systemId: string }>): Promise<EvacuationResult> {
    const { systemId } = ctx.params;
    const system = await this.inventory.systems.get(systemId);
    await ctx.operation(`mark ${system.name}: no placement`, async (op) => {
      await this.testing.setPlacementBlocked(systemId, true);
      op.log(`nothing is relocated onto ${system.name} until it is restored`);
    });
    const wpars = await this.db.selectFrom('wpars').select(['id', 'name', 'state']).where('system_id', '=', systemId).orderBy('name').execute();
    const result: EvacuationResult = { systemId, moved: [], left: [] };
    for (const [i, w] of wpars.entries()) {
      await ctx.progress(i / Math.max(1, wpars.length), `${w.name} (${i + 1} of ${wpars.length})`);
      await ctx.operation(`relocate ${w.name}`, async (op) => {
        try {
          const task = await this.relocation.relocate(w.id, {}, `evacuation of ${system.name}`);
          op.log(`task ${task.id}`);
          const done = await this.tasks.wait(task.id);
          if (done.status !== 'succeeded') throw new CapstanError('CAP-E0922', done.error?.message ?? done.status);
          const to = (done.result as { systemName: string }).systemName;
          result.moved.push({ wpar: w.name, to });
          op.log(`${w.name} runs on ${to}`);
        } catch (e) {
          const reason = isCapstanError(e) || e instanceof Error ? e.message : String(e);
          result.left.push({ wpar: w.name, reason });
          op.log(`${w.name} stays on ${system.name}: ${reason}`);
        }
      });
    }
    await ctx.progress(1, `${result.moved.length} moved, ${result.left.length} left`);
    if (result.left.length > 0) {
      throw new CapstanError('CAP-E0927', result.left.map((l) => `${l.wpar}: ${l.reason}`).join('; '));
    }
    return result;
  }
}

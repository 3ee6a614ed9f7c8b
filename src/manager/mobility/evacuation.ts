// Evacuation (the seed could not do it): every WPAR off a system, each live to a fully
// compatible system with room, as one task with its progress. The system is marked first so
// that nothing is placed on it until it is restored; then the scheduler plans all its WPARs
// at once (each placement sees the ones before it and the moves in flight, so they spread
// instead of piling onto the system that looked idlest). Each move is a relocation task of
// its own, which settles itself whatever interrupts it; an evacuation run again (after a
// manager restart) plans again for the WPARs still there.
import type { TaskView } from '../../api/tasks.js';
import { CapstanError, isCapstanError } from '../../api/errors.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Inventory } from '../inventory/index.js';
import type { TaskContext, TaskEngine } from '../tasks/engine.js';
import type { CompatibilityService } from './compatibility-service.js';
import type { RelocationService } from './relocation.js';
import type { Fleet } from './fleet.js';
import type { TargetService } from './targets.js';
import { plan, type Plan } from '../scheduler/plan.js';
import type { PlanAsk, SystemSnapshot } from '../scheduler/types.js';
import { managerActor } from '../inventory/privilege-guard.js';
import { EVACUATE_TASK } from '../../api/task-kinds.js';

/** Moves started this long ago or since count as in flight with their WPAR's recent use. */
const IN_FLIGHT_USE_WINDOW_MS = 10 * 60_000;

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
    private readonly targets: TargetService,
    private readonly fleet: Fleet,
    private readonly now: () => number = Date.now,
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
    const planned = await ctx.operation(`plan where ${wpars.length} WPARs go`, async (op) => {
      const p = await this.plan(wpars.map((w) => w.id));
      for (const x of p.placements) op.log(`${x.wpar.name} → ${x.to.name} (${Math.round(x.rank.load * 100)}% busy with it)`);
      for (const u of p.unplaced) op.log(`${u.wpar.name}: no system takes it`);
      return p;
    });
    const targetOf = new Map(planned.placements.map((p) => [p.wpar.id, p.to.name]));
    const unplaced = new Map(planned.unplaced.map((u) => [u.wpar.id, u.reasons]));
    const result: EvacuationResult = { systemId, moved: [], left: [] };
    for (const [i, w] of wpars.entries()) {
      await ctx.progress(i / Math.max(1, wpars.length), `${w.name} (${i + 1} of ${wpars.length})`);
      await ctx.operation(`relocate ${w.name}`, async (op) => {
        try {
          const target = targetOf.get(w.id);
          if (!target) throw new CapstanError('CAP-E0926', `${w.name}: ${(unplaced.get(w.id) ?? []).join('; ')}`);
          const task = await this.relocation.relocate(w.id, { to: target }, managerActor(`evacuation of ${system.name}`));
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

  /** One plan for all the system's WPARs; a WPAR the targets view refuses (not on a system) is left out of it. */
  private async plan(wparIds: string[]): Promise<Plan> {
    const asks: PlanAsk[] = [];
    let systems: SystemSnapshot[] = [];
    const partners = new Map<string, string>();
    for (const id of wparIds) {
      const got = await this.targets.planAsk(id).catch(() => null);
      if (!got) continue;
      asks.push(got.ask);
      systems = got.systems;
      for (const [wpar, system] of got.partners) partners.set(wpar, system);
    }
    return plan(asks, systems, await this.fleet.inFlight(this.now() - IN_FLIGHT_USE_WINDOW_MS), { spread: true }, partners);
  }
}

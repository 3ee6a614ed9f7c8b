// What the policy engine decides a group on, read from the database: the group's Active WPARs
// with their metrics over the averaging period (as the seed's readings: effective utilisation
// against their system's sample at the same time), their asks to the planner with the group's
// affinity rules, when each last moved, and every system with its recent use.
import type { Kysely } from 'kysely';
import type { GroupView } from '../../api/groups.js';
import { RELOCATE_TASK } from '../../api/task-kinds.js';
import type { Database } from '../db/schema.js';
import type { Inventory } from '../inventory/index.js';
import type { Fleet } from '../mobility/fleet.js';
import type { TargetService } from '../mobility/targets.js';
import type { GroupWpar } from '../scheduler/decide.js';
import { normalise, reading, type Reading } from '../scheduler/policy.js';
import type { SystemSnapshot } from '../scheduler/types.js';

export interface GroupSnapshot {
  wpars: GroupWpar[];
  systems: SystemSnapshot[];
  /** Where the WPARs' affinity partners run, by id (those of other groups included). */
  located: Map<string, string>;
}

export class GroupSnapshots {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly inventory: Inventory,
    private readonly targets: TargetService,
    private readonly fleet: Fleet,
  ) {}

  async of(group: GroupView, now: number): Promise<GroupSnapshot> {
    const { policy } = group;
    const from = now - policy.averagingPeriodMinutes * 60_000;
    const rows = await this.db.selectFrom('wpars').select(['id', 'name', 'system_id'])
      .where('group_id', '=', group.id).where('state', '=', 'Active').where('system_id', 'is not', null)
      .orderBy('name').execute();
    const fleet = await this.fleet.systems();
    const used = await this.fleet.recentUse('system', fleet.map((s) => s.id), from);
    const systems: SystemSnapshot[] = fleet.map((s) => ({
      system: { id: s.id, name: s.name }, state: s.state, domain: s.domain, systemProfile: s.systemProfile,
      placementBlocked: s.placementBlocked, capacity: s.capacity, used: used.get(s.id) ?? null,
    }));
    const located = new Map<string, string>();
    if (rows.length === 0) return { wpars: [], systems, located };
    const ids = rows.map((r) => r.id);
    const [readings, moved] = await Promise.all([this.readings(ids, from), this.lastMoves(ids)]);
    const pinned = new Set(policy.pinned);
    const wpars: GroupWpar[] = [];
    for (const r of rows) {
      // The targets service builds the ask as manual and automatic relocation see it: compatibility
      // from its system, move costs, the group's affinity rules.
      const { ask, partners } = await this.targets.planAsk(r.id);
      for (const [wpar, system] of partners) located.set(wpar, system);
      const spec = await this.inventory.wparStore.spec(r.id);
      wpars.push({
        ask,
        metrics: normalise(policy, readings.get(r.id) ?? []),
        movedAt: moved.get(r.id) ?? null,
        // Only a checkpointable WPAR relocates live: the others count in the group's state but stay.
        pinned: pinned.has(r.id) || !spec.checkpointable,
      });
    }
    return { wpars, systems, located };
  }

  /** Each WPAR's readings since `from`, each against its system's sample of the same moment. */
  private async readings(ids: string[], from: number): Promise<Map<string, Reading[]>> {
    const samples = await this.db.selectFrom('metric_samples').selectAll()
      .where('subject_kind', '=', 'wpar').where('subject_id', 'in', ids).where('t', '>=', from)
      .execute();
    const systemIds = [...new Set(samples.map((s) => s.system_id))];
    const hosts = systemIds.length === 0 ? [] : await this.db.selectFrom('metric_samples').select(['subject_id', 't', 'cpu_util', 'memory_util'])
      .where('subject_kind', '=', 'system').where('subject_id', 'in', systemIds).where('t', '>=', from)
      .execute();
    const host = new Map(hosts.map((h) => [`${h.subject_id}/${Number(h.t)}`, h]));
    const out = new Map<string, Reading[]>();
    for (const s of samples) {
      // No system sample of that moment: nothing else is counted on the system (the WPAR's own use).
      const h = host.get(`${s.system_id}/${Number(s.t)}`) ?? { cpu_util: s.cpu_util, memory_util: s.memory_util };
      const r = reading({
        cpuUtil: s.cpu_util, memoryUtil: s.memory_util, effectiveCpuUtil: s.effective_cpu_util, processes: s.processes,
        diskReadBytesPerSec: s.disk_read, diskWriteBytesPerSec: s.disk_write, netRxBytesPerSec: s.net_rx, netTxBytesPerSec: s.net_tx,
      }, { cpuUtil: h.cpu_util, memoryUtil: h.memory_util });
      const list = out.get(s.subject_id) ?? [];
      list.push(r);
      out.set(s.subject_id, list);
    }
    return out;
  }

  /** When each WPAR's last relocation was asked for (ms): a WPAR just moved, or just tried, settles first. */
  private async lastMoves(ids: string[]): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('tasks').select((eb) => ['target_id', eb.fn.max('created_at').as('at')])
      .where('kind', '=', RELOCATE_TASK).where('target_id', 'in', ids)
      .groupBy('target_id').execute();
    return new Map(rows.map((r) => [r.target_id!, Date.parse(String(r.at))]));
  }
}

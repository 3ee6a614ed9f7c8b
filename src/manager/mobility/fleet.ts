// What the scheduler needs to know of the fleet, read from the database and the metrics: every
// system with its size and placement mark, recent use of systems and WPARs, and the moves
// under way. Shared by the targets view and evacuation, so both decide on the same snapshot.
import type { Kysely } from 'kysely';
import type { HostProfile } from '../../api/agents.js';
import { RELOCATE_TASK, type RelocationParams } from '../../api/task-kinds.js';
import type { SystemState } from '../../api/systems.js';
import type { Database } from '../db/schema.js';
import { systemProfileId } from '../inventory/system-profile.js';
import type { MetricsStore } from '../metrics/store.js';
import type { Move, SystemSnapshot, Use } from '../scheduler/types.js';
import type { CompatibilityService } from './compatibility-service.js';

export interface FleetSystem extends Omit<SystemSnapshot, 'system' | 'used'> {
  id: string;
  name: string;
  profile: HostProfile | null;
}

export class Fleet {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly testing: CompatibilityService,
    private readonly metrics: MetricsStore,
  ) {}

  /** Every system with what placement needs of it, by name. */
  async systems(): Promise<FleetSystem[]> {
    const [rows, states] = await Promise.all([
      this.db.selectFrom('systems')
        .innerJoin('relocation_domains', 'relocation_domains.id', 'systems.domain_id')
        .select(['systems.id', 'systems.name', 'systems.state', 'systems.domain_id', 'systems.profile', 'relocation_domains.name as domain_name'])
        .orderBy('systems.name')
        .execute(),
      this.testing.states(),
    ]);
    return rows.map((r) => {
      const profile = r.profile === null ? null : (JSON.parse(r.profile) as HostProfile);
      const capacity = profile?.cpu?.cores && profile.memoryBytes ? { cpuCores: profile.cpu.cores, memoryBytes: profile.memoryBytes } : null;
      return {
        id: r.id,
        name: r.name,
        state: r.state as SystemState,
        domain: { id: r.domain_id, name: r.domain_name },
        systemProfile: systemProfileId(r.domain_id, profile),
        placementBlocked: states.get(r.id)?.placementBlocked ?? false,
        capacity,
        profile,
      };
    });
  }

  /** Mean CPU cores and memory in use since `from`, per subject; the newest sample when none is that recent. */
  async recentUse(kind: 'system' | 'wpar', ids: string[], from: number): Promise<Map<string, Use>> {
    const out = new Map<string, Use>();
    if (ids.length === 0) return out;
    const rows = await this.db.selectFrom('metric_samples')
      .select((eb) => ['subject_id', eb.fn.avg<number>('cpu_cores').as('cpu'), eb.fn.avg<number>('memory_bytes').as('memory')])
      .where('subject_kind', '=', kind).where('subject_id', 'in', ids).where('t', '>=', from)
      .groupBy('subject_id')
      .execute();
    // PostgreSQL answers averages as numeric, which its driver gives as strings.
    for (const r of rows) out.set(r.subject_id, { cpuCores: Number(r.cpu), memoryBytes: Number(r.memory) });
    for (const id of ids) {
      const latest = this.metrics.latest.get(`${kind}/${id}`);
      if (!out.has(id) && latest) out.set(id, { cpuCores: latest.values.cpuCores, memoryBytes: latest.values.memoryBytes });
    }
    return out;
  }

  /** Relocations queued or running: the planner counts their WPARs on their arrival already. */
  async inFlight(since: number): Promise<Move[]> {
    const rows = await this.db.selectFrom('tasks').select('params')
      .where('kind', '=', RELOCATE_TASK).where('status', 'in', ['queued', 'running'])
      .execute();
    const params = rows.map((r) => JSON.parse(r.params) as RelocationParams);
    const use = await this.recentUse('wpar', params.map((p) => p.wparId), since);
    return params.map((p) => ({
      wpar: { id: p.wparId, name: p.name },
      from: { id: p.fromId, name: p.fromId },
      to: { id: p.toId, name: p.toId },
      use: use.get(p.wparId) ?? { cpuCores: 0, memoryBytes: 0 },
    }));
  }
}

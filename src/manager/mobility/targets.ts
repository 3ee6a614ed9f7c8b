// Relocation targets of a WPAR: gathers the snapshot placement decides on (the group's
// policy, the systems, their compatibility with the WPAR's system, recent use from the
// metrics) and hands it to the pure placement functions. The relocation task asks check()
// before it moves anything.
import type { Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import type { HostProfile } from '../../api/agents.js';
import type { TargetCheck, TargetsView } from '../../api/placement.js';
import type { SystemState } from '../../api/systems.js';
import type { Database } from '../db/schema.js';
import type { Inventory } from '../inventory/index.js';
import { systemProfileId } from '../inventory/system-profile.js';
import type { MetricsStore } from '../metrics/store.js';
import type { CompatibilityService } from './compatibility-service.js';
import type { CompatibilityViews } from './compatibility-views.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { place, type Candidate, type Use } from './placement.js';

/** How long a restart after a host loss waits for systems whose compatibility testing is not done. */
const RESTART_WAIT_MS = 60_000;
const RESTART_POLL_MS = 2_000;

/** Where a WPAR lost with its system restarts, or why no system would take it. */
export interface RestartChoice {
  target?: string;
  /** Per system left out: its name and why. */
  reasons: string[];
}

export class TargetService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly inventory: Inventory,
    private readonly testing: CompatibilityService,
    private readonly views: CompatibilityViews,
    private readonly metrics: MetricsStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Automatic candidates (best first) and every other system as manual selection offers it. */
  async targets(wparRef: string): Promise<TargetsView> {
    return (await this.snapshot(wparRef)).view;
  }

  /**
   * Where a WPAR lost with its system restarts from scratch: the system automatic selection
   * ranks first, with the WPAR's CPU left out of the fit (CPU is time-shared: on a busy system
   * the WPAR runs slower, while on none it stays Broken; memory must still fit). Systems still
   * in compatibility testing (an agent that just reconnected reports its profile again) are
   * waited for, up to a minute, rather than counted out.
   */
  async restartTarget(wparRef: string, waitMs = RESTART_WAIT_MS): Promise<RestartChoice> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const { view, candidates } = await this.snapshot(wparRef, { cpuShared: true });
      const best = view.ranked[0];
      if (best) return { target: best.system.name, reasons: [] };
      const testing = candidates.some((c) => c.compatibility === 'testing' && c.state === 'Online');
      if (!testing || Date.now() >= deadline) {
        return { reasons: view.others.map((o) => `${o.system.name}: ${[o.notOffered, ...o.notAutomatic].filter((r, i, all) => r && all.indexOf(r) === i).join('; ')}`) };
      }
      await sleep(RESTART_POLL_MS);
    }
  }

  /**
   * Whether the WPAR may be relocated to this system: its state and whether the user must
   * confirm (less than fully compatible). Throws when the system is not offered at all.
   */
  async check(wparRef: string, systemRef: string): Promise<TargetCheck> {
    const target = await this.inventory.systems.named.require(systemRef);
    const { view, candidates } = await this.snapshot(wparRef);
    if (target.id === view.departure.id) throw new CapstanError('CAP-E0903', `${view.wpar.name} is on ${target.name}`);
    const c = candidates.find((s) => s.system.id === target.id);
    if (!c) throw new CapstanError('CAP-E0002', `managed system ${systemRef}`);
    // In the order notOffered() gives its reasons.
    if (c.compatibility === 'testing') throw new CapstanError('CAP-E0901', target.name);
    if (c.state !== 'Online') throw new CapstanError('CAP-E0302', `${target.name} is ${c.state}`);
    if (c.placementBlocked) throw new CapstanError('CAP-E0904', target.name);
    return { state: c.compatibility, needsConfirmation: c.compatibility !== 'fully' };
  }

  private async snapshot(wparRef: string, opts: { cpuShared?: boolean } = {}): Promise<{ view: TargetsView; candidates: Candidate[] }> {
    const wpar = await this.inventory.wpars.get(wparRef);
    if (!wpar.system) throw new CapstanError('CAP-E0902', wpar.name);
    const group = await this.inventory.groups.get(wpar.group.id);
    const policy = group.policy;
    const systems = await this.systems();
    const departure = systems.find((s) => s.id === wpar.system?.id);
    if (!departure) throw new CapstanError('CAP-E0002', `managed system ${wpar.system.name}`);
    const domainId = policy.domain ?? departure.domain.id;
    const domain = await this.db.selectFrom('relocation_domains').select(['id', 'name']).where('id', '=', domainId).executeTakeFirst();
    // The group names a domain removed since: say so rather than choose outside it.
    if (!domain) throw new CapstanError('CAP-E0900', `group ${group.name}: ${domainId}`);

    const optional = policy.compatibilityTests;
    const windowStart = this.now() - policy.averagingPeriodMinutes * 60_000;
    const [states, use, used] = await Promise.all([
      this.views.statesFrom(departure.id, optional),
      this.recentUse('wpar', [wpar.id], windowStart),
      this.recentUse('system', systems.map((s) => s.id), windowStart),
    ]);
    const wparUse = use.get(wpar.id) ?? { cpuCores: 0, memoryBytes: 0 };
    const candidates: Candidate[] = systems.filter((s) => s.id !== departure.id).map((s) => ({
      system: { id: s.id, name: s.name },
      state: s.state,
      domain: s.domain,
      systemProfile: s.systemProfile,
      compatibility: states.get(s.id) ?? 'testing',
      placementBlocked: s.placementBlocked,
      capacity: s.capacity,
      used: used.get(s.id) ?? null,
    }));
    const need = opts.cpuShared ? { ...wparUse, cpuCores: 0 } : wparUse;
    const { ranked, others } = place({ use: need, domain, systemProfiles: policy.systemProfiles }, candidates);
    const view: TargetsView = {
      wpar: { id: wpar.id, name: wpar.name },
      departure: { id: departure.id, name: departure.name },
      group: { id: group.id, name: group.name },
      domain,
      optionalTests: optional,
      use: wparUse,
      ranked,
      others,
    };
    return { view, candidates };
  }

  /** Every system with what placement needs of it. */
  private async systems() {
    const [rows, states] = await Promise.all([
      this.db.selectFrom('systems')
        .innerJoin('relocation_domains', 'relocation_domains.id', 'systems.domain_id')
        .select(['systems.id', 'systems.name', 'systems.state', 'systems.domain_id', 'systems.profile', 'relocation_domains.name as domain_name'])
        .orderBy('systems.name')
        .execute(),
      this.testing.states(),
    ]);
    return rows.map((r) => {
      const profile = r.profile === null ? null : (JSON.parse(r.profile) as Partial<HostProfile>);
      const capacity = profile?.cpu?.cores && profile.memoryBytes ? { cpuCores: profile.cpu.cores, memoryBytes: profile.memoryBytes } : null;
      return {
        id: r.id,
        name: r.name,
        state: r.state as SystemState,
        domain: { id: r.domain_id, name: r.domain_name },
        systemProfile: systemProfileId(r.domain_id, profile as HostProfile | null),
        placementBlocked: states.get(r.id)?.placementBlocked ?? false,
        capacity,
      };
    });
  }

  /** Mean CPU cores and memory in use since `from`, per subject; the newest sample when none is that recent. */
  private async recentUse(kind: 'system' | 'wpar', ids: string[], from: number): Promise<Map<string, Use>> {
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
}

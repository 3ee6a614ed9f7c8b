// Relocation targets of a WPAR: gathers the snapshot placement decides on (the group's
// policy, the systems, their compatibility with the WPAR's system, recent use from the
// metrics) and hands it to the pure placement functions. The relocation task asks check()
// before it moves anything.
import type { Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import type { TargetCheck, TargetsView } from '../../api/placement.js';
import type { Database } from '../db/schema.js';
import type { Inventory } from '../inventory/index.js';
import type { CompatibilityViews } from './compatibility-views.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fleet } from './fleet.js';
import { place, type Candidate } from './placement.js';
import { memoryMethod, moveCost } from '../scheduler/move-cost.js';
import type { PlanAsk, SystemSnapshot } from '../scheduler/types.js';
import type { RelocationPolicy } from '../../api/groups.js';
import type { ResourceRef } from '../../api/resources.js';

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
    private readonly views: CompatibilityViews,
    private readonly fleet: Fleet,
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

  /**
   * What the scheduler's planner needs to move this WPAR: its ask (with the cost of the move to
   * each system, by its memory and the method the two systems would use) and the systems it sees.
   */
  async planAsk(wparRef: string): Promise<{ ask: PlanAsk; systems: SystemSnapshot[]; partners: Map<string, string> }> {
    const { ask, candidates, departure, partners } = await this.snapshot(wparRef);
    // The departure too: affinity partners there are leaving with it when it is being evacuated.
    return { ask, systems: [...candidates, departure], partners };
  }

  /** The WPAR's partners in its group's affinity and anti-affinity sets, and where each runs (by id). */
  private async partners(wparId: string, policy: RelocationPolicy): Promise<{ together: ResourceRef[]; apart: ResourceRef[]; located: Map<string, string> }> {
    const of = (sets: string[][]) => [...new Set(sets.filter((set) => set.includes(wparId)).flat())].filter((id) => id !== wparId);
    const together = of(policy.affinity);
    const apart = of(policy.antiAffinity);
    const ids = [...together, ...apart];
    const rows = ids.length === 0 ? [] : await this.db.selectFrom('wpars').select(['id', 'name', 'system_id']).where('id', 'in', ids).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    // A partner removed since the rule was written binds nothing.
    const refs = (list: string[]) => list.flatMap((id) => { const r = byId.get(id); return r ? [{ id: r.id, name: r.name }] : []; });
    return { together: refs(together), apart: refs(apart), located: new Map(rows.flatMap((r) => (r.system_id ? [[r.id, r.system_id] as [string, string]] : []))) };
  }

  private async snapshot(wparRef: string, opts: { cpuShared?: boolean } = {}): Promise<{ view: TargetsView; candidates: Candidate[]; departure: SystemSnapshot; ask: PlanAsk; partners: Map<string, string> }> {
    const wpar = await this.inventory.wpars.get(wparRef);
    if (!wpar.system) throw new CapstanError('CAP-E0902', wpar.name);
    const group = await this.inventory.groups.get(wpar.group.id);
    const policy = group.policy;
    const systems = await this.fleet.systems();
    const departure = systems.find((s) => s.id === wpar.system?.id);
    if (!departure) throw new CapstanError('CAP-E0002', `managed system ${wpar.system.name}`);
    const domainId = policy.domain ?? departure.domain.id;
    const domain = await this.db.selectFrom('relocation_domains').select(['id', 'name']).where('id', '=', domainId).executeTakeFirst();
    // The group names a domain removed since: say so rather than choose outside it.
    if (!domain) throw new CapstanError('CAP-E0900', `group ${group.name}: ${domainId}`);

    const optional = policy.compatibilityTests;
    const windowStart = this.now() - policy.averagingPeriodMinutes * 60_000;
    const [states, use, used, rules] = await Promise.all([
      this.views.statesFrom(departure.id, optional),
      this.fleet.recentUse('wpar', [wpar.id], windowStart),
      this.fleet.recentUse('system', systems.map((s) => s.id), windowStart),
      this.partners(wpar.id, policy),
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
    const blocked = new Set(systems.filter((s) => s.placementBlocked).map((s) => s.id));
    const where = { systemOf: (id: string) => rules.located.get(id), blocked: (id: string) => blocked.has(id) };
    const { ranked, others } = place({ use: need, domain, systemProfiles: policy.systemProfiles, together: rules.together, apart: rules.apart }, candidates, where);
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
    const profiles = new Map(systems.map((s) => [s.id, s.profile]));
    const ask: PlanAsk = {
      wpar: view.wpar,
      from: view.departure,
      use: need,
      domain,
      systemProfiles: policy.systemProfiles,
      compatibility: (id) => states.get(id) ?? 'testing',
      moveCost: (id) => moveCost(wparUse.memoryBytes, memoryMethod(departure.profile, profiles.get(id) ?? null, policy.postCopy)),
      together: rules.together,
      apart: rules.apart,
    };
    const { id, name, profile: _profile, ...rest } = departure;
    return { view, candidates, departure: { ...rest, system: { id, name }, used: used.get(id) ?? null }, ask, partners: rules.located };
  }
}

// The relocation targets view of one WPAR, on the scheduler's feasibility and ranking:
// automatic selection ranks every system that may take the WPAR, best first; manual selection
// offers every other system with its state, a confirmation needed for anything less than
// fully compatible.
import type { PairState } from '../../api/compatibility.js';
import type { OtherTarget, RankedTarget } from '../../api/placement.js';
import { feasible, notOffered } from '../scheduler/feasible.js';
import { compareRanked, rank, type Ranked } from '../scheduler/rank.js';
import type { Ask, SystemSnapshot, Whereabouts } from '../scheduler/types.js';

export { fit, notOffered } from '../scheduler/feasible.js';
export type { Use } from '../scheduler/types.js';

/** What placement knows of a candidate system. */
export interface Candidate extends SystemSnapshot {
  /** From the departure system to this one, with the group's optional tests. */
  compatibility: PairState;
}

export type PlacementRequest = Omit<Ask, 'compatibility'>;

export interface Placement {
  ranked: RankedTarget[];
  others: OtherTarget[];
}

/** `where`: where the WPAR's affinity partners run, for its group's rules. */
export function place(req: PlacementRequest, candidates: readonly Candidate[], where?: Whereabouts): Placement {
  const states = new Map(candidates.map((c) => [c.system.id, c.compatibility]));
  const ask: Ask = { ...req, compatibility: (id) => states.get(id) ?? 'testing' };
  const ranked: Ranked[] = [];
  const others: OtherTarget[] = [];
  for (const c of candidates) {
    const notAutomatic = feasible(ask, c, where);
    if (notAutomatic.length === 0 && c.capacity) {
      ranked.push(rank(ask, c, c.capacity));
      continue;
    }
    const why = notOffered(c);
    others.push({
      system: c.system,
      state: c.compatibility,
      offered: why === null,
      needsConfirmation: why === null && c.compatibility !== 'fully',
      notOffered: why,
      notAutomatic,
    });
  }
  others.sort((a, b) => a.system.name.localeCompare(b.system.name));
  return {
    ranked: ranked.sort(compareRanked).map((r) => ({ system: r.system, systemProfile: r.systemProfile, cpuUtil: r.cpuUtil, memoryUtil: r.memoryUtil, score: r.score })),
    others,
  };
}

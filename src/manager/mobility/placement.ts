// Target selection for a WPAR's relocation: pure functions over a snapshot, no I/O (Nomad's
// pipeline in small: feasible → fits → scored). Automatic selection takes only systems that
// are offered, fully compatible, in the group's relocation domain (and system profiles) and
// have room for the WPAR's use, best first; manual selection offers every other system with
// its state, a confirmation needed for anything less than fully compatible.
import { STATE_LABELS, type PairState } from '../../api/compatibility.js';
import type { OtherTarget, RankedTarget } from '../../api/placement.js';
import type { ResourceRef } from '../../api/resources.js';
import type { SystemState } from '../../api/systems.js';

export interface Use {
  cpuCores: number;
  memoryBytes: number;
}

/** What placement knows of a candidate system. */
export interface Candidate {
  system: ResourceRef;
  state: SystemState;
  domain: ResourceRef;
  systemProfile: string | null;
  /** From the departure system to this one, with the group's optional tests. */
  compatibility: PairState;
  placementBlocked: boolean;
  /** Its size from its host profile; null when it has not reported one. */
  capacity: Use | null;
  /** Its recent use; null when no sample is at hand (counted as idle: a system that just connected). */
  used: Use | null;
}

export interface PlacementRequest {
  /** The WPAR's recent use: the arrival must have room for it. */
  use: Use;
  domain: ResourceRef;
  /** Automatic selection only considers these system profiles, earlier ones first on equal use. */
  systemProfiles?: readonly string[];
}

export interface Placement {
  ranked: RankedTarget[];
  others: OtherTarget[];
}

/** Why manual selection does not offer a system, or null when it does. */
export function notOffered(c: Pick<Candidate, 'compatibility' | 'state' | 'placementBlocked'>): string | null {
  // The seed: a system is not available for relocation until its compatibility testing is complete.
  if (c.compatibility === 'testing') return 'compatibility testing is not done';
  if (c.state !== 'Online') return `the system is ${c.state}`;
  if (c.placementBlocked) return 'the system is being evacuated';
  return null;
}

const gib = (n: number): string => `${(n / 2 ** 30).toFixed(1)} GiB`;
const cores = (n: number): string => `${n.toFixed(2)} cores`;

/** The WPAR's use on the candidate: the resulting utilisation of each resource, and what does not fit. */
export function fit(use: Use, capacity: Use, used: Use | null): { cpuUtil: number; memoryUtil: number; problems: string[] } {
  const busy = used ?? { cpuCores: 0, memoryBytes: 0 };
  const free = { cpuCores: Math.max(0, capacity.cpuCores - busy.cpuCores), memoryBytes: Math.max(0, capacity.memoryBytes - busy.memoryBytes) };
  const problems: string[] = [];
  if (use.cpuCores > free.cpuCores) problems.push(`not enough free CPU: the WPAR uses ${cores(use.cpuCores)}, ${cores(free.cpuCores)} free`);
  if (use.memoryBytes > free.memoryBytes) problems.push(`not enough free memory: the WPAR uses ${gib(use.memoryBytes)}, ${gib(free.memoryBytes)} free`);
  const ratio = (n: number, of: number): number => (of > 0 ? n / of : 1);
  return {
    cpuUtil: ratio(busy.cpuCores + use.cpuCores, capacity.cpuCores),
    memoryUtil: ratio(busy.memoryBytes + use.memoryBytes, capacity.memoryBytes),
    problems,
  };
}

export function place(req: PlacementRequest, candidates: readonly Candidate[]): Placement {
  const ranked: (RankedTarget & { profileRank: number })[] = [];
  const others: OtherTarget[] = [];
  const profiles = req.systemProfiles;
  for (const c of candidates) {
    const why = notOffered(c);
    const notAutomatic: string[] = why ? [why] : [];
    if (c.compatibility !== 'fully' && c.compatibility !== 'testing') notAutomatic.push(`${STATE_LABELS[c.compatibility]}: automatic selection takes only fully compatible systems`);
    if (c.domain.id !== req.domain.id) notAutomatic.push(`in relocation domain ${c.domain.name}, not ${req.domain.name}`);
    const profileRank = profiles ? profiles.indexOf(c.systemProfile ?? '') : 0;
    if (profileRank < 0) notAutomatic.push(`system profile ${c.systemProfile ?? '(none)'} is not one of the group's`);
    const f = c.capacity ? fit(req.use, c.capacity, c.used) : null;
    if (!f) notAutomatic.push('its size is unknown (no host profile)');
    else notAutomatic.push(...f.problems);

    if (notAutomatic.length === 0 && f) {
      ranked.push({ system: c.system, systemProfile: c.systemProfile, cpuUtil: f.cpuUtil, memoryUtil: f.memoryUtil, score: Math.max(f.cpuUtil, f.memoryUtil), profileRank });
    } else {
      others.push({
        system: c.system,
        state: c.compatibility,
        offered: why === null,
        needsConfirmation: why === null && c.compatibility !== 'fully',
        notOffered: why,
        notAutomatic,
      });
    }
  }
  // Least busy after the move first (the busier resource decides, then the other); then the
  // group's preferred system profile; then by name, so equal systems always come in one order.
  ranked.sort((a, b) => a.score - b.score
    || (a.cpuUtil + a.memoryUtil) - (b.cpuUtil + b.memoryUtil)
    || a.profileRank - b.profileRank
    || a.system.name.localeCompare(b.system.name));
  others.sort((a, b) => a.system.name.localeCompare(b.system.name));
  return { ranked: ranked.map(({ profileRank: _profileRank, ...r }) => r), others };
}

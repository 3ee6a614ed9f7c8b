// Feasibility: may a system take a WPAR at all? Every refusal comes with its reason, in a fixed
// order, so the console and the CLI can say why a system is left out (Nomad's feasibility
// iterators, as one pure function).
import { STATE_LABELS } from '../../api/compatibility.js';
import type { Ask, SystemSnapshot, Use, Whereabouts } from './types.js';

/** Why manual selection does not offer a system, or null when it does. */
export function notOffered(c: { compatibility: string; state: string; placementBlocked: boolean }): string | null {
  // The seed: a system is not available for relocation until its compatibility testing is complete.
  if (c.compatibility === 'testing') return 'compatibility testing is not done';
  if (c.state !== 'Online') return `the system is ${c.state}`;
  if (c.placementBlocked) return 'the system is being evacuated';
  return null;
}

const gib = (n: number): string => `${(n / 2 ** 30).toFixed(1)} GiB`;
const cores = (n: number): string => `${n.toFixed(2)} cores`;

export interface Fit {
  /** The system's CPU and memory use with the WPAR on it, as fractions of the system. */
  cpuUtil: number;
  memoryUtil: number;
  /** What does not fit; empty when the WPAR fits. */
  problems: string[];
}

const ratio = (n: number, of: number): number => (of > 0 ? n / of : 1);

/** The WPAR's use on the candidate: the resulting utilisation of each resource, and what does not fit. */
export function fit(use: Use, capacity: Use, used: Use | null): Fit {
  // Scalars, no closures: the planner calls this for every system of every ask.
  const busyCpu = used?.cpuCores ?? 0;
  const busyMemory = used?.memoryBytes ?? 0;
  const freeCpu = Math.max(0, capacity.cpuCores - busyCpu);
  const freeMemory = Math.max(0, capacity.memoryBytes - busyMemory);
  const problems: string[] = [];
  if (use.cpuCores > freeCpu) problems.push(`not enough free CPU: the WPAR uses ${cores(use.cpuCores)}, ${cores(freeCpu)} free`);
  if (use.memoryBytes > freeMemory) problems.push(`not enough free memory: the WPAR uses ${gib(use.memoryBytes)}, ${gib(freeMemory)} free`);
  return {
    cpuUtil: ratio(busyCpu + use.cpuCores, capacity.cpuCores),
    memoryUtil: ratio(busyMemory + use.memoryBytes, capacity.memoryBytes),
    problems,
  };
}

/** The profile's place in the ask's preference list: 0 is best, -1 not allowed (0 when the ask names none). */
export function profileRank(ask: Pick<Ask, 'systemProfiles'>, s: Pick<SystemSnapshot, 'systemProfile'>): number {
  return ask.systemProfiles ? ask.systemProfiles.indexOf(s.systemProfile ?? '') : 0;
}

/**
 * The group's affinity rules on this system: never with an anti-affinity partner; only where
 * its affinity partners run (those on a system being evacuated are leaving too, and bind
 * nothing). Partners on the WPAR's own system hold it there: a balancer move would split them.
 */
export function ruleProblems(ask: Pick<Ask, 'together' | 'apart'>, systemId: string, where: Whereabouts): string[] {
  const out: string[] = [];
  for (const p of ask.apart ?? []) {
    if (where.systemOf(p.id) === systemId) out.push(`anti-affinity: ${p.name} runs there`);
  }
  for (const p of ask.together ?? []) {
    const at = where.systemOf(p.id);
    if (at !== undefined && at !== systemId && !where.blocked(at)) out.push(`affinity: it stays with ${p.name}, which runs elsewhere`);
  }
  return out;
}

/**
 * Why automatic selection may not put the WPAR on the system; empty when it may. The seed:
 * only fully compatible systems (from the WPAR's system to this one: the pair state is
 * directional), of the policy's relocation domain and system profiles, with room for the
 * WPAR's current use; and the group's affinity rules, where the WPARs are known (`where`).
 */
export function feasible(ask: Ask, s: SystemSnapshot, where?: Whereabouts): string[] {
  const compatibility = ask.compatibility(s.system.id);
  const why = notOffered({ compatibility, state: s.state, placementBlocked: s.placementBlocked });
  const reasons: string[] = why ? [why] : [];
  if (compatibility !== 'fully' && compatibility !== 'testing') reasons.push(`${STATE_LABELS[compatibility]}: automatic selection takes only fully compatible systems`);
  if (s.domain.id !== ask.domain.id) reasons.push(`in relocation domain ${s.domain.name}, not ${ask.domain.name}`);
  if (profileRank(ask, s) < 0) reasons.push(`system profile ${s.systemProfile ?? '(none)'} is not one of the group's`);
  if (!s.capacity) reasons.push('its size is unknown (no host profile)');
  else reasons.push(...fit(ask.use, s.capacity, s.used).problems);
  if (where && (ask.together?.length || ask.apart?.length)) reasons.push(...ruleProblems(ask, s.system.id, where));
  return reasons;
}

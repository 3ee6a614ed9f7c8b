// Ranking: among the systems that may take a WPAR, which is best. The seed's automatic
// selection: the fit of the WPAR's current use on each candidate's current use (the busier
// resource after the move decides), then the group's preferred system profile; we add what
// the move itself costs (move-cost.ts), so that a move that gains little is not worth a long freeze.
import type { ResourceRef } from '../../api/resources.js';
import { fit, profileRank } from './feasible.js';
import type { Ask, SystemSnapshot, Use } from './types.js';

export interface Ranked {
  system: ResourceRef;
  systemProfile: string | null;
  /** The system's CPU and memory use with the WPAR on it, as fractions of the system. */
  cpuUtil: number;
  memoryUtil: number;
  /** The busier of the two: what the system's load becomes. */
  load: number;
  moveCost: number;
  profileRank: number;
  /** Lower is better: load plus the move's cost. */
  score: number;
}

/** The WPAR on a feasible system of this (known) capacity. */
export function rank(ask: Ask, s: SystemSnapshot, capacity: Use): Ranked {
  const f = fit(ask.use, capacity, s.used);
  const load = Math.max(f.cpuUtil, f.memoryUtil);
  const cost = ask.moveCost?.(s.system.id) ?? 0;
  return { system: s.system, systemProfile: s.systemProfile, cpuUtil: f.cpuUtil, memoryUtil: f.memoryUtil, load, moveCost: cost, profileRank: profileRank(ask, s), score: load + cost };
}

/**
 * Best first: the lower score; on a tie the lower sum of both resources, then the group's
 * preferred system profile, then the name, so that equal systems always come in one order.
 */
export function compareRanked(a: Ranked, b: Ranked): number {
  return a.score - b.score
    || (a.cpuUtil + a.memoryUtil) - (b.cpuUtil + b.memoryUtil)
    || a.profileRank - b.profileRank
    || a.system.name.localeCompare(b.system.name);
}

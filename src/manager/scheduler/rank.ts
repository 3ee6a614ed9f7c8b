// Ranking: among the systems that may take a WPAR, which is best. The seed's automatic
// selection: the fit of the WPAR's current use on each candidate's current use (the busier
// resource after the move decides), then the group's preferred system profile; we add what
// the move itself costs, so that a move that gains little is not worth a long freeze.
import type { MemoryMethod } from '../../api/relocation.js';
import type { ResourceRef } from '../../api/resources.js';
import { fit, profileRank } from './feasible.js';
import type { Ask, SystemSnapshot } from './types.js';

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

/**
 * What an outside client sees of a move, in seconds of silence. Measured (docs: DESIGN §3):
 * stop-and-copy froze a WPAR 1.6 s for 256 MiB touched; post-copy about 0.3 s whatever its
 * size; restored sockets then stay silent about 1 s more (ARP, initial RTO). Pre-copy freezes
 * for the pages dirtied in the last round, taken here as a sixth of stop-and-copy's.
 */
const SILENT_SECONDS_PER_GIB: Record<MemoryMethod, number> = { stopAndCopy: 6.4, preCopy: 1.1, postCopy: 0 };
const SILENT_SECONDS_FIXED: Record<MemoryMethod, number> = { stopAndCopy: 1, preCopy: 1, postCopy: 1.3 };
/** A second of silence weighs as much as half a point of a system's load. */
const COST_PER_SILENT_SECOND = 0.005;

/** The cost of moving a WPAR of this memory by this method, in units of load (0..1 of a system). */
export function moveCost(memoryBytes: number, method: MemoryMethod): number {
  const seconds = SILENT_SECONDS_FIXED[method] + SILENT_SECONDS_PER_GIB[method] * (memoryBytes / 2 ** 30);
  return seconds * COST_PER_SILENT_SECOND;
}

/** The WPAR on a feasible system (one with a known size). */
export function rank(ask: Ask, s: SystemSnapshot & { capacity: NonNullable<SystemSnapshot['capacity']> }): Ranked {
  const f = fit(ask.use, s.capacity, s.used);
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

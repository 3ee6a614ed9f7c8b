// What the scheduler decides on: a snapshot of systems and the WPARs to place, as plain data.
// Gathering it (database, metrics, agents) is the mobility services' job; the scheduler does
// no I/O, so every decision can be replayed in a test.
import type { PairState } from '../../api/compatibility.js';
import type { ResourceRef } from '../../api/resources.js';
import type { SystemState } from '../../api/systems.js';

export interface Use {
  cpuCores: number;
  memoryBytes: number;
}

/** What the scheduler knows of a system that might take a WPAR. */
export interface SystemSnapshot {
  system: ResourceRef;
  state: SystemState;
  domain: ResourceRef;
  systemProfile: string | null;
  /** Marked for evacuation: nothing is placed on it until it is restored. */
  placementBlocked: boolean;
  /** Its size from its host profile; null when it has not reported one. */
  capacity: Use | null;
  /** Its recent use; null when no sample is at hand (counted as idle: a system that just connected). */
  used: Use | null;
}

/** What automatic selection asks of a system for one WPAR. */
export interface Ask {
  /** Its recent use: the arrival must have room for it. */
  use: Use;
  /** Automatic selection stays in this relocation domain. */
  domain: ResourceRef;
  /** Automatic selection only considers these system profiles, earlier ones first on equal use. */
  systemProfiles?: readonly string[];
  /** Compatibility from the WPAR's system to the candidate, with its group's optional tests. */
  compatibility(systemId: string): PairState;
  /** What moving it to the candidate costs, in units of utilisation (see moveCost()); 0 when absent. */
  moveCost?(systemId: string): number;
  /** Its group's affinity rules: WPARs it runs with (together) and never shares a system with (apart). */
  together?: readonly ResourceRef[];
  apart?: readonly ResourceRef[];
}

/** Where WPARs run, as a plan leaves them: what the group's affinity rules are checked against. */
export interface Whereabouts {
  systemOf(wparId: string): string | undefined;
  /** Marked for evacuation: the WPARs there are leaving, so an affinity with them binds nothing. */
  blocked(systemId: string): boolean;
}

/** A WPAR for the planner: the ask, whose it is and where it runs now. */
export interface PlanAsk extends Ask {
  wpar: ResourceRef;
  /** The system it runs on now (its use leaves that system when it moves); null when lost or new. */
  from: ResourceRef | null;
}

/** A WPAR's move, planned here or already under way, and the use it carries. */
export interface Move {
  wpar: ResourceRef;
  from: ResourceRef | null;
  to: ResourceRef;
  use: Use;
}

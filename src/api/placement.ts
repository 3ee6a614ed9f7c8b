// Where a WPAR may be relocated to: the seed's automatic selection (fully compatible systems of
// the group's relocation domain, ranked by their use and the WPAR's own) and manual selection
// (any other system, with its compatibility state; less than fully compatible needs a
// confirmation). One source of truth for the manager, the CLI and the console.
import { Type, type Static } from 'typebox';
import { OptionalTestSchema, PairStateSchema } from './compatibility.js';
import { ResourceRef } from './resources.js';

/** A system automatic selection would choose, best first. */
export const RankedTarget = Type.Object({
  system: ResourceRef,
  systemProfile: Type.Union([Type.String(), Type.Null()]),
  /** The system's CPU and memory use with the WPAR on it, as fractions of the system. */
  cpuUtil: Type.Number(),
  memoryUtil: Type.Number(),
  /** Lower is better: the busier of the two resources with the WPAR on it. */
  score: Type.Number(),
});
export type RankedTarget = Static<typeof RankedTarget>;

/** Any other system, as manual selection offers it. */
export const OtherTarget = Type.Object({
  system: ResourceRef,
  state: PairStateSchema,
  /** Manual selection may pick it (online, tested, taking WPARs). */
  offered: Type.Boolean(),
  /** Less than fully compatible: the user must confirm. */
  needsConfirmation: Type.Boolean(),
  /** Why manual selection does not offer it; null when it does. */
  notOffered: Type.Union([Type.String(), Type.Null()]),
  /** Why automatic selection leaves it out. */
  notAutomatic: Type.Array(Type.String()),
});
export type OtherTarget = Static<typeof OtherTarget>;

export const TargetsView = Type.Object({
  wpar: ResourceRef,
  departure: ResourceRef,
  group: ResourceRef,
  /** The relocation domain automatic selection stays in. */
  domain: ResourceRef,
  optionalTests: Type.Array(OptionalTestSchema),
  /** The WPAR's recent use that the arrival system must have room for. */
  use: Type.Object({ cpuCores: Type.Number(), memoryBytes: Type.Number() }),
  ranked: Type.Array(RankedTarget),
  others: Type.Array(OtherTarget),
});
export type TargetsView = Static<typeof TargetsView>;

export const TargetCheck = Type.Object({
  state: PairStateSchema,
  needsConfirmation: Type.Boolean(),
});
export type TargetCheck = Static<typeof TargetCheck>;

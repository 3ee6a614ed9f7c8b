// Managed systems: the Linux hosts that run WPARs. A system is Unknown until its agent
// reports, then Online or Offline as the agent connection comes and goes.
import { Type, type Static } from 'typebox';
import { PageQuery, Ref, ResourceName, ResourceRef } from './resources.js';

export const SYSTEM_STATES = ['Online', 'Offline', 'Unknown'] as const;
export type SystemState = (typeof SYSTEM_STATES)[number];
export const SystemState = Type.Enum(SYSTEM_STATES);

/** A host name, IPv4 or IPv6 address. */
export const HostAddress = Type.String({ minLength: 1, maxLength: 253, pattern: '^[a-zA-Z0-9:]([a-zA-Z0-9.:-]*[a-zA-Z0-9])?$' });

export const SystemView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  host: Type.String(),
  state: SystemState,
  /** The host profile its agent reported (agents.ts HostProfile); null until one has. */
  profile: Type.Unknown(),
  /** The system profile it shares with the systems of its relocation domain that have the same hardware; null until its agent reports. */
  systemProfile: Type.Union([Type.String(), Type.Null()]),
  domain: ResourceRef,
  /** WPARs deployed on it. */
  wparCount: Type.Integer({ minimum: 0 }),
  lastSeenAt: Type.Union([Type.String(), Type.Null()]),
  /** When its compatibility testing against the other systems finished; null while testing (or before its agent reports): not offered for relocation until then. */
  compatibilityTestedAt: Type.Union([Type.String(), Type.Null()]),
  /** No WPAR is relocated onto it (it is being evacuated). */
  placementBlocked: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type SystemView = Static<typeof SystemView>;

export const AddSystemRequest = Type.Object(
  { name: ResourceName, host: HostAddress, domain: Type.Optional(Ref) },
  { additionalProperties: false },
);
export type AddSystemRequest = Static<typeof AddSystemRequest>;

export const ModifySystemRequest = Type.Object(
  { name: Type.Optional(ResourceName), domain: Type.Optional(Ref) },
  { additionalProperties: false, minProperties: 1 },
);
export type ModifySystemRequest = Static<typeof ModifySystemRequest>;

export const SystemListQuery = Type.Object(
  { state: Type.Optional(SystemState), domain: Type.Optional(Ref), ...PageQuery },
  { additionalProperties: false },
);
export type SystemListQuery = Static<typeof SystemListQuery>;

/**
 * What becomes of the WPARs on a system being removed (the seed's two tasks before Remove
 * Managed System): kept as Undeployed definitions, or removed from it and deleted. Without
 * a choice, a system with WPARs is not removed.
 */
export const SYSTEM_WPAR_CHOICES = ['preserve', 'remove'] as const;
export type SystemWparChoice = (typeof SYSTEM_WPAR_CHOICES)[number];

export const RemoveSystemQuery = Type.Object(
  { wpars: Type.Optional(Type.Enum(SYSTEM_WPAR_CHOICES)) },
  { additionalProperties: false },
);
export type RemoveSystemQuery = Static<typeof RemoveSystemQuery>;

// Relocation domains: groupings of managed systems that serve the same purpose. Every system
// belongs to exactly one; new systems join the default domain.
import { Type, type Static } from 'typebox';
import { DomainAllowance, DomainAllowanceChange } from './privileges.js';
import { Description, PageQuery, ResourceName } from './resources.js';

export const DomainView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  /** The default domain exists always and cannot be removed. */
  isDefault: Type.Boolean(),
  systemCount: Type.Integer({ minimum: 0 }),
  /** What any WPAR user may grant WPARs on its systems; beyond it, only a WPARAdministrator. */
  allowance: DomainAllowance,
  createdAt: Type.String(),
});
export type DomainView = Static<typeof DomainView>;

export const CreateDomainRequest = Type.Object(
  { name: ResourceName, description: Type.Optional(Description), allowance: Type.Optional(DomainAllowance) },
  { additionalProperties: false },
);
export type CreateDomainRequest = Static<typeof CreateDomainRequest>;

export const ModifyDomainRequest = Type.Object(
  { name: Type.Optional(ResourceName), description: Type.Optional(Description), allowance: Type.Optional(DomainAllowanceChange) },
  { additionalProperties: false, minProperties: 1 },
);
export type ModifyDomainRequest = Static<typeof ModifyDomainRequest>;

export const DomainListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
export type DomainListQuery = Static<typeof DomainListQuery>;

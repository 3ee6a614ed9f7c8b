// Building blocks shared by the inventory resources (systems, domains, groups, WPARs):
// how they are named, referred to, and listed a page at a time.
import { Type, type Static, type TSchema } from 'typebox';

/** Names of systems, relocation domains and WPAR groups. */
export const RESOURCE_NAME_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$';
export const ResourceName = Type.String({ pattern: RESOURCE_NAME_PATTERN, maxLength: 63 });
export const Description = Type.String({ maxLength: 1024 });

/** Users type names: every resource can be referred to by its id or its name. */
export const Ref = Type.String({ minLength: 1, maxLength: 64, description: 'id or name' });

/** How one resource names another in its view. */
export const ResourceRef = Type.Object({ id: Type.String(), name: Type.String() });
export type ResourceRef = Static<typeof ResourceRef>;

export const RefParams = Type.Object({ id: Ref });

/** Offsets beyond any list the manager keeps; the bound keeps them exact integers for the database. */
export const MAX_OFFSET = 1_000_000_000;

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 }),
};

export interface Page<T> {
  items: T[];
  /** Matching resources in all pages. */
  total: number;
}

export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), total: Type.Integer({ minimum: 0 }) });
}

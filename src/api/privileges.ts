// The privilege policy: which parts of a WPAR spec reach the host (privileged fields), and
// whether a change grants any the caller may not grant. Pure: the manager decides with it
// before anything is stored, the console shows it, the agent's local policy reuses its paths.
import { Type, type Static } from 'typebox';
import type { ErrorCode } from './errors.js';
import type { WparSpec } from './wpar.js';

/** The capabilities every WPAR gets when its spec names none: runc's default set (`runc spec`). */
export const DEFAULT_CAPABILITIES: readonly string[] = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

export const PRIVILEGE_KINDS = ['hostMount', 'capability', 'hostImage', 'hostNetwork'] as const;
export type PrivilegeKind = (typeof PRIVILEGE_KINDS)[number];

/**
 * One way a spec reaches its host. The spec has no device field: a device can only come in
 * through a host bind mount of /dev, which is a hostMount.
 */
export interface Privilege {
  kind: PrivilegeKind;
  /** The spec property that carries it. */
  field: 'mounts' | 'privileges' | 'image' | 'interfaces';
  /** hostMount: the normalised source; capability: its name; else the field's value. */
  value: string;
  /** hostMount: whether the WPAR may write there. */
  writable?: boolean;
}

/** The refusal of each kind when the caller may not grant it (403, naming the field). */
export const PRIVILEGE_REFUSALS: Record<PrivilegeKind, ErrorCode> = {
  hostMount: 'CAP-E0208',
  capability: 'CAP-E0209',
  hostImage: 'CAP-E0210',
  hostNetwork: 'CAP-E0211',
};

/** What a relocation domain's administrator lets any WPAR user grant on its systems. */
export const DomainAllowance = Type.Object(
  {
    mountSources: Type.Array(Type.String({ pattern: '^/', maxLength: 4096, description: 'host path prefix a bind mount source may lie within' }), { maxItems: 100, default: [] }),
    capabilities: Type.Array(Type.String({ pattern: '^CAP_[A-Z_]+$', maxLength: 64 }), { maxItems: 64, default: [] }),
  },
  { additionalProperties: false },
);
export type DomainAllowance = Static<typeof DomainAllowance>;

/** A change of an allowance names only the lists it replaces. */
export const DomainAllowanceChange = Type.Object(
  {
    mountSources: Type.Optional(Type.Array(DomainAllowance.properties.mountSources.items, { maxItems: 100 })),
    capabilities: Type.Optional(Type.Array(DomainAllowance.properties.capabilities.items, { maxItems: 64 })),
  },
  { additionalProperties: false },
);
export type DomainAllowanceChange = Static<typeof DomainAllowanceChange>;

export const NO_ALLOWANCE: DomainAllowance = { mountSources: [], capabilities: [] };

/** The absolute path with `.`, `..` and repeated or trailing slashes resolved. */
export function normalPath(path: string): string {
  // By hand, not node:path: the console imports this module too.
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '' && part !== '.') parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Whether `path` is `tree` or lies inside it (component-wise: /srv/data is not within /srv/d). */
export function pathWithin(path: string, tree: string): boolean {
  const p = normalPath(path);
  const t = normalPath(tree);
  return p === t || p.startsWith(t === '/' ? '/' : `${t}/`);
}

/** Every privileged field of a spec. */
export function privilegesOf(spec: WparSpec): Privilege[] {
  const found: Privilege[] = [];
  for (const m of spec.mounts) {
    if (m.type !== 'tmpfs') found.push({ kind: 'hostMount', field: 'mounts', value: normalPath(m.source), writable: !m.readOnly });
  }
  for (const cap of spec.privileges ?? []) {
    if (!DEFAULT_CAPABILITIES.includes(cap)) found.push({ kind: 'capability', field: 'privileges', value: cap });
  }
  if (spec.image === 'host') found.push({ kind: 'hostImage', field: 'image', value: 'host' });
  // An application WPAR without an interface joins the host's network namespace.
  if (spec.type === 'application' && spec.interfaces.length === 0) found.push({ kind: 'hostNetwork', field: 'interfaces', value: 'the host network' });
  return found;
}

/** Whether holding `had` already gives all that `p` asks for (a read-only mount is covered by a writable one). */
function covers(had: Privilege, p: Privilege): boolean {
  return had.kind === p.kind && had.value === p.value && (!p.writable || had.writable === true);
}

export function allowedBy(p: Privilege, allowance: DomainAllowance): boolean {
  if (p.kind === 'hostMount') return allowance.mountSources.some((prefix) => pathWithin(p.value, prefix));
  if (p.kind === 'capability') return allowance.capabilities.includes(p.value);
  return false;
}

/**
 * What `after` grants beyond `before` (nothing before: a new definition) that the domain's
 * allowance does not cover: what only a WPARAdministrator may set.
 */
export function ungranted(before: WparSpec | undefined, after: WparSpec, allowance: DomainAllowance): Privilege[] {
  const had = before ? privilegesOf(before) : [];
  return privilegesOf(after).filter((p) => !had.some((h) => covers(h, p)) && !allowedBy(p, allowance));
}

/** The privileges a spec holds that the domain's allowance does not cover (deploying or relocating into it). */
export function beyondAllowance(spec: WparSpec, allowance: DomainAllowance): Privilege[] {
  return ungranted(undefined, spec, allowance);
}

/** The capabilities a spec asks for that a host cannot give (not in its bounding set). */
export function capabilitiesLacking(spec: WparSpec, available: readonly string[]): string[] {
  return (spec.privileges ?? []).filter((cap) => !available.includes(cap));
}

/** How a refusal names a privilege: the field, then what it holds. */
export function describePrivilege(p: Privilege): string {
  const mode = p.kind === 'hostMount' ? (p.writable ? ' (read-write)' : ' (read-only)') : '';
  return `${p.field}: ${p.value}${mode}`;
}

/** The spec properties that carry privileges (an application WPAR's interfaces decide host networking). */
export const PRIVILEGED_PROPERTIES = ['type', 'image', 'mounts', 'interfaces', 'privileges'] as const satisfies readonly (keyof WparSpec)[];

/** `reported` with the privileged properties of `kept`: what a report may change of a definition. */
export function withPrivilegedFieldsOf(kept: WparSpec, reported: WparSpec): WparSpec {
  const merged: WparSpec = { ...reported, type: kept.type, image: kept.image, mounts: kept.mounts, interfaces: kept.interfaces };
  if (kept.privileges === undefined) delete merged.privileges;
  else merged.privileges = kept.privileges;
  return merged;
}

/** Whether two specs reach their host the same way. */
export function samePrivileges(a: WparSpec, b: WparSpec): boolean {
  const key = (s: WparSpec) => privilegesOf(s).map((p) => `${p.kind}:${p.value}:${p.writable ?? ''}`).sort().join('\n');
  return key(a) === key(b);
}

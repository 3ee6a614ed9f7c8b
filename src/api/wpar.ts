// WPAR definitions: the one schema shared by the manager's API, the agent, the local
// engine, the CLI and the console.
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { CapstanError } from './errors.js';
import { PageQuery, Ref, ResourceRef } from './resources.js';
import { STATE_ACTIONS, WPAR_STATES, type StateAction } from './wpar-states.js';

export const WPAR_NAME_PATTERN = '^[a-zA-Z][a-zA-Z0-9_-]{0,29}$';
/** Linux capability names as runc expects them. */
export const CAPABILITY_PATTERN = '^CAP_[A-Z_]+$';

/**
 * How much a spec may hold. A spec travels to agents and is stored with every WPAR: these keep
 * it a few hundred kilobytes at most, well above what any real WPAR needs.
 */
export const SPEC_LIMITS = {
  imageLength: 255,
  commandArgs: 256,
  argLength: 4096,
  interfaces: 16,
  mounts: 64,
  pathLength: 4096,
  privileges: 64,
  capabilityLength: 32,
  /** 16 TiB. */
  memoryLimitMiB: 16 * 1024 * 1024,
  /** The kernel's largest pid_max. */
  processLimit: 4_194_304,
} as const;

const IPV4 = { format: 'ipv4', maxLength: 15 } as const;

export const WparType = Type.Union([Type.Literal('system'), Type.Literal('application')]);
export type WparType = Static<typeof WparType>;

export const NetworkInterface = Type.Object(
  {
    address: Type.String({ ...IPV4, description: 'static IPv4 address of the WPAR' }),
    prefix: Type.Integer({ minimum: 1, maximum: 32, default: 24 }),
    gateway: Type.Optional(Type.String(IPV4)),
    bridge: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9_.-]{1,15}$', maxLength: 15, description: 'host bridge; the system default when absent' })),
  },
  { additionalProperties: false },
);
export type NetworkInterface = Static<typeof NetworkInterface>;

export const Mount = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: SPEC_LIMITS.pathLength, description: 'host path (bind) or "tmpfs"' }),
    target: Type.String({ pattern: '^/', maxLength: SPEC_LIMITS.pathLength, description: 'absolute path inside the WPAR' }),
    type: Type.Union([Type.Literal('bind'), Type.Literal('tmpfs')], { default: 'bind' }),
    readOnly: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);
export type Mount = Static<typeof Mount>;

export const ResourceControls = Type.Object(
  {
    cpuShares: Type.Optional(Type.Integer({ minimum: 2, maximum: 262144, description: 'relative CPU weight' })),
    cpuLimit: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1024, description: 'hard limit in cores (0.5 = half a core)' })),
    memoryLimitMiB: Type.Optional(Type.Integer({ minimum: 4, maximum: SPEC_LIMITS.memoryLimitMiB, description: 'hard memory limit' })),
    processLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: SPEC_LIMITS.processLimit, description: 'maximum number of processes/threads' })),
  },
  { additionalProperties: false },
);
export type ResourceControls = Static<typeof ResourceControls>;

/** What a WPAR is: everything needed to create it on any host. */
export const WparSpec = Type.Object(
  {
    name: Type.String({ pattern: WPAR_NAME_PATTERN, maxLength: 30 }),
    type: WparType,
    hostname: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$', maxLength: 63 })),
    image: Type.String({ minLength: 1, maxLength: SPEC_LIMITS.imageLength, default: 'busybox', description: 'base image in the host image store' }),
    command: Type.Optional(Type.Array(Type.String({ maxLength: SPEC_LIMITS.argLength }), { minItems: 1, maxItems: SPEC_LIMITS.commandArgs, description: 'application WPARs: the command; system WPARs: init (default /sbin/init)' })),
    interfaces: Type.Array(NetworkInterface, { maxItems: SPEC_LIMITS.interfaces, default: [] }),
    mounts: Type.Array(Mount, { maxItems: SPEC_LIMITS.mounts, default: [] }),
    resources: Type.Object(ResourceControls.properties, { additionalProperties: false, default: {} }),
    checkpointable: Type.Boolean({ default: false }),
    privileges: Type.Optional(Type.Array(Type.String({ pattern: CAPABILITY_PATTERN, maxLength: SPEC_LIMITS.capabilityLength }), { maxItems: SPEC_LIMITS.privileges, description: 'capability set; the host default when absent' })),
  },
  { additionalProperties: false },
);
export type WparSpec = Static<typeof WparSpec>;

/** Fills in the defaults and checks what the schema cannot: the one way a spec is accepted. */
export function normalizeWparSpec(input: unknown): WparSpec {
  const spec = Value.Default(WparSpec, structuredClone(input)) as WparSpec;
  const error = Value.Errors(WparSpec, spec)[0];
  if (error) throw new CapstanError('CAP-E0001', `${error.instancePath || 'spec'} ${error.message}`);
  if (spec.type === 'application' && !spec.command) throw new CapstanError('CAP-E0205');
  // runc would take a relative source from the bundle directory: somewhere on the host nobody chose.
  const relative = spec.mounts.find((m) => m.type !== 'tmpfs' && !m.source.startsWith('/'));
  if (relative) throw new CapstanError('CAP-E0001', `mount source ${relative.source} must be an absolute host path`);
  return spec;
}

// ---- The manager's WPAR resource: a definition, where it is deployed, and its state ----

export const WparStateSchema = Type.Enum(WPAR_STATES);

export const WparView = Type.Object({
  ...WparSpec.properties,
  id: Type.String(),
  state: WparStateSchema,
  /** Why the WPAR is in its state, e.g. the failure that left it Broken. */
  stateReason: Type.Union([Type.String(), Type.Null()]),
  /** How an application WPAR's command last ended. */
  exitStatus: Type.Union([Type.Integer(), Type.Null()]),
  /** The system it is deployed on; null while Undeployed. */
  system: Type.Union([ResourceRef, Type.Null()]),
  group: ResourceRef,
  /** The task acting on it now; other actions are refused until it ends. */
  busyTaskId: Type.Union([Type.String(), Type.Null()]),
  /** Found on a system with privileged fields nobody here granted: not deployed or relocated until a WPARAdministrator accepts them. */
  privilegesUnaccepted: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type WparView = Static<typeof WparView>;

export const CreateWparRequest = Type.Object(
  {
    ...WparSpec.properties,
    group: Type.Optional(Ref),
    system: Type.Optional(Type.String({ ...Ref, description: 'deploy it on this system (id or name) right away' })),
    start: Type.Optional(Type.Boolean({ description: 'with system: start a system WPAR once deployed' })),
  },
  { additionalProperties: false },
);
export type CreateWparRequest = Static<typeof CreateWparRequest>;

/** Create from an existing WPAR: its spec with a new name and, when given, new addresses. */
export const CloneWparRequest = Type.Object(
  {
    name: WparSpec.properties.name,
    hostname: Type.Optional(WparSpec.properties.hostname),
    addresses: Type.Optional(Type.Array(Type.String(IPV4), { maxItems: SPEC_LIMITS.interfaces, description: 'one per interface of the template, in order' })),
    group: Type.Optional(Ref),
  },
  { additionalProperties: false },
);
export type CloneWparRequest = Static<typeof CloneWparRequest>;

// A change names only what changes: defaults must not fill in what it leaves out, and an
// optional property is cleared with null.
const modifyProperties: Record<string, TSchema> = {};
for (const [key, schema] of Object.entries(WparSpec.properties)) {
  const { default: _default, ...plain } = schema as TSchema & { default?: unknown };
  const optional = !(WparSpec.required as readonly string[]).includes(key);
  modifyProperties[key] = Type.Optional(optional ? Type.Union([Type.Null(), plain as TSchema]) : (plain as TSchema));
}
export const ModifyWparRequest = Type.Object(
  { ...modifyProperties, group: Type.Optional(Ref) },
  { additionalProperties: false, minProperties: 1 },
);
export type ModifyWparRequest = {
  [K in keyof WparSpec]?: undefined extends WparSpec[K] ? Exclude<WparSpec[K], undefined> | null : WparSpec[K];
} & { group?: string };

export const DeployRequest = Type.Object(
  {
    system: Type.Optional(Type.String({ ...Ref, description: 'the system to deploy on (id or name)' })),
    start: Type.Boolean({ default: false, description: 'start a system WPAR once deployed (application WPARs always start)' }),
  },
  { additionalProperties: false },
);
export type DeployRequest = Static<typeof DeployRequest>;

export const RemoveRequest = Type.Object(
  {
    preserveFileSystems: Type.Boolean({ default: false, description: 'system WPARs: keep the root filesystem for a later deployment' }),
    deleteDefinition: Type.Boolean({ default: false, description: 'also delete the definition from the manager' }),
  },
  { additionalProperties: false },
);
export type RemoveRequest = Static<typeof RemoveRequest>;

export const WPAR_SORT_KEYS = ['name', 'state', 'type', 'system', 'group', 'createdAt', 'updatedAt'] as const;
export type WparSortKey = (typeof WPAR_SORT_KEYS)[number];

export const WparListQuery = Type.Object(
  {
    state: Type.Optional(Type.Array(WparStateSchema, { maxItems: WPAR_STATES.length, description: 'any of these states' })),
    type: Type.Optional(WparType),
    system: Type.Optional(Ref),
    group: Type.Optional(Ref),
    sort: Type.Enum(WPAR_SORT_KEYS, { default: 'name' }),
    order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type WparListQuery = Static<typeof WparListQuery>;

/** Actions on a deployed WPAR that take no options: each moves it to another state. */
export const WPAR_STATE_ACTIONS = STATE_ACTIONS;
export type WparStateAction = StateAction;

// WPAR definitions: the one schema shared by the manager's API, the agent, the local
// engine, the CLI and the console.
import { Type, type Static } from 'typebox';

export const WPAR_NAME_PATTERN = '^[a-zA-Z][a-zA-Z0-9_-]{0,29}$';
/** Linux capability names as runc expects them. */
export const CAPABILITY_PATTERN = '^CAP_[A-Z_]+$';

export const WparType = Type.Union([Type.Literal('system'), Type.Literal('application')]);
export type WparType = Static<typeof WparType>;

export const NetworkInterface = Type.Object(
  {
    address: Type.String({ format: 'ipv4', description: 'static IPv4 address of the WPAR' }),
    prefix: Type.Integer({ minimum: 1, maximum: 32, default: 24 }),
    gateway: Type.Optional(Type.String({ format: 'ipv4' })),
    bridge: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9_.-]{1,15}$', description: 'host bridge; the system default when absent' })),
  },
  { additionalProperties: false },
);
export type NetworkInterface = Static<typeof NetworkInterface>;

export const Mount = Type.Object(
  {
    source: Type.String({ minLength: 1, description: 'host path (bind) or "tmpfs"' }),
    target: Type.String({ pattern: '^/', description: 'absolute path inside the WPAR' }),
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
    memoryLimitMiB: Type.Optional(Type.Integer({ minimum: 4, description: 'hard memory limit' })),
    processLimit: Type.Optional(Type.Integer({ minimum: 1, description: 'maximum number of processes/threads' })),
  },
  { additionalProperties: false },
);
export type ResourceControls = Static<typeof ResourceControls>;

/** What a WPAR is: everything needed to create it on any host. */
export const WparSpec = Type.Object(
  {
    name: Type.String({ pattern: WPAR_NAME_PATTERN }),
    type: WparType,
    hostname: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$' })),
    image: Type.String({ minLength: 1, default: 'busybox', description: 'base image in the host image store' }),
    command: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'application WPARs: the command; system WPARs: init (default /sbin/init)' })),
    interfaces: Type.Array(NetworkInterface, { default: [] }),
    mounts: Type.Array(Mount, { default: [] }),
    resources: Type.Object(ResourceControls.properties, { additionalProperties: false, default: {} }),
    checkpointable: Type.Boolean({ default: false }),
    privileges: Type.Optional(Type.Array(Type.String({ pattern: CAPABILITY_PATTERN }), { description: 'capability set; the host default when absent' })),
  },
  { additionalProperties: false },
);
export type WparSpec = Static<typeof WparSpec>;

// Agents: how a host's `capstan agent` registers with the manager, and the messages of the
// control channel (an agent-initiated WebSocket over mutual TLS). One source of truth for the
// manager, the agent, and the load generator of bench/manager.
import { Type, type Static } from 'typebox';
import { Components } from './capacity.js';
import { MetricValues } from './metrics.js';
import type { ArriveRequest, DepartRequest, SettleRequest } from './relocation.js';
import { HostAddress } from './systems.js';
import { AGENT_ACTIONS, WPAR_STATES } from './wpar-states.js';
import { WparSpec } from './wpar.js';

/** The agent's own port (peer transfers, health), as the seed's agent port. */
export const DEFAULT_AGENT_PORT = 9510;
/** Paths below the API prefix. */
export const AGENT_PATHS = { register: '/agents/register', unregister: '/agents/unregister', channel: '/agents/channel' } as const;
/** Agents send a heartbeat this often; the manager marks a system Offline after HEARTBEAT_MISSES are missed. */
export const HEARTBEAT_MS = 3_000;
export const HEARTBEAT_MISSES = 3;

// ---- host profile -------------------------------------------------------------------------

export const HostProfile = Type.Object({
  hostname: Type.String(),
  cpu: Type.Object({
    vendor: Type.String(),
    model: Type.String(),
    /** CPU feature flags, sorted. */
    flags: Type.Array(Type.String()),
    cores: Type.Integer({ minimum: 1 }),
    mhz: Type.Number({ minimum: 0 }),
  }),
  memoryBytes: Type.Number({ minimum: 0 }),
  kernel: Type.String(),
  os: Type.Object({ id: Type.String(), version: Type.String(), name: Type.String() }),
  libc: Type.String(),
  runc: Type.String(),
  criu: Type.String(),
  cgroupVersion: Type.Union([Type.Literal(1), Type.Literal(2)]),
  /** Whether the host clock is synchronised by NTP; null when the host cannot tell. */
  ntpSynchronized: Type.Union([Type.Boolean(), Type.Null()]),
  /** Capabilities the host can give a WPAR (the agent's bounding set), and the default set WPARs get. */
  privileges: Type.Object({ available: Type.Array(Type.String()), default: Type.Array(Type.String()) }),
  /** Memory methods live relocation can use from/to this host. */
  memoryTransfer: Type.Object({ postCopy: Type.Boolean(), preCopy: Type.Boolean() }),
  /** The id of the shared state directory the agent is configured with: hosts with the same id pass relocation images through it. */
  sharedStateId: Type.Optional(Type.String()),
  collectedAt: Type.String(),
});
export type HostProfile = Static<typeof HostProfile>;

// ---- registration -------------------------------------------------------------------------

export const RegisterRequest = Type.Object(
  {
    password: Type.String({ minLength: 1, maxLength: 256 }),
    /** PEM certificate signing request for the agent's key. */
    csr: Type.String({ minLength: 1, maxLength: 16_384 }),
    /** The system's name in the manager: the host name unless configured. */
    name: Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$', maxLength: 63 }),
    /** The address other hosts and the manager reach the agent at. */
    host: HostAddress,
    agentPort: Type.Integer({ minimum: 1, maximum: 65535 }),
  },
  { additionalProperties: false },
);
export type RegisterRequest = Static<typeof RegisterRequest>;

export const RegisterResponse = Type.Object({
  systemId: Type.String(),
  systemName: Type.String(),
  /** The agent's certificate (PEM), signed by the manager's CA. */
  certificate: Type.String(),
  /** The manager's CA certificate (PEM): peers' certificates are checked against it. */
  caCertificate: Type.String(),
});
export type RegisterResponse = Static<typeof RegisterResponse>;

export const AGENT_STATES = ['registered', 'revoked'] as const;

export const AgentView = Type.Object({
  systemId: Type.String(),
  systemName: Type.String(),
  state: Type.Enum(AGENT_STATES),
  certificateSerial: Type.String(),
  certificateExpiresAt: Type.String(),
  agentPort: Type.Integer(),
  connected: Type.Boolean(),
  registeredAt: Type.String(),
});
export type AgentView = Static<typeof AgentView>;

/** A registration password is a shared secret guessed at over the network: at least 16 characters. */
export const MIN_REGISTRATION_PASSWORD = 16;
export const RegistrationPasswordRequest = Type.Object({ password: Type.String({ minLength: MIN_REGISTRATION_PASSWORD, maxLength: 256 }) }, { additionalProperties: false });

export const REGISTRATION_REQUEST_STATES = ['pending', 'approved', 'refused'] as const;

/** A registration under the name of a system whose agent is registered: an administrator decides. */
export const RegistrationRequestView = Type.Object({
  systemName: Type.String(),
  /** SHA-256 of the key the new agent asks a certificate for (capstan agent configure prints it). */
  keyFingerprint: Type.String(),
  host: Type.String(),
  agentPort: Type.Integer(),
  /** The address the request came from. */
  source: Type.String(),
  state: Type.Enum(REGISTRATION_REQUEST_STATES),
  requestedAt: Type.String(),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
});
export type RegistrationRequestView = Static<typeof RegistrationRequestView>;

export const RegistrationRequestParams = Type.Object({ name: Type.String({ maxLength: 63 }) });

// ---- control channel ----------------------------------------------------------------------

/** A WPAR as the agent sees it on its host. */
export const WparReport = Type.Object({
  name: Type.String(),
  spec: WparSpec,
  state: Type.Enum(WPAR_STATES.filter((s) => s !== 'Undeployed')),
  brokenReason: Type.Optional(Type.String()),
  exitStatus: Type.Optional(Type.Integer()),
});
export type WparReport = Static<typeof WparReport>;

export const MetricSample = Type.Object({
  /** Epoch milliseconds. */
  t: Type.Number(),
  host: MetricValues,
  wpars: Type.Record(Type.String(), MetricValues),
});
export type MetricSample = Static<typeof MetricSample>;

/** The actions the manager asks of an agent (the inventory's SystemAction). */
export { AGENT_ACTIONS };

export const ActionRequest = Type.Object({
  type: Type.Literal('action'),
  id: Type.String(),
  action: Type.Enum(AGENT_ACTIONS),
  spec: WparSpec,
  start: Type.Optional(Type.Boolean()),
  preserveFileSystems: Type.Optional(Type.Boolean()),
  changed: Type.Optional(Type.Array(Type.String())),
});
export type ActionRequest = Static<typeof ActionRequest>;

/**
 * What a system's agent enforces on the cgroup slice of all its WPARs: the intended active
 * components of its instant capacity complex (memory and cells null where not governed).
 */
export const CapacityEnforcement = Type.Object({ serial: Type.String(), ...Components.properties });
export type CapacityEnforcement = Static<typeof CapacityEnforcement>;

/**
 * Manager → agent: open a session in a WPAR (console.ts) and dial its streams back to the
 * manager at agentConsolePath(sessionId); answered once the session runs.
 */
export interface ConsoleRequest {
  type: 'console';
  id: string;
  sessionId: string;
  name: string;
  /** None: a login shell. */
  command?: string[];
  tty: boolean;
  cols: number;
  rows: number;
  term?: string;
  /** The user who opened it, for the session's record. */
  by: string;
}

/** Manager → agent. Requests with an id are answered by a `result` with the same id. */
export type ManagerMessage =
  | ActionRequest
  /** Live relocation (relocation.ts). */
  | ArriveRequest
  | DepartRequest
  | SettleRequest
  | ConsoleRequest
  /** Report the WPARs again (the seed's Discover), then answer. */
  | { type: 'discover'; id: string }
  /** Read the host profile again, report it, then answer. */
  | { type: 'updateProfile'; id: string }
  | { type: 'logLevel'; level: string }
  /** The serials of revoked agent certificates: peers presenting one are refused. */
  | { type: 'revocations'; serials: string[] }
  /** A renewed certificate, answering `renew`. */
  | { type: 'certificate'; certificate: string }
  /** Every metrics sample up to this sequence number is stored. */
  | { type: 'metricsAck'; seq: number }
  /** Enforce this capacity from now on (kept by the agent across restarts); null: the system is in no complex. */
  | { type: 'enforce'; capacity: CapacityEnforcement | null };

/** Agent → manager, validated by the manager before anything is done with it. */
export const AgentMessage = Type.Union([
  Type.Object({ type: Type.Literal('hello'), agentVersion: Type.String(), profile: HostProfile, wpars: Type.Array(WparReport) }),
  Type.Object({ type: Type.Literal('heartbeat') }),
  Type.Object({ type: Type.Literal('inventory'), wpars: Type.Array(WparReport) }),
  Type.Object({ type: Type.Literal('profile'), profile: HostProfile }),
  /** `seq`: the agent's sequence number of the last sample, acknowledged by `metricsAck`. */
  Type.Object({ type: Type.Literal('metrics'), seq: Type.Integer({ minimum: 1 }), samples: Type.Array(MetricSample, { maxItems: 10_000 }) }),
  Type.Object({
    type: Type.Literal('result'),
    id: Type.String(),
    ok: Type.Boolean(),
    state: Type.Optional(Type.Enum(WPAR_STATES)),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    output: Type.Array(Type.String()),
  }),
  Type.Object({ type: Type.Literal('renew'), csr: Type.String({ maxLength: 16_384 }) }),
  /** The renewed certificate is saved (durably): the one it replaces may be revoked. */
  Type.Object({ type: Type.Literal('certificateSaved'), serial: Type.String({ maxLength: 128 }) }),
  /** What the agent has applied (actual active); `problem` says why it differs from what was asked. */
  Type.Object({ type: Type.Literal('capacityApplied'), actual: Type.Union([Components, Type.Null()]), problem: Type.Optional(Type.String({ maxLength: 2000 })) }),
]);
export type AgentMessage = Static<typeof AgentMessage>;

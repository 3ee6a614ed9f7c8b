// Instant capacity (the seed's iCAP): complexes and their usage rights, intended and actual
// active components per system, codewords, the temporary capacity ledger, compliance and
// notifications. One source of truth for the manager, the CLI and the console.
import { Type, type Static, type TSchema } from 'typebox';
import { PageOf, PageQuery, Ref, ResourceName } from './resources.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Count = Type.Integer({ minimum: 0, maximum: 1_000_000 });

export const CODEWORD_KINDS = ['cores', 'memory', 'cell', 'temporary'] as const;
/** Right-to-use for cores, memory (GiB) or cells; temporary capacity (core-seconds). */
export type CodewordKind = (typeof CODEWORD_KINDS)[number];

export const EXHAUSTION_ACTIONS = ['deactivate', 'notify'] as const;
export type ExhaustionAction = (typeof EXHAUSTION_ACTIONS)[number];
export const ExhaustionActionSchema = Type.Enum(EXHAUSTION_ACTIONS, {
  description: 'when temporary capacity runs out: deactivate back to the usage rights and notify, or only notify',
});

export const DEPLOY_CHECK_MODES = ['refuse', 'warn'] as const;
export type DeployCheckMode = (typeof DEPLOY_CHECK_MODES)[number];

/** Cores, memory (GiB) and cells (NUMA nodes); memory and cells are null where the complex does not govern them. */
export const Components = Type.Object({
  cores: Count,
  memoryGiB: Nullable(Count),
  cells: Nullable(Count),
});
export type Components = Static<typeof Components>;

export const CapacitySystemView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** Online, Offline or Unknown: a change for a system that is not online waits for its agent. */
  state: Type.String(),
  /** Intended active (IA): what the manager wants the system to enforce. */
  intended: Components,
  /** Actual active (AA): what the system's agent last reported as applied; null until it has. */
  actual: Nullable(Components),
  /** IA ≠ AA: a change not yet applied (or never reported). */
  pending: Type.Boolean(),
  actualReportedAt: Nullable(Type.String()),
  /** The cores its host profile reports; null until known. */
  hostCores: Nullable(Type.Integer({ minimum: 0 })),
});
export type CapacitySystemView = Static<typeof CapacitySystemView>;

export const ComponentCounts = Type.Object({
  /** Installed in the complex (declared, or the sum of its hosts' profiles); null while unknown. */
  total: Nullable(Count),
  rights: Count,
  /** Counted as the seed does: what is active (actual where reported, intended where not). */
  active: Count,
  /** total − active; null while the total is unknown. */
  inactive: Nullable(Type.Integer()),
});
export type ComponentCounts = Static<typeof ComponentCounts>;

export const TemporaryCapacityView = Type.Object({
  /** Core-seconds left; negative means the complex is out of compliance. */
  balanceSeconds: Type.Integer(),
  /** Cores active beyond the core usage rights now: the balance depletes this many seconds per second. */
  coresInUse: Count,
  /** When the balance runs out at the current use; null when nothing depletes it. */
  projectedExpiry: Nullable(Type.String()),
  /** Metered up to this instant. */
  meteredUntil: Type.String(),
  warningPeriodSeconds: Count,
  exhaustionAction: ExhaustionActionSchema,
});
export type TemporaryCapacityView = Static<typeof TemporaryCapacityView>;

export const ComplexView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  serial: Type.String(),
  cores: ComponentCounts,
  memoryGiB: Nullable(ComponentCounts),
  cells: Nullable(ComponentCounts),
  temporary: TemporaryCapacityView,
  compliance: Type.Object({ compliant: Type.Boolean(), reasons: Type.Array(Type.String()) }),
  systems: Type.Array(CapacitySystemView),
  /** The sequence number of the last codeword applied (0: none yet). */
  lastSequence: Count,
  contacts: Type.Array(Type.String()),
  webhooks: Type.Array(Type.String()),
  createdAt: Type.String(),
});
export type ComplexView = Static<typeof ComplexView>;

export const ComplexList = Type.Object({ items: Type.Array(ComplexView) });
export type ComplexList = Static<typeof ComplexList>;

const Email = Type.String({ format: 'email', maxLength: 254 });
const WebhookUrl = Type.String({ pattern: '^https?://', maxLength: 2048 });
const Seconds = Type.Integer({ minimum: 0, maximum: 2 ** 40 });

export const CreateComplexRequest = Type.Object(
  {
    name: ResourceName,
    /** The hardware serial codewords are bound to. */
    serial: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', maxLength: 64 }),
    /** Its systems (by id or name); a system belongs to one complex. */
    systems: Type.Array(Ref, { minItems: 1, maxItems: 64 }),
    /** Installed components; absent: from the systems' host profiles once reported (cores), or not governed (memory, cells). */
    totalCores: Type.Optional(Count),
    totalMemoryGiB: Type.Optional(Count),
    totalCells: Type.Optional(Count),
    /** The usage rights it is shipped with. */
    rights: Type.Object(
      { cores: Count, memoryGiB: Type.Optional(Count), cells: Type.Optional(Count) },
      { additionalProperties: false },
    ),
    /** Instant Access Capacity: temporary capacity (core-seconds) that comes with the initial rights. */
    instantAccessSeconds: Type.Optional(Seconds),
    warningPeriodSeconds: Type.Optional(Seconds),
    exhaustionAction: Type.Optional(ExhaustionActionSchema),
    contacts: Type.Optional(Type.Array(Email, { maxItems: 16 })),
    webhooks: Type.Optional(Type.Array(WebhookUrl, { maxItems: 16 })),
  },
  { additionalProperties: false },
);
export type CreateComplexRequest = Static<typeof CreateComplexRequest>;

export const ModifyComplexRequest = Type.Object(
  {
    name: Type.Optional(ResourceName),
    totalCores: Type.Optional(Nullable(Count)),
    totalMemoryGiB: Type.Optional(Nullable(Count)),
    totalCells: Type.Optional(Nullable(Count)),
    warningPeriodSeconds: Type.Optional(Seconds),
    exhaustionAction: Type.Optional(ExhaustionActionSchema),
    /** The seed's icapnotify: who is told about configuration changes, warnings and exceptions. */
    contacts: Type.Optional(Type.Array(Email, { maxItems: 16 })),
    webhooks: Type.Optional(Type.Array(WebhookUrl, { maxItems: 16 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ModifyComplexRequest = Static<typeof ModifyComplexRequest>;

/** Components to activate or deactivate on one system (at least one). */
export const ActivationRequest = Type.Object(
  { cores: Type.Optional(Count), memoryGiB: Type.Optional(Count), cells: Type.Optional(Count) },
  { additionalProperties: false, minProperties: 1 },
);
export type ActivationRequest = Static<typeof ActivationRequest>;

export const MoveRequest = Type.Object(
  { from: Ref, to: Ref, cores: Type.Integer({ minimum: 1, maximum: 1_000_000 }) },
  { additionalProperties: false },
);
export type MoveRequest = Static<typeof MoveRequest>;

export const ApplyCodewordRequest = Type.Object(
  {
    codeword: Type.String({ minLength: 1, maxLength: 1024 }),
    /** The complex it is for; found from the codeword's serial when absent. */
    complex: Type.Optional(Ref),
  },
  { additionalProperties: false },
);
export type ApplyCodewordRequest = Static<typeof ApplyCodewordRequest>;

export const AppliedCodeword = Type.Object({
  complex: Type.Object({ id: Type.String(), name: Type.String() }),
  kind: Type.Enum(CODEWORD_KINDS),
  sequence: Type.Integer({ minimum: 1 }),
  quantity: Type.Integer({ minimum: 0 }),
  issuedAt: Type.String(),
  status: ComplexView,
});
export type AppliedCodeword = Static<typeof AppliedCodeword>;

export const LEDGER_KINDS = ['instant-access', 'codeword', 'meter'] as const;
export const LedgerEntry = Type.Object({
  seq: Type.Integer({ minimum: 1 }),
  kind: Type.Enum(LEDGER_KINDS),
  /** Core-seconds: credits positive, debits negative. */
  amount: Type.Integer(),
  balanceAfter: Type.Integer(),
  /** A meter debit covers [from, to): the seconds in which `excessCores` cores were active beyond the rights. */
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  excessCores: Nullable(Count),
  codewordSequence: Nullable(Type.Integer()),
  createdAt: Type.String(),
});
export type LedgerEntry = Static<typeof LedgerEntry>;

export const LedgerQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) },
  { additionalProperties: false },
);
export type LedgerQuery = Static<typeof LedgerQuery>;

export const LedgerList = Type.Object({ items: Type.Array(LedgerEntry) });
export type LedgerList = Static<typeof LedgerList>;

export const IssuerKeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** The raw Ed25519 public key, base64url. */
  publicKey: Type.String(),
  /** Configured in manager.json (not removable through the API) or added through the API. */
  source: Type.Union([Type.Literal('config'), Type.Literal('api')]),
  createdAt: Nullable(Type.String()),
});
export type IssuerKeyView = Static<typeof IssuerKeyView>;

export const IssuerKeyList = Type.Object({ items: Type.Array(IssuerKeyView) });
export type IssuerKeyList = Static<typeof IssuerKeyList>;

/**
 * An issuer's public key as text: "ed25519:" and the 32 raw bytes in base64url (the prefix may
 * be left out). Not a schema pattern: the manager refuses other text with its own code, CAP-E0812.
 */
export const ISSUER_PUBLIC_KEY = /^(ed25519:)?([A-Za-z0-9_-]{43})$/;

export const AddIssuerKeyRequest = Type.Object(
  { name: ResourceName, publicKey: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
export type AddIssuerKeyRequest = Static<typeof AddIssuerKeyRequest>;

export const CapacitySettings = Type.Object(
  {
    /** Deploying a WPAR onto a system without the active capacity it needs: refused, or allowed with a warning. */
    deployCheck: Type.Enum(DEPLOY_CHECK_MODES),
  },
  { additionalProperties: false },
);
export type CapacitySettings = Static<typeof CapacitySettings>;

export const NOTICE_KINDS = ['configuration', 'warning', 'exception', 'test'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const DeliveryView = Type.Object({
  id: Type.String(),
  complex: Nullable(Type.String()),
  kind: Type.Enum(NOTICE_KINDS),
  subject: Type.String(),
  channel: Type.Union([Type.Literal('email'), Type.Literal('webhook')]),
  target: Type.String(),
  status: Type.Union([Type.Literal('sent'), Type.Literal('failed')]),
  error: Nullable(Type.String()),
  createdAt: Type.String(),
});
export type DeliveryView = Static<typeof DeliveryView>;

export const DeliveryList = Type.Object({ items: Type.Array(DeliveryView) });
export type DeliveryList = Static<typeof DeliveryList>;

export const DeliveryQuery = Type.Object(
  { complex: Type.Optional(Ref), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) },
  { additionalProperties: false },
);
export type DeliveryQuery = Static<typeof DeliveryQuery>;

// ---- The activation log: every change to a complex's capacity, who made it and when ----

/**
 * What a change did. Per system: `activate`, `deactivate`, `move` (one entry for each of the
 * two systems), `exhaustion-deactivate` (the manager's exhaustion action). Per complex (no
 * system): `codeword-applied` (its rights or temporary balance; a memory or cell codeword
 * also has an entry for each system whose memory or cells became governed),
 * `temporary-credited` (Instant Access Capacity), `temporary-exhausted`, `complex-modified`,
 * `complex-removed`; `complex-created` has one entry for the complex and one for each system.
 */
export const ACTIVATION_LOG_ACTIONS = [
  'complex-created',
  'complex-modified',
  'complex-removed',
  'activate',
  'deactivate',
  'move',
  'codeword-applied',
  'temporary-credited',
  'temporary-exhausted',
  'exhaustion-deactivate',
] as const;
export type ActivationLogAction = (typeof ACTIVATION_LOG_ACTIONS)[number];

/** Who made a change: a user (by name), or the manager itself ("system": the exhaustion action). */
export const ACTOR_KINDS = ['user', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];
/** The name the manager's own changes are logged under. */
export const SYSTEM_ACTOR = 'system';

/**
 * Values before and after a change, by name: a system's intended active `cores`, `memoryGiB`,
 * `cells`; a complex's `rightsCores`, `rightsMemoryGiB`, `rightsCells`, `balanceSeconds`,
 * `totalCores`, `totalMemoryGiB`, `totalCells`, `warningPeriodSeconds`, `exhaustionAction`,
 * `contacts`, `webhooks`, `name`. Only what the change touched (null: not governed or none).
 */
export const LogValues = Type.Record(Type.String(), Nullable(Type.Union([Type.Number(), Type.String()])));
export type LogValues = Static<typeof LogValues>;

/** The codeword a change applied, from the serial's codeword history. */
export const LoggedCodeword = Type.Object({
  sequence: Type.Integer({ minimum: 1 }),
  kind: Type.Enum(CODEWORD_KINDS),
  quantity: Type.Integer({ minimum: 0 }),
  /** sha256 of the codeword: the same codeword always has the same digest. */
  digest: Type.String(),
  issuedAt: Type.String(),
});
export type LoggedCodeword = Static<typeof LoggedCodeword>;

export const ActivationLogEntry = Type.Object({
  /** Unique: the complex's id and the entry's number in that complex's log. */
  id: Type.String(),
  at: Type.String(),
  who: Type.String(),
  whoKind: Type.Enum(ACTOR_KINDS),
  action: Type.Enum(ACTIVATION_LOG_ACTIONS),
  /** As it was named at the change (a complex removed or renamed since keeps its entries). */
  complex: Type.Object({ id: Type.String(), name: Type.String(), serial: Type.String() }),
  /** The system the entry is about; null for an entry about the whole complex. */
  system: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  before: Nullable(LogValues),
  after: Nullable(LogValues),
  codeword: Nullable(LoggedCodeword),
  /** The change in words, as the notification said it. */
  detail: Type.String(),
});
export type ActivationLogEntry = Static<typeof ActivationLogEntry>;

const Instant = Type.String({ format: 'date-time', maxLength: 64 });
const LogFilters = {
  /** Entries of this complex (id, name or serial; a removed complex by its id, or its last name or serial). */
  complex: Type.Optional(Ref),
  /** Entries about this system (id or name). */
  system: Type.Optional(Ref),
  /** From this instant on (inclusive). */
  since: Type.Optional(Instant),
  /** Before this instant (exclusive). */
  until: Type.Optional(Instant),
};

export const ActivationLogQuery = Type.Object(
  { ...LogFilters, ...PageQuery },
  { additionalProperties: false },
);
export type ActivationLogQuery = Static<typeof ActivationLogQuery>;

/** The most entries one CSV export holds: narrow it with since/until for more. */
export const MAX_LOG_EXPORT = 100_000;

export const ActivationLogExportQuery = Type.Object(
  { ...LogFilters, limit: Type.Integer({ minimum: 1, maximum: MAX_LOG_EXPORT, default: MAX_LOG_EXPORT }) },
  { additionalProperties: false },
);
export type ActivationLogExportQuery = Static<typeof ActivationLogExportQuery>;

/** Newest first. */
export const ActivationLogPage = PageOf(ActivationLogEntry);
export type ActivationLogPage = Static<typeof ActivationLogPage>;

/** The columns of the CSV export, in order. */
export const ACTIVATION_LOG_CSV_COLUMNS = ['when', 'who', 'who_kind', 'action', 'complex', 'serial', 'system', 'before', 'after', 'codeword_sequence', 'codeword_kind', 'codeword_quantity', 'detail'] as const;

/**
 * What an entry changed, in one line (the CLI's table, the console's): each value before →
 * after; a system's values as it joined a complex; else the entry's own words.
 */
export function logChangeText(e: Pick<ActivationLogEntry, 'before' | 'after' | 'system' | 'detail'>): string {
  const shown = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? 'none' : String(v));
  const { before, after } = e;
  if (before !== null && after !== null) return Object.keys(after).map((k) => `${k} ${shown(before[k])} → ${shown(after[k])}`).join(', ');
  if (e.system && after !== null) return Object.entries(after).filter(([, v]) => v !== null).map(([k, v]) => `${k} ${shown(v)}`).join(', ');
  return e.detail;
}

// The manager's tables, as Kysely sees them. One schema for SQLite and PostgreSQL:
// ids are text UUIDs, times ISO-8601 text, JSON documents text, booleans 0/1 integers.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface UsersTable {
  id: string;
  name: string;
  full_name: string;
  password_hash: string;
  disabled: number;
  created_at: string;
  /** 1 until the user replaces a password an administrator (or the first start) chose; defaults to 0. */
  must_change_password: Generated<number>;
}

/** Membership of users in user groups (the OS-style groups roles can be mapped to). */
export interface UserGroupMembersTable {
  user_id: string;
  group_name: string;
}

export interface RoleMappingsTable {
  role: string;
  principal_type: 'user' | 'group';
  principal: string;
  created_at: string;
}

export interface SessionsTable {
  id: string; // sha256 of the cookie value
  user_id: string;
  created_at: string;
  expires_at: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface RelocationDomainsTable {
  id: string;
  name: string;
  description: string;
  /** JSON DomainAllowance: what any WPAR user may grant on its systems. */
  allowance: Generated<string>;
  created_at: string;
}

export interface SystemsTable {
  id: string;
  name: string;
  host: string;
  state: string;
  domain_id: string;
  profile: string | null; // JSON host profile
  created_at: string;
  updated_at: string;
  last_seen_at: string | null;
}

export interface WparGroupsTable {
  id: string;
  name: string;
  description: string;
  policy: string; // JSON
  created_at: string;
}

export interface WparsTable {
  id: string;
  name: string;
  type: string;
  spec: string; // JSON WparSpec
  state: string;
  state_reason: string | null;
  exit_status: number | null;
  system_id: string | null;
  group_id: string;
  /** A task currently acting on this WPAR: refuses concurrent actions. */
  busy_task_id: string | null;
  /** 1: discovered with privileged fields no WPARAdministrator has accepted; not deployed elsewhere until one does. */
  privileges_unaccepted: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface TasksTable {
  id: string;
  kind: string;
  status: string;
  target_kind: string | null;
  target_id: string | null;
  target_name: string | null;
  params: string; // JSON
  result: string | null; // JSON
  error_code: string | null;
  error: string | null;
  progress: number;
  progress_message: string | null;
  attempts: number;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
}

export interface TaskOperationsTable {
  task_id: string;
  seq: number;
  name: string;
  status: string;
  output: string;
  error: string | null;
  error_code: string | null;
  started_at: string | null;
  ended_at: string | null;
}

export interface SettingsTable {
  key: string;
  value: string; // JSON
}

export interface AgentCertificatesTable {
  /** Upper-case hex, as TLS reports a peer's serial. */
  serial: string;
  system_id: string;
  state: 'registered' | 'revoked';
  agent_port: number;
  not_after: string;
  created_at: string;
  revoked_at: string | null;
}

export interface MetricRowTable {
  subject_kind: 'system' | 'wpar';
  subject_id: string;
  /** Epoch milliseconds (PostgreSQL bigint: read back as a string). */
  t: number | string;
  system_id: string;
  cpu_cores: number;
  cpu_util: number;
  memory_bytes: number;
  memory_util: number;
  processes: number;
  net_rx: number;
  net_tx: number;
  disk_read: number;
  disk_write: number;
  effective_cpu_util: number | null;
}

export interface Database {
  users: UsersTable;
  user_group_members: UserGroupMembersTable;
  role_mappings: RoleMappingsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  relocation_domains: RelocationDomainsTable;
  systems: SystemsTable;
  wpar_groups: WparGroupsTable;
  wpars: WparsTable;
  tasks: TasksTable;
  task_operations: TaskOperationsTable;
  settings: SettingsTable;
  agent_certificates: AgentCertificatesTable;
  metric_samples: MetricRowTable;
  metric_rollups: MetricRowTable;
  capacity_complexes: CapacityComplexesTable;
  capacity_systems: CapacitySystemsTable;
  capacity_codeword_history: CapacityCodewordHistoryTable;
  capacity_ledger: CapacityLedgerTable;
  capacity_issuer_keys: CapacityIssuerKeysTable;
  notification_deliveries: NotificationDeliveriesTable;
  compatibility_results: CompatibilityResultsTable;
  system_mobility: SystemMobilityTable;
  relocation_leftovers: RelocationLeftoversTable;
  agent_registration_requests: AgentRegistrationRequestsTable;
  balance_events: BalanceEventsTable;
  capacity_activation_log: CapacityActivationLogTable;
}

export type UserRow = Selectable<UsersTable>;
export type SystemRow = Selectable<SystemsTable>;
export type WparRow = Selectable<WparsTable>;
export type WparGroupRow = Selectable<WparGroupsTable>;
export type DomainRow = Selectable<RelocationDomainsTable>;
export type TaskRow = Selectable<TasksTable>;
export type TaskOperationRow = Selectable<TaskOperationsTable>;
export type NewTask = Insertable<TasksTable>;
export type TaskUpdate = Updateable<TasksTable>;

// ---- Instant capacity (0008_capacity). Counts of core-seconds and Unix seconds are bigint:
// PostgreSQL's driver returns those as strings, so readers wrap them in Number(). ----

/** A complex: one hardware serial, its usage rights and its temporary capacity. */
export interface CapacityComplexesTable {
  id: string;
  name: string;
  serial: string;
  /** Declared installed components; null: from the host profiles (cores) or unknown. */
  total_cores: number | null;
  total_memory_gib: number | null;
  total_cells: number | null;
  rights_cores: number;
  /** null: memory (cells) not governed on this complex. */
  rights_memory_gib: number | null;
  rights_cells: number | null;
  /** Core-seconds; equals the sum of the complex's ledger. */
  temp_balance: number | string;
  /** Unix seconds: the meter has charged every second before this one. */
  metered_until: number | string;
  warning_period_s: number;
  exhaustion_action: string;
  temp_warned: number;
  temp_exhausted: number;
  last_sequence: number;
  contacts: string; // JSON string[]
  webhooks: string; // JSON string[]
  created_at: string;
  updated_at: string;
}

/** A system's membership of a complex: intended active (IA) and actual active (AA) components. */
export interface CapacitySystemsTable {
  system_id: string;
  complex_id: string;
  ia_cores: number;
  ia_memory_gib: number | null;
  ia_cells: number | null;
  aa_cores: number | null;
  aa_memory_gib: number | null;
  aa_cells: number | null;
  aa_reported_at: string | null;
}

/** Every codeword applied, by the serial it was issued for; never deleted, so no sequence number applies twice. */
export interface CapacityCodewordHistoryTable {
  serial: string;
  sequence: number;
  kind: string;
  quantity: number | string;
  digest: string;
  issued_at: string;
  applied_at: string;
  applied_by: string;
}

/** Append-only: credits (Instant Access Capacity, codewords) and meter debits over [from_s, to_s). */
export interface CapacityLedgerTable {
  complex_id: string;
  seq: number;
  kind: string;
  amount: number | string;
  balance_after: number | string;
  from_s: number | string | null;
  to_s: number | string | null;
  excess_cores: number | null;
  codeword_sequence: number | null;
  created_at: string;
}

export interface CapacityIssuerKeysTable {
  id: string;
  name: string;
  public_key: string;
  created_at: string;
}

export interface NotificationDeliveriesTable {
  id: string;
  complex_id: string | null;
  kind: string;
  subject: string;
  channel: string;
  target: string;
  status: string;
  error: string | null;
  created_at: string;
}

/** Append-only: every change to a complex's capacity (0016_capacity_activation_log). */
export interface CapacityActivationLogTable {
  /** No foreign key: the entries outlive their complex. */
  complex_id: string;
  /** 1, 2, … per complex, in the order the changes were made. */
  seq: number;
  at: string;
  /** A user's name, or "system" for the manager's own changes (actor_kind tells which). */
  actor: string;
  actor_kind: 'user' | 'system';
  action: string;
  complex_name: string;
  serial: string;
  system_id: string | null;
  system_name: string | null;
  /** JSON LogValues. */
  before: string | null;
  after: string | null;
  /** With `serial`, the key of the codeword's row in capacity_codeword_history. */
  codeword_sequence: number | null;
  detail: string;
}

export type ComplexRow = Selectable<CapacityComplexesTable>;
export type CapacitySystemRow = Selectable<CapacitySystemsTable>;

// ---- Mobility (0009_compatibility) ----

/** The compatibility tests from one system (departure) to another (arrival): every test, critical and optional. */
export interface CompatibilityResultsTable {
  departure_id: string;
  arrival_id: string;
  results: string; // JSON TestResult[]
  tested_at: string;
}

/** A system's part in mobility: where its compatibility testing is, and whether placement may choose it. */
export interface SystemMobilityTable {
  system_id: string;
  /** Set once the system was tested against every other one with a profile; null while testing. */
  compat_tested_at: string | null;
  /** Digest of the host profile last tested: a reconnect with the same profile needs no new testing. */
  compat_digest: string | null;
  /** 1: no WPAR is relocated onto it (the system is being evacuated). */
  placement_blocked: number;
}

/** A relocation's copy on a system lost during it, settled once that system's agent is back. */
export interface RelocationLeftoversTable {
  relocation_id: string;
  system_id: string;
  wpar_name: string;
  /** 'keep': the WPAR is still that system's (Broken, to be started again); 'drop': it runs elsewhere now. */
  outcome: 'keep' | 'drop';
  created_at: string;
}

export interface AgentRegistrationRequestsTable {
  system_name: string;
  /** PEM; the agent asks again with the same request, and is answered once it is approved. */
  csr: string;
  /** SHA-256 of the requested public key, for the administrator to compare with the agent's. */
  key_fingerprint: string;
  host: string;
  agent_port: number;
  /** The address the request came from. */
  source: string;
  state: 'pending' | 'approved' | 'refused';
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
}

// ---- The balancer (0014_balance_events) ----
export interface BalanceEventsTable {
  id: string;
  group_id: string;
  created_at: string;
  mode: 'recommend' | 'automatic';
  wpar_id: string;
  trigger: string;
  /** The MobilityProposal, as JSON. */
  proposal: string;
  status: 'open' | 'applied' | 'dismissed' | 'started';
  task_id: string | null;
  decided_by: string | null;
  decided_at: string | null;
}

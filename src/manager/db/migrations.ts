// Migrations in code, run at every start. Portable DDL only (SQLite and PostgreSQL).
// Append new migrations; never edit one that has shipped.
import type { Kysely, Migration, MigrationProvider } from 'kysely';

const DEFAULT_DOMAIN_ID = '00000000-0000-4000-8000-000000000001';
const DEFAULT_GROUP_ID = '00000000-0000-4000-8000-000000000002';
export const DEFAULTS = { domainId: DEFAULT_DOMAIN_ID, groupId: DEFAULT_GROUP_ID, domainName: 'default', groupName: 'default' } as const;

// Kysely's migrations take Kysely<any> by design: they must not depend on the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const migrations: Record<string, Migration> = {
  '0001_foundation': {
    async up(db: AnyDb) {
      await db.schema.createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('full_name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('user_group_members')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('group_name', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_group_members_pk', ['user_id', 'group_name'])
        .execute();
      await db.schema.createTable('role_mappings')
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('principal_type', 'text', (c) => c.notNull())
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('role_mappings_pk', ['role', 'principal_type', 'principal'])
        .execute();
      await db.schema.createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema.createTable('relocation_domains')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('systems')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('domain_id', 'text', (c) => c.notNull().references('relocation_domains.id'))
        .addColumn('profile', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text')
        .execute();
      await db.schema.createTable('wpar_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('policy', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('wpars')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('spec', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('state_reason', 'text')
        .addColumn('exit_status', 'integer')
        .addColumn('system_id', 'text', (c) => c.references('systems.id'))
        .addColumn('group_id', 'text', (c) => c.notNull().references('wpar_groups.id'))
        .addColumn('busy_task_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('wpars_system_idx').on('wpars').column('system_id').execute();
      await db.schema.createTable('tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('target_kind', 'text')
        .addColumn('target_id', 'text')
        .addColumn('target_name', 'text')
        .addColumn('params', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('result', 'text')
        .addColumn('error_code', 'text')
        .addColumn('error', 'text')
        .addColumn('progress', 'real', (c) => c.notNull().defaultTo(0))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('ended_at', 'text')
        .execute();
      await db.schema.createIndex('tasks_status_idx').on('tasks').column('status').execute();
      await db.schema.createTable('task_operations')
        .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('output', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('error', 'text')
        .addColumn('started_at', 'text')
        .addColumn('ended_at', 'text')
        .addPrimaryKeyConstraint('task_operations_pk', ['task_id', 'seq'])
        .execute();
      await db.schema.createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      const now = new Date().toISOString();
      await db.insertInto('relocation_domains')
        .values({ id: DEFAULT_DOMAIN_ID, name: 'default', description: 'Every system belongs here unless moved', created_at: now })
        .execute();
      await db.insertInto('wpar_groups')
        .values({ id: DEFAULT_GROUP_ID, name: 'default', description: 'Every WPAR belongs here unless moved', policy: '{}', created_at: now })
        .execute();
      // Identifies this database as Capstan's (backup/restore checks it).
      await db.insertInto('settings').values({ key: 'capstan.schema', value: JSON.stringify('capstan') }).execute();
    },
  },
  // The inventory lists filter WPARs by state, type and group (each sorted by name) and
  // count systems per domain; without these a 10,000-WPAR listing scans the table.
  '0002_inventory_indexes': {
    async up(db: AnyDb) {
      await db.schema.createIndex('wpars_state_name_idx').on('wpars').columns(['state', 'name']).execute();
      await db.schema.createIndex('wpars_type_name_idx').on('wpars').columns(['type', 'name']).execute();
      await db.schema.createIndex('wpars_group_name_idx').on('wpars').columns(['group_id', 'name']).execute();
      await db.schema.createIndex('wpars_created_idx').on('wpars').column('created_at').execute();
      await db.schema.createIndex('wpars_updated_idx').on('wpars').column('updated_at').execute();
      await db.schema.createIndex('systems_domain_idx').on('systems').column('domain_id').execute();
      await db.schema.createIndex('systems_state_idx').on('systems').column('state').execute();
    },
  },
  // A password that someone other than its user knows (the first start's one-time password,
  // one set by an administrator) must be replaced before the user may do anything else.
  '0003_users_must_change_password': {
    async up(db: AnyDb) {
      await db.schema.alterTable('users')
        .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  // Tasks say what they are doing (the message beside their progress), and a failed
  // operation keeps the stable code of its error like a failed task does. Tasks are listed
  // newest first, filtered by what they act on.
  '0004_task_details': {
    async up(db: AnyDb) {
      await db.schema.alterTable('tasks').addColumn('progress_message', 'text').execute();
      await db.schema.alterTable('task_operations').addColumn('error_code', 'text').execute();
      await db.schema.createIndex('tasks_created_idx').on('tasks').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('tasks_target_idx').on('tasks').columns(['target_kind', 'target_id']).execute();
    },
  },
  // Agents: one row per certificate the CA signed; revoked ones stay so they keep being refused.
  // Metrics: raw samples (a day) and 5-minute rollups (30 days) of hosts and WPARs.
  '0005_agents_metrics': {
    async up(db: AnyDb) {
      await db.schema.createTable('agent_certificates')
        .addColumn('serial', 'text', (c) => c.primaryKey())
        .addColumn('system_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('agent_port', 'integer', (c) => c.notNull())
        .addColumn('not_after', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createIndex('agent_certificates_system_idx').on('agent_certificates').column('system_id').execute();
      for (const table of ['metric_samples', 'metric_rollups']) {
        await db.schema.createTable(table)
          .addColumn('subject_kind', 'text', (c) => c.notNull())
          .addColumn('subject_id', 'text', (c) => c.notNull())
          .addColumn('t', 'bigint', (c) => c.notNull())
          .addColumn('system_id', 'text', (c) => c.notNull())
          .addColumn('cpu_cores', 'double precision', (c) => c.notNull())
          .addColumn('cpu_util', 'double precision', (c) => c.notNull())
          .addColumn('memory_bytes', 'double precision', (c) => c.notNull())
          .addColumn('memory_util', 'double precision', (c) => c.notNull())
          .addColumn('processes', 'double precision', (c) => c.notNull())
          .addColumn('net_rx', 'double precision', (c) => c.notNull())
          .addColumn('net_tx', 'double precision', (c) => c.notNull())
          .addColumn('disk_read', 'double precision', (c) => c.notNull())
          .addColumn('disk_write', 'double precision', (c) => c.notNull())
          .addColumn('effective_cpu_util', 'double precision')
          .addPrimaryKeyConstraint(`${table}_pk`, ['subject_kind', 'subject_id', 't'])
          .execute();
        await db.schema.createIndex(`${table}_t_idx`).on(table).column('t').execute();
      }
    },
  },
  // Instant capacity: complexes (one serial each) and their systems' intended and actual
  // active components, applied codewords, the temporary capacity ledger, trusted codeword
  // issuers, and the log of notifications sent.
  '0008_capacity': {
    async up(db: AnyDb) {
      await db.schema.createTable('capacity_complexes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('serial', 'text', (c) => c.notNull().unique())
        .addColumn('total_cores', 'integer')
        .addColumn('total_memory_gib', 'integer')
        .addColumn('total_cells', 'integer')
        .addColumn('rights_cores', 'integer', (c) => c.notNull())
        .addColumn('rights_memory_gib', 'integer')
        .addColumn('rights_cells', 'integer')
        .addColumn('temp_balance', 'bigint', (c) => c.notNull())
        .addColumn('metered_until', 'bigint', (c) => c.notNull())
        .addColumn('warning_period_s', 'integer', (c) => c.notNull())
        .addColumn('exhaustion_action', 'text', (c) => c.notNull())
        .addColumn('temp_warned', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('temp_exhausted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_sequence', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('contacts', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('webhooks', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('capacity_systems')
        .addColumn('system_id', 'text', (c) => c.primaryKey().references('systems.id').onDelete('cascade'))
        .addColumn('complex_id', 'text', (c) => c.notNull().references('capacity_complexes.id').onDelete('cascade'))
        .addColumn('ia_cores', 'integer', (c) => c.notNull())
        .addColumn('ia_memory_gib', 'integer')
        .addColumn('ia_cells', 'integer')
        .addColumn('aa_cores', 'integer')
        .addColumn('aa_memory_gib', 'integer')
        .addColumn('aa_cells', 'integer')
        .addColumn('aa_reported_at', 'text')
        .execute();
      await db.schema.createIndex('capacity_systems_complex_idx').on('capacity_systems').column('complex_id').execute();
      await db.schema.createTable('capacity_codewords')
        .addColumn('complex_id', 'text', (c) => c.notNull().references('capacity_complexes.id').onDelete('cascade'))
        .addColumn('sequence', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('quantity', 'bigint', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .addColumn('applied_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('capacity_codewords_pk', ['complex_id', 'sequence'])
        .execute();
      await db.schema.createTable('capacity_ledger')
        .addColumn('complex_id', 'text', (c) => c.notNull().references('capacity_complexes.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('balance_after', 'bigint', (c) => c.notNull())
        .addColumn('from_s', 'bigint')
        .addColumn('to_s', 'bigint')
        .addColumn('excess_cores', 'integer')
        .addColumn('codeword_sequence', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('capacity_ledger_pk', ['complex_id', 'seq'])
        .execute();
      await db.schema.createTable('capacity_issuer_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('public_key', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('notification_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('complex_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('notification_deliveries_created_idx').on('notification_deliveries').column('created_at').execute();
    },
  },
  // Mobility: the compatibility tests between every two systems, in both directions, and per
  // system where its testing is and whether relocation may place WPARs on it. Rows go with
  // their system.
  '0009_compatibility': {
    async up(db: AnyDb) {
      await db.schema.createTable('compatibility_results')
        .addColumn('departure_id', 'text', (c) => c.notNull().references('systems.id').onDelete('cascade'))
        .addColumn('arrival_id', 'text', (c) => c.notNull().references('systems.id').onDelete('cascade'))
        .addColumn('results', 'text', (c) => c.notNull())
        .addColumn('tested_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('compatibility_results_pk', ['departure_id', 'arrival_id'])
        .execute();
      await db.schema.createIndex('compatibility_results_arrival_idx').on('compatibility_results').column('arrival_id').execute();
      await db.schema.createTable('system_mobility')
        .addColumn('system_id', 'text', (c) => c.primaryKey().references('systems.id').onDelete('cascade'))
        .addColumn('compat_tested_at', 'text')
        .addColumn('compat_digest', 'text')
        .addColumn('placement_blocked', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  // What a relocation still has to settle on a system that was lost during it: done when
  // that system's agent is back.
  '0010_relocation_leftovers': {
    async up(db: AnyDb) {
      await db.schema.createTable('relocation_leftovers')
        .addColumn('relocation_id', 'text', (c) => c.notNull())
        .addColumn('system_id', 'text', (c) => c.notNull().references('systems.id').onDelete('cascade'))
        .addColumn('wpar_name', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('relocation_leftovers_pk', ['relocation_id', 'system_id'])
        .execute();
    },
  },
  // Registrations under the name of a system whose agent is registered: an administrator
  // approves or refuses each (one per name, the newest).
  '0011_agent_registration_requests': {
    async up(db: AnyDb) {
      await db.schema.createTable('agent_registration_requests')
        .addColumn('system_name', 'text', (c) => c.primaryKey())
        .addColumn('csr', 'text', (c) => c.notNull())
        .addColumn('key_fingerprint', 'text', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('agent_port', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text')
        .addColumn('decided_by', 'text')
        .execute();
    },
  },
  // Applied codewords belong to the serial, not to the complex's row: removing a complex
  // deleted them with it, so a complex re-created with the same serial took codewords 1..N
  // again. Kept for ever now; the existing ones move over.
  '0012_codeword_history': {
    async up(db: AnyDb) {
      await db.schema.createTable('capacity_codeword_history')
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('sequence', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('quantity', 'bigint', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .addColumn('applied_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('capacity_codeword_history_pk', ['serial', 'sequence'])
        .execute();
      await db.insertInto('capacity_codeword_history')
        .columns(['serial', 'sequence', 'kind', 'quantity', 'digest', 'issued_at', 'applied_at', 'applied_by'])
        .expression(db.selectFrom('capacity_codewords as w').innerJoin('capacity_complexes as c', 'c.id', 'w.complex_id')
          .select(['c.serial', 'w.sequence', 'w.kind', 'w.quantity', 'w.digest', 'w.issued_at', 'w.applied_at', 'w.applied_by']))
        .execute();
      await db.schema.dropTable('capacity_codewords').execute();
    },
  },
  // The privilege policy: what each relocation domain lets any WPAR user grant, and the
  // WPARs found on a system with privileged fields nobody here granted.
  '0013_privilege_policy': {
    async up(db: AnyDb) {
      await db.schema.alterTable('relocation_domains')
        .addColumn('allowance', 'text', (c) => c.notNull().defaultTo('{"mountSources":[],"capabilities":[]}'))
        .execute();
      await db.schema.alterTable('wpars')
        .addColumn('privileges_unaccepted', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  // The balancer's mobility events: recommendations waiting for a WPARAdministrator and the
  // moves it started, with why and the numbers. They go with their group.
  '0014_balance_events': {
    async up(db: AnyDb) {
      await db.schema.createTable('balance_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('group_id', 'text', (c) => c.notNull().references('wpar_groups.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('wpar_id', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('proposal', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('task_id', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'text')
        .execute();
      await db.schema.createIndex('balance_events_group_idx').on('balance_events').columns(['group_id', 'created_at']).execute();
      await db.schema.createIndex('balance_events_status_idx').on('balance_events').column('status').execute();
    },
  },
  // The activation log of instant capacity: one row per change to a complex (who, what, the
  // values before and after, the codeword), written in the change's own transaction. Numbered
  // per complex under its row lock, as the ledger is. Kept when the complex goes (no foreign
  // key), with the complex's and the system's names as they were; a codeword is named by
  // (serial, sequence), the key of capacity_codeword_history, which holds the rest of it.
  '0016_capacity_activation_log': {
    async up(db: AnyDb) {
      await db.schema.createTable('capacity_activation_log')
        .addColumn('complex_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('actor_kind', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('complex_name', 'text', (c) => c.notNull())
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('system_id', 'text')
        .addColumn('system_name', 'text')
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .addColumn('codeword_sequence', 'integer')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('capacity_activation_log_pk', ['complex_id', 'seq'])
        .execute();
      await db.schema.createIndex('capacity_activation_log_at_idx').on('capacity_activation_log').columns(['at', 'complex_id', 'seq']).execute();
      await db.schema.createIndex('capacity_activation_log_system_idx').on('capacity_activation_log').columns(['system_id', 'at']).execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};

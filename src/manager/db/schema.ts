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

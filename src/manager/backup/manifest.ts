// What a backup says about itself: that it is a Capstan backup, of which database kind, at
// which schema version. Restore checks it before touching anything.
import { sql, DEFAULT_MIGRATION_TABLE, type Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import type { DbKind } from '../db/kind.js';
import { migrationProvider } from '../db/migrations.js';
import type { Database } from '../db/schema.js';
import { readMember, readMembers, type ArchiveMember } from './archive.js';

export const BACKUP_FORMAT = 'capstan-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_MEMBER = 'manifest.json';
const MANIFEST_MAX_BYTES = 64 * 1024;

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  dbKind: DbKind;
  /** The latest migration applied to the database that was backed up. */
  schemaVersion: string;
  createdAt: string;
  /** The task that made it. */
  taskId: string;
  /** The archive member holding the database. */
  database: string;
  /** PostgreSQL: the schema that was dumped, and that a restore replaces. */
  schema?: string;
}

/** The member name of the database in a backup of this kind. */
export function databaseMember(kind: DbKind): string {
  return kind === 'sqlite' ? 'database.sqlite' : 'database.pgdump';
}

/** The latest migration the database has applied. */
export async function appliedSchemaVersion(db: Kysely<Database>): Promise<string> {
  const r = await sql<{ name: string }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)} order by name desc limit 1`.execute(db);
  const name = r.rows[0]?.name;
  if (!name) throw new Error('the database has no migrations applied');
  return name;
}

export async function knownSchemaVersions(): Promise<string[]> {
  return Object.keys(await migrationProvider.getMigrations());
}

/** Reads and checks a backup's manifest and finds its database; CAP-E0500 if it is not a Capstan backup. */
export async function openBackup(file: string): Promise<{ manifest: BackupManifest; database: ArchiveMember }> {
  const refuse = (why: string) => new CapstanError('CAP-E0500', `${file}: ${why}`);
  const members = await readMembers(file);
  if (!members) throw refuse('it is not a tar archive');
  const first = members[0];
  if (!first || first.name !== MANIFEST_MEMBER || first.size > MANIFEST_MAX_BYTES) throw refuse(`it does not start with ${MANIFEST_MEMBER}`);
  let m: Partial<BackupManifest>;
  try {
    m = JSON.parse((await readMember(file, first)).toString('utf8')) as Partial<BackupManifest>;
  } catch {
    throw refuse(`its ${MANIFEST_MEMBER} is not JSON`);
  }
  if (m.format !== BACKUP_FORMAT) throw refuse('its manifest has no Capstan backup marker');
  if (m.formatVersion !== BACKUP_FORMAT_VERSION) throw refuse(`backup format version ${String(m.formatVersion)} is not known here`);
  if ((m.dbKind !== 'sqlite' && m.dbKind !== 'postgres') || typeof m.schemaVersion !== 'string' || typeof m.database !== 'string'
    || (m.dbKind === 'postgres' && typeof m.schema !== 'string')) {
    throw refuse('its manifest is incomplete');
  }
  const database = members.find((x) => x.name === m.database);
  if (!database) throw refuse(`it lacks the database member ${m.database}`);
  return { manifest: m as BackupManifest, database };
}

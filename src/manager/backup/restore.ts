// Restores a backup, offline: the manager must be stopped (as in the seed, restoring
// replaces the existing database completely). Everything about the file is checked
// before the database is touched, and the replacement is all or nothing.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CapstanError } from '../../api/errors.js';
import { dbKindOf } from '../db/kind.js';
import { extractMember } from './archive.js';
import { knownSchemaVersions, openBackup, type BackupManifest } from './manifest.js';
import { DEFAULT_SCHEMA, restorePostgres } from './postgres.js';
import { checkSqliteDatabase, replaceSqlite, scratchBeside } from './sqlite.js';

/**
 * Replaces the database at `location` (a SQLite file path or a postgres:// URL) by the one
 * in the backup `file`, and returns the backup's manifest. Refuses, changing nothing, a file
 * that is not a Capstan backup (CAP-E0500), one of the other database kind (CAP-E0501), or
 * one made by a newer Capstan (CAP-E0503). An older backup is brought up to date by the
 * migrations at the manager's next start.
 */
export async function restoreBackup(file: string, location: string): Promise<BackupManifest> {
  if (!existsSync(file)) throw new CapstanError('CAP-E0505', file);
  const { manifest, database } = await openBackup(file);
  const kind = dbKindOf(location);
  if (manifest.dbKind !== kind) {
    throw new CapstanError('CAP-E0501', `${file} holds a ${manifest.dbKind} database; this manager's database is ${kind}`);
  }
  if (!(await knownSchemaVersions()).includes(manifest.schemaVersion)) {
    throw new CapstanError('CAP-E0503', `${file} is at schema version ${manifest.schemaVersion}`);
  }

  if (kind === 'sqlite') {
    await mkdir(dirname(location), { recursive: true });
    const scratch = scratchBeside(location, 'restore');
    try {
      await extractMember(file, database, scratch);
      checkSqliteDatabase(scratch, file);
      await replaceSqlite(scratch, location);
    } finally {
      await rm(scratch, { force: true });
    }
  } else {
    const scratchDir = await mkdtemp(join(tmpdir(), 'capstan-restore-'));
    try {
      const dump = join(scratchDir, database.name);
      await extractMember(file, database, dump);
      await restorePostgres(dump, location, manifest.schema ?? DEFAULT_SCHEMA);
    } finally {
      await rm(scratchDir, { recursive: true, force: true });
    }
  }
  return manifest;
}

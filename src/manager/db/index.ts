// Opens the manager's database: embedded SQLite (default, one file, WAL) or PostgreSQL,
// then brings its schema up to date.
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations.js';
import { dbKindOf, type DbKind } from './kind.js';

export interface DbHandle {
  db: Kysely<Database>;
  kind: DbKind;
  /** The SQLite file path, or the PostgreSQL URL. */
  location: string;
  /** The raw SQLite connection, for what Kysely does not offer (the online backup API). */
  sqlite?: SQLite.Database;
  /** The PostgreSQL schema the tables live in, when not the default one (tests use a private one each). */
  schema?: string;
  close(): Promise<void>;
}

/** Opens `location` (a file path or a postgres:// URL) and migrates it. */
export async function openDatabase(location: string, opts: { schema?: string } = {}): Promise<DbHandle> {
  const kind = dbKindOf(location);
  let db: Kysely<Database>;
  let sqlite: SQLite.Database | undefined;
  if (kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: location,
      max: 10,
      // A private schema per database handle lets tests share one PostgreSQL database.
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    if (opts.schema) {
      const client = await pool.connect();
      try {
        await client.query(`create schema if not exists "${opts.schema.replace(/"/g, '')}"`);
      } finally {
        client.release();
      }
    }
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
    sqlite = new SQLite(location);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // FULL: in WAL mode, every commit is synced before it is acknowledged (NORMAL may lose
    // the last commits on a power loss, though never corrupts).
    sqlite.pragma('synchronous = FULL');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  // Kysely looks for its migration tables in every schema unless told which one: a private
  // schema must not be mistaken for migrated because another schema is.
  // Unordered: every migration adds what it needs and none depends on a later one, so a database
  // that ran a newer migration first (work that landed in another order) still gets the missing one.
  const migrator = new Migrator({
    db, provider: migrationProvider, allowUnorderedMigrations: true,
    ...(kind === 'postgres' && opts.schema ? { migrationTableSchema: opts.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
  return { db, kind, location, sqlite, schema: kind === 'postgres' ? opts.schema : undefined, close: () => db.destroy() };
}

// Online backups of the manager's database, as tasks of kind db.backup: the database is
// copied while the manager runs (SQLite's backup API, or pg_dump), packed with a manifest
// into a temporary file, and renamed into <dataDir>/backups only when complete, so an
// interrupted backup never leaves a partial file under a backup's name. Backups run one
// at a time; one interrupted by a manager restart runs again from the start.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import type SQLite from 'better-sqlite3';
import type { BackupFile, BackupResult } from '../../api/backup.js';
import { CapstanError } from '../../api/errors.js';
import type { TaskView } from '../../api/tasks.js';
import type { ManagerConfig } from '../config.js';
import type { DbHandle } from '../db/index.js';
import type { DbKind } from '../db/kind.js';
import type { TaskContext, TaskEngine } from '../tasks/engine.js';
import { progressReporter } from '../tasks/progress.js';
import { writeArchive } from './archive.js';
import { fsyncDir } from '../../fs/durable.js';
import { appliedSchemaVersion, BACKUP_FORMAT, BACKUP_FORMAT_VERSION, databaseMember, MANIFEST_MEMBER, type BackupManifest } from './manifest.js';
import { DEFAULT_SCHEMA, dumpPostgres } from './postgres.js';
import { copySqlite } from './sqlite.js';
import { BACKUP_TASK, type BackupParams } from '../../api/task-kinds.js';

/** better-sqlite3's own default. */
const DEFAULT_PAGES_PER_STEP = 100;
/** Share of the progress for copying the database; the rest is writing the backup file. */
const COPY_SHARE = 0.9;
/** Scratch files of a backup in progress start with this (in the backups directory). */
const SCRATCH_PREFIX = '.capstan-';
const BACKUP_NAME = /^capstan-(sqlite|postgres)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-[0-9a-f]{8}\.tar$/;

export class BackupService {
  /**
   * Pages an online SQLite backup copies per turn of the event loop. Lower paces a big
   * backup, so the manager keeps answering requests while it runs.
   */
  pagesPerStep = DEFAULT_PAGES_PER_STEP;
  /** Backups run one after the other: each would slow the other, and they share the scratch space. */
  private exclusive: Promise<unknown> = Promise.resolve();

  constructor(readonly dbHandle: DbHandle, readonly tasks: TaskEngine, readonly config: ManagerConfig) {
    tasks.register({
      kind: BACKUP_TASK,
      // A run starts from scratch and only its final rename publishes anything: running it again is safe.
      onRestart: 'resume',
      run: (ctx) => this.oneAtATime(() => this.run(ctx)),
    });
  }

  /** Where backups are written. */
  get dir(): string {
    return join(this.config.dataDir, 'backups');
  }

  /** Starts a backup task. */
  start(createdBy?: string): Promise<TaskView> {
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    const name = `capstan-${this.dbHandle.kind}-${stamp}-${randomBytes(4).toString('hex')}.tar`;
    return this.tasks.submit(BACKUP_TASK, { name }, { createdBy });
  }

  /** The backups in the backups directory, newest first. */
  async list(): Promise<BackupFile[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const files: BackupFile[] = [];
    for (const name of names) {
      const m = BACKUP_NAME.exec(name);
      if (!m) continue;
      const [, kind, y, mo, d, h, mi, s, ms] = m;
      const st = await stat(join(this.dir, name)).catch(() => undefined);
      if (!st?.isFile()) continue;
      files.push({ name, dbKind: kind as DbKind, sizeBytes: st.size, createdAt: `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z` });
    }
    // Two made in the same millisecond: by name, so the order is the same at every listing.
    return files.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  }

  private oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(fn);
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  private async run(ctx: TaskContext<BackupParams>): Promise<BackupResult> {
    const { kind, db } = this.dbHandle;
    const name = ctx.params.name;
    if (!BACKUP_NAME.test(name)) throw new CapstanError('CAP-E0502', `not a backup file name: ${name}`);
    const path = join(this.dir, name);
    const scratch = (what: string) => join(this.dir, `${SCRATCH_PREFIX}${ctx.taskId}.${what}.partial`);
    const dump = scratch(kind === 'sqlite' ? 'sqlite' : 'pgdump');
    const archive = scratch('tar');
    const report = progressReporter(ctx);

    await ctx.operation('prepare', async (op) => {
      await mkdir(this.dir, { recursive: true });
      // Backups run one at a time, so any scratch file here was left by one that was killed.
      for (const f of (await readdir(this.dir)).filter((f) => f.startsWith(SCRATCH_PREFIX))) {
        await rm(join(this.dir, f), { force: true });
        op.log(`removed ${f}, left by an interrupted backup`);
      }
      op.log(`backing up the ${kind} database to ${path}`);
    });
    try {
      const schemaVersion = await appliedSchemaVersion(db);
      await ctx.operation(kind === 'sqlite' ? 'copy the database (SQLite online backup)' : 'dump the database (pg_dump)', async (op) => {
        const onProgress = (f: number) => report(f * COPY_SHARE, 'copying the database');
        if (kind === 'sqlite') {
          await copySqlite(this.sqlite(), dump, { pagesPerStep: this.pagesPerStep, signal: ctx.signal, onProgress });
        } else {
          const schema = this.dbHandle.schema ?? DEFAULT_SCHEMA;
          await dumpPostgres(this.dbHandle.location, schema, dump, { tables: await this.tableCount(schema), signal: ctx.signal, log: (l) => op.log(l), onProgress });
        }
        await report.flush();
        op.log(`copied ${(await stat(dump)).size} bytes at schema version ${schemaVersion}`);
      });

      const manifest: BackupManifest = {
        format: BACKUP_FORMAT,
        formatVersion: BACKUP_FORMAT_VERSION,
        dbKind: kind,
        schemaVersion,
        createdAt: new Date().toISOString(),
        taskId: ctx.taskId,
        database: databaseMember(kind),
        ...(kind === 'postgres' ? { schema: this.dbHandle.schema ?? DEFAULT_SCHEMA } : {}),
      };
      const sizeBytes = await ctx.operation('write the backup file', async (op) => {
        const size = await writeArchive(
          archive,
          { name: MANIFEST_MEMBER, content: Buffer.from(JSON.stringify(manifest, null, 2) + '\n') },
          { name: manifest.database, source: dump },
          { signal: ctx.signal, onProgress: (f) => report(COPY_SHARE + f * (1 - COPY_SHARE), 'writing the backup file') },
        );
        await rename(archive, path);
        await fsyncDir(path);
        op.log(`wrote ${path} (${size} bytes)`);
        return size;
      });
      await report.flush();
      await ctx.progress(1, 'done');
      return { name, path, dbKind: kind, sizeBytes, schemaVersion };
    } finally {
      for (const f of (await readdir(this.dir)).filter((f) => f.startsWith(`${SCRATCH_PREFIX}${ctx.taskId}.`))) {
        await rm(join(this.dir, f), { force: true });
      }
    }
  }

  private sqlite(): SQLite.Database {
    if (!this.dbHandle.sqlite) throw new Error('the SQLite database handle has no raw connection to back up from');
    return this.dbHandle.sqlite;
  }

  private async tableCount(schema: string): Promise<number> {
    const r = await sql<{ n: string | number }>`select count(*) as n from information_schema.tables where table_schema = ${schema} and table_type = 'BASE TABLE'`
      .execute(this.dbHandle.db);
    return Number(r.rows[0]?.n ?? 0);
  }
}

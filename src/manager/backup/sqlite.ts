// SQLite: an online copy through SQLite's backup API (the manager keeps running and
// writing; its own writes reach the copy too), and an offline replacement of the file.
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import SQLite from 'better-sqlite3';
import { CapstanError } from '../../api/errors.js';
import { fsyncDir } from '../../fs/durable.js';

/**
 * Copies the open database into `dest`, `pagesPerStep` pages per turn of the event loop,
 * reporting the fraction copied; throws the signal's reason when it aborts.
 */
export async function copySqlite(
  source: SQLite.Database,
  dest: string,
  opts: { pagesPerStep: number; signal: AbortSignal; onProgress: (fraction: number) => void },
): Promise<void> {
  await source.backup(dest, {
    progress: ({ totalPages, remainingPages }) => {
      // Throwing here is how the backup API is stopped: it closes the copy and rejects.
      opts.signal.throwIfAborted();
      opts.onProgress(totalPages > 0 ? (totalPages - remainingPages) / totalPages : 0);
      return opts.pagesPerStep;
    },
  });
  // The copy keeps the source's WAL mode in its header: make it one self-contained file.
  const copy = new SQLite(dest);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/** Checks that `file` is a Capstan database; CAP-E0500 if not. */
export function checkSqliteDatabase(file: string, backup: string): void {
  let db: SQLite.Database | undefined;
  try {
    db = new SQLite(file, { fileMustExist: true });
    const row = db.prepare("select value from settings where key = 'capstan.schema'").get() as { value: string } | undefined;
    if (row?.value !== JSON.stringify('capstan')) throw new Error('no Capstan marker');
  } catch {
    throw new CapstanError('CAP-E0500', `${backup}: its database is not a readable Capstan database`);
  } finally {
    db?.close();
  }
}

/**
 * Replaces the database at `target` by the file `replacement` (in the same directory).
 * The old database is first checkpointed, so that until the rename it stays whole on its
 * own; its WAL and shared-memory files are removed so none is applied to the new file.
 */
export async function replaceSqlite(replacement: string, target: string): Promise<void> {
  try {
    const old = new SQLite(target, { fileMustExist: true });
    try {
      old.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      old.close();
    }
  } catch {
    // Missing or unreadable: nothing of it is worth keeping consistent.
  }
  for (const suffix of ['-wal', '-shm', '-journal']) await rm(target + suffix, { force: true });
  await rename(replacement, target);
  await fsyncDir(target);
}

/** A scratch file next to `target`, so the final rename stays on one file system. */
export function scratchBeside(target: string, tag: string): string {
  return join(dirname(target), `.${basename(target)}.${tag}-${process.pid}.partial`);
}

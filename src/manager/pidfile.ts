// One manager per data directory: a pid file claims it while the manager runs, so a second
// manager, or an offline restore, can tell that the directory is in use.
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CapstanError } from '../api/errors.js';

const PID_FILE = 'manager.pid';

/** The pid of the live manager that holds `dataDir`, if any; a stale file is ignored. */
export function runningManager(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, PID_FILE), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    // A manager that died leaves its file; its pid may since belong to anything but Node.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node') ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Claims `dataDir` for this process; the returned function releases it. */
export function claimDataDir(dataDir: string): () => void {
  const other = runningManager(dataDir);
  if (other) throw new CapstanError('CAP-E0004', `a manager (pid ${other}) already runs with ${dataDir}`);
  const file = join(dataDir, PID_FILE);
  const fd = openSync(file, 'w', 0o644);
  writeSync(fd, `${process.pid}\n`);
  closeSync(fd);
  return () => {
    if (runningManager(dataDir) === undefined) rmSync(file, { force: true });
  };
}

/**
 * What the running manager is, beside its pid file: where it answers, since when, on which
 * database. Written once it listens (so a `capstan manager start` that finds it knows the
 * manager is up), removed when it stops; `capstan manager status` reads it.
 */
export const RUN_FILE = 'manager.run.json';

export interface RunRecord {
  pid: number;
  url: string;
  /** Where to reach it from this host (the listening address, a wildcard made loopback). */
  localAddress: string;
  port: number;
  startedAt: string;
  /** The database as fit to show (a URL without its password). */
  database: string;
  dbKind: string;
  /** The options it was started with (`capstan manager run …`), for a restart; none: it runs inside `capstan up`. */
  args: string[] | null;
}

export function writeRunRecord(dataDir: string, record: RunRecord): void {
  const file = join(dataDir, RUN_FILE);
  // The owner's alone: the options may name a database URL with its password.
  writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** The record of the manager `pid` (a record left by another, dead, process is not its). */
export function readRunRecord(dataDir: string, pid: number): RunRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(join(dataDir, RUN_FILE), 'utf8')) as RunRecord;
    return r.pid === pid ? r : undefined;
  } catch {
    return undefined;
  }
}

export function removeRunRecord(dataDir: string): void {
  try {
    const r = JSON.parse(readFileSync(join(dataDir, RUN_FILE), 'utf8')) as RunRecord;
    if (r.pid !== process.pid) return;
  } catch {
    return;
  }
  rmSync(join(dataDir, RUN_FILE), { force: true });
}

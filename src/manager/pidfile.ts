// One manager per data directory: a pid file claims it while the manager runs, so a second
// manager, or an offline restore, can tell that the directory is in use.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
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

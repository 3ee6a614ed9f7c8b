// One operation at a time per WPAR, across processes (the agent, the local commands and
// the supervisors all use the same engine root). The lock is a symbolic link whose target is
// the owner's pid: made atomically with its content in one call (it fails if the lock exists),
// so a lock left by a dead process is taken over instead of blocking forever. It is tiny and
// local: handled with blocking calls, which take microseconds (see json-file.ts).
import { readFileSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { processAlive } from '../exec.js';
import { waitInDir } from './wait.js';

export type Release = () => Promise<void>;

/** Takes the lock, or returns undefined when a live process (possibly this one) holds it. */
export async function tryLock(path: string): Promise<Release | undefined> {
  for (;;) {
    try {
      symlinkSync(String(process.pid), path);
      return heldLock(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = lockOwner(path);
    // No owner to be read (a lock just released, an older version's lock being written): held.
    if (!owner || processAlive(owner)) return undefined;
    removeLock(path);
  }
}

/** The release of a lock taken for this process (by the supervising shell it replaced). */
export function heldLock(path: string): Release {
  return async () => removeLock(path);
}

/** The pid in the lock; 0 when there is none. Earlier versions wrote it into a plain file. */
function lockOwner(path: string): number {
  try {
    return Number(readlinkSync(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EINVAL') return 0;
    try {
      return Number(readFileSync(path, 'utf8').trim());
    } catch {
      return 0;
    }
  }
}

function removeLock(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Locks are released by removing the link, which wakes a waiter at once; the poll notices dead owners. */
const LOCK_POLL_MS = 50;

/**
 * Takes the lock, waiting up to `ms` for it: a supervisor settling an ended container holds
 * it for a moment, which must not make an operation fail as busy.
 */
export async function lockWithin(path: string, ms: number): Promise<Release | undefined> {
  return (await tryLock(path)) ?? waitInDir(dirname(path), ms, LOCK_POLL_MS, () => tryLock(path));
}

/** Waits until the lock is free; for the supervisors, which must not give up. */
export async function waitLock(path: string): Promise<Release> {
  for (;;) {
    const release = await lockWithin(path, 60_000);
    if (release) return release;
  }
}

/** Whether a live process holds the lock. */
export async function isLocked(path: string): Promise<boolean> {
  const owner = lockOwner(path);
  return owner > 0 && processAlive(owner);
}

// One operation at a time per WPAR, across processes (the agent, the local commands and
// the supervisors all use the same engine root). The lock file holds the owner's pid so a
// lock left by a dead process is taken over instead of blocking forever.
import { open, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export type Release = () => Promise<void>;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock, or returns undefined when a live process (possibly this one) holds it. */
export async function tryLock(path: string): Promise<Release | undefined> {
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    // An empty file is a lock being written right now: treat it as held.
    if (!owner || alive(owner)) return undefined;
    await rm(path, { force: true });
  }
}

/**
 * Takes the lock, waiting up to `ms` for it: a supervisor settling an ended container holds
 * it for a moment, which must not make an operation fail as busy.
 */
export async function lockWithin(path: string, ms: number): Promise<Release | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const release = await tryLock(path);
    if (release || Date.now() >= deadline) return release;
    await sleep(50);
  }
}

/** Waits until the lock is free; for the supervisors, which must not give up. */
export async function waitLock(path: string): Promise<Release> {
  for (;;) {
    const release = await tryLock(path);
    if (release) return release;
    await sleep(50);
  }
}

/** Whether a live process holds the lock. */
export async function isLocked(path: string): Promise<boolean> {
  const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  return owner > 0 && alive(owner);
}

// Waiting for what another process does in a directory (runc writing its pid file, a
// supervisor reporting the end of its run, a lock being released): woken at once by inotify
// on the directory, and by a timer in any case, for what inotify does not show (a process
// that ended without a word, a directory that does not exist yet).
import { watch, type FSWatcher } from 'node:fs';

/**
 * Resolves with what `check` found as soon as it finds something, undefined once `ms` have
 * passed. `check` is asked at once, after every change in `dir` and every `pollMs`; `polled`
 * tells it `pollMs` have passed since it was last told so, so a costly look (asking runc)
 * can be kept for then.
 */
export async function waitInDir<T>(
  dir: string,
  ms: number,
  pollMs: number,
  check: (polled: boolean) => Promise<T | undefined>,
): Promise<T | undefined> {
  let changed = false;
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, () => {
      changed = true;
      wake?.();
    });
    watcher.on('error', () => undefined); // the directory went away: the timer still runs
  } catch {
    // no such directory (yet): the timer alone
  }
  const deadline = Date.now() + ms;
  let lastPoll = Date.now();
  try {
    for (;;) {
      // By the clock, not by the timer firing: a directory that keeps changing (output.log) must not starve the polls.
      const polled = Date.now() - lastPoll >= pollMs;
      if (polled) lastPoll = Date.now();
      const found = await check(polled);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      if (!changed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(Math.max(lastPoll + pollMs - Date.now(), 0), left));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      changed = false;
      wake = undefined;
    }
  } finally {
    watcher?.close();
  }
}

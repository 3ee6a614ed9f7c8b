// The `capstan` command as users run it: the build of these sources, which starts in half the
// time tsx takes (about 0.6 s against 1.3 s a call, and the suite makes hundreds of calls).
// scripts/test.sh builds first when a source is newer than the build; a stale build is refused
// here by name rather than tested in the sources' place.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
/** The built CLI entry point. */
export const CLI_MAIN = join(ROOT, 'dist/cli/main.js');
/** The built entry point of the local commands (mkwpar, chkptwpar, …). */
export const LOCAL_MAIN = join(ROOT, 'dist/cli/local/run.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let built: number;
try {
  built = statSync(CLI_MAIN).mtimeMs;
} catch {
  built = 0;
}
if (built < newestSource(join(ROOT, 'src'))) {
  throw new Error(`the build in dist/ is older than src/: run \`npm run build\` (scripts/test.sh does it)`);
}

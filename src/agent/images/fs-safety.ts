// Deleting image trees safely. A build killed mid-way can leave mounts inside its staging
// directory (debootstrap mounts /proc, /sys and sometimes binds the host's /dev): a plain
// recursive delete would then descend into the host's own filesystems.
import { readFile, stat } from 'node:fs/promises';
import { runOk } from '../exec.js';

/** Mount points at or below `dir`, deepest first. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p)
    // The kernel escapes space, tab, newline and backslash as octal.
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(dir + '/'));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts whatever is mounted below `dir`, then deletes it without crossing filesystems. */
export async function removeTree(dir: string): Promise<void> {
  if (!(await stat(dir).catch(() => undefined))) return;
  for (const point of await mountsUnder(dir)) await runOk('umount', ['--lazy', point]);
  const left = await mountsUnder(dir);
  if (left.length > 0) throw new Error(`refusing to delete ${dir}: still mounted: ${left.join(', ')}`);
  await runOk('rm', ['-rf', '--one-file-system', '--', dir]);
}

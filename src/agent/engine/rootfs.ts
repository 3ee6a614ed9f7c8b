// A system WPAR's writable root: an overlay of the image (read-only lower) and the WPAR's
// own upper layer. The upper layer is what moves with a checkpoint, as a tar archive that
// keeps overlay whiteouts (device nodes) and opaque-directory markers (trusted.* xattrs).
import { mkdir, readFile, rm } from 'node:fs/promises';
import { runOk } from '../exec.js';

export async function isMountPoint(path: string): Promise<boolean> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo.split('\n').some((line) => line.split(' ')[4] === path);
}

export async function mountOverlay(lower: string, upper: string, work: string, target: string): Promise<void> {
  if (await isMountPoint(target)) return;
  await Promise.all([upper, work, target].map((d) => mkdir(d, { recursive: true })));
  await runOk('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, target]);
}

export async function unmountOverlay(target: string): Promise<void> {
  if (await isMountPoint(target)) await runOk('umount', [target]);
}

/** Detaches every mount under `dir` (not `dir` itself), deepest first. */
export async function unmountWithin(dir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const inside = mountinfo.split('\n').map((line) => line.split(' ')[4] ?? '').filter((p) => p.startsWith(`${dir}/`));
  for (const p of inside.sort().reverse()) await runOk('umount', ['-l', p]);
}

const TAR_XATTRS = ['--xattrs', '--xattrs-include=trusted.*', '--xattrs-include=security.*', '--numeric-owner'];

export async function packLayer(upper: string, archive: string): Promise<void> {
  await runOk('tar', ['-C', upper, ...TAR_XATTRS, '-cpf', archive, '.']);
}

/** Replaces the upper layer with the archive's content. */
export async function unpackLayer(archive: string, upper: string): Promise<void> {
  await rm(upper, { recursive: true, force: true });
  await mkdir(upper, { recursive: true });
  await runOk('tar', ['-C', upper, ...TAR_XATTRS, '-xpf', archive]);
}

// Finds the CRIU the engine passes to `runc --criu`: a system CRIU >= 4.2 when one is on
// PATH, else the private install of scripts/install-criu.sh. Older CRIUs are never used:
// 3.17 fails on recent kernels (vDSO) and 4.1 cannot dump TCP sockets (DESIGN.md §3).
import { constants } from 'node:fs';
import { access, readlink, stat, statfs } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { CapstanError } from '../../api/errors.js';
import { run } from '../exec.js';

export const MIN_CRIU_VERSION = '4.2';
export const DEFAULT_CRIU_PREFIX = '/opt/capstan/criu';

export interface CriuInfo {
  /** Executable to run (and to give runc as --criu). */
  path: string;
  /** As reported by `criu --version`, e.g. "4.2.1". */
  version: string;
}

/**
 * Compares dotted numeric versions ("4.2.1" vs "4.10"): negative, zero or positive.
 * Missing parts count as 0 ("4.2" == "4.2.0"); a leading "v" and anything after the
 * numeric part ("-1", "-rc1", "+git") are ignored, since CRIU reports plain numbers.
 */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string): number[] => {
    const m = /^\s*v?(\d+(?:\.\d+)*)/.exec(v);
    if (!m?.[1]) throw new Error(`not a version: ${JSON.stringify(v)}`);
    return m[1].split('.').map(Number);
  };
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** The version an executable reports, or undefined when it does not run as a CRIU. */
async function criuVersion(path: string): Promise<string | undefined> {
  const r = await run(path, ['--version'], { timeoutMs: 10_000 });
  if (r.code !== 0) return undefined;
  return /^Version:\s*(\S+)/m.exec(r.stdout)?.[1];
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, name)))) return join(dir, name);
  }
  return undefined;
}

async function locate(): Promise<CriuInfo> {
  const wrapper = join(process.env.CAPSTAN_CRIU_PREFIX || DEFAULT_CRIU_PREFIX, 'bin', 'criu');
  // An explicit choice first, then the system's, then ours (the order of install-criu.sh).
  const candidates = [process.env.CAPSTAN_CRIU, await onPath('criu'), wrapper].filter(
    (p, i, all): p is string => !!p && all.indexOf(p) === i,
  );
  const rejected: string[] = [];
  for (const path of candidates) {
    if (!(await isExecutable(path))) continue;
    const version = await criuVersion(path);
    if (version && compareVersions(version, MIN_CRIU_VERSION) >= 0) return { path, version };
    rejected.push(`${path} (${version ? `version ${version}` : 'does not run'})`);
  }
  const seen = rejected.length ? `; rejected: ${rejected.join(', ')}` : '';
  throw new CapstanError('CAP-E1013', `no CRIU >= ${MIN_CRIU_VERSION} found${seen}; run scripts/install-criu.sh`);
}

let cached: Promise<CriuInfo> | undefined;

/** The CRIU to use, looked up once per process (its kernel cache made ready); a failed lookup is retried next time. */
export function findCriu(): Promise<CriuInfo> {
  cached ??= locate().then(
    async (criu) => {
      await keepKerndat(criu.path);
      return criu;
    },
    (e: unknown) => {
      cached = undefined;
      throw e;
    },
  );
  return cached;
}

// CRIU probes the kernel at every start (some 40 ms here, in the dump and again in the
// restore, both while the WPAR is frozen) unless it finds its kerndat cache: /run/criu.kdat
// (its build's RUNDIR). It writes that cache only where /run is a tmpfs, so that it is gone
// after a reboot, and reads it from wherever the path leads. Where /run is not a tmpfs (it
// cannot be mounted over: it holds the netns, runc's state…), the cache lives on a small
// tmpfs of ours, written by a CRIU that sees that tmpfs as /run (a private mount namespace),
// and /run/criu.kdat links to it. A CRIU of another build finds the cache stale and drops
// the link; the next check makes both again.
const KERNDAT = '/run/criu.kdat';
const KERNDAT_DIR = '/run/capstan-criu';
const KERNDAT_CACHE = join(KERNDAT_DIR, 'criu.kdat');
const TMPFS_MAGIC = 0x01021994;

/** $1 our tmpfs, $2 CRIU, $3 the path CRIU reads; one at a time (parallel engines). */
const KERNDAT_SCRIPT = `
set -e
exec 9>"$1.lock"
flock 9
mkdir -p -m 0700 "$1"
[ "$(stat -f -c %T "$1")" = tmpfs ] || mount -t tmpfs -o size=1m,mode=0700 capstan-criu "$1"
# A CRIU killed while saving leaves this behind, and then never saves again.
rm -f "$1/criu.kdat.tmp"
unshare --mount --propagation private sh -c 'mount --bind "$1" /run && "$2" check >/dev/null 2>&1' sh "$1" "$2" || true
[ -s "$1/criu.kdat" ] || { echo "CRIU wrote no kerndat cache into $1" >&2; exit 1; }
ln -sfn "$1/criu.kdat" "$3"
`;

async function isTmpfs(path: string): Promise<boolean> {
  return (await statfs(path).catch(() => undefined))?.type === TMPFS_MAGIC;
}

/** Whether CRIU finds a kerndat cache (or can keep one itself); cheap enough for every relocation. */
async function kerndatCached(): Promise<boolean> {
  if (await isTmpfs('/run')) return true;
  return (await readlink(KERNDAT).catch(() => '')) === KERNDAT_CACHE && ((await stat(KERNDAT_CACHE).catch(() => undefined))?.size ?? 0) > 0;
}

/**
 * Makes CRIU's kerndat cache usable where /run is not a tmpfs (see above). Only a speed-up:
 * when it cannot be had, CRIU probes the kernel as before, and the next call tries again.
 */
export async function keepKerndat(criu: string): Promise<void> {
  if (await kerndatCached()) return;
  const r = await run('bash', ['-c', KERNDAT_SCRIPT, 'capstan-kerndat', KERNDAT_DIR, criu, KERNDAT], { timeoutMs: 30_000 });
  if (r.code !== 0 && !kerndatWarned) {
    kerndatWarned = true;
    console.error(`capstan engine: CRIU's kerndat cache cannot be kept, so CRIU probes the kernel at every start: ${(r.stderr || r.stdout).trim()}`);
  }
}

let kerndatWarned = false;

// The cgroup slice that holds all of an engine's WPARs (Layout.cgroupParent), as files: its
// CPU quota, cpuset and memory limit, on cgroup v1 (one hierarchy per controller) and v2 (one
// tree). Only what capacity enforcement needs; runc manages the WPARs' own cgroups.
import { mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const CGROUP_ROOT = '/sys/fs/cgroup';
/** The CFS period the slice's quota is expressed in (the kernel's default). */
export const PERIOD_US = 100_000;
/** The least quota the kernel takes: a slice with no active core is held to it. */
export const MIN_QUOTA_US = 1000;

export async function cgroupVersion(): Promise<1 | 2> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return /^\S+ \/sys\/fs\/cgroup cgroup2 /m.test(mounts) ? 2 : 1;
}

/** "0-3,6" → [0, 1, 2, 3, 6]. */
export function parseList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

/** [0, 1, 2, 3, 6] → "0-3,6". */
export function formatList(ids: number[]): string {
  const sorted = [...new Set(ids)].sort((x, y) => x - y);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(',');
}

/** The slice's limits; null quota or memory: unlimited. */
export interface SliceLimits {
  quotaUs: number | null;
  cpus: number[];
  mems: number[];
  memoryBytes: number | null;
}

/** v1's "no memory limit" reads as a page-rounded huge number. */
const UNLIMITED_MEMORY = 2 ** 62;

async function read(path: string): Promise<string> {
  return (await readFile(path, 'utf8')).trim();
}

/** Child cgroup directories, deepest last. */
async function descendants(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries.filter((x) => x.isDirectory())) {
    const child = join(dir, e.name);
    out.push(child, ...(await descendants(child)));
  }
  return out;
}

/**
 * The slice's cgroup files. `childCpuLimit` gives a WPAR's own CPU limit in cores (from its
 * spec), so that on v1 — where no child may have a higher quota than its parent — WPAR
 * quotas are held down while the slice is below them and given back when it grows.
 */
export class Slice {
  constructor(
    readonly version: 1 | 2,
    readonly path: string,
    private readonly childCpuLimit: (name: string) => number | undefined = () => undefined,
  ) {}

  static async of(path: string, childCpuLimit?: (name: string) => number | undefined): Promise<Slice> {
    return new Slice(await cgroupVersion(), path, childCpuLimit);
  }

  private dir(controller: 'cpu' | 'cpuacct' | 'cpuset' | 'memory'): string {
    return this.version === 2 ? join(CGROUP_ROOT, this.path) : join(CGROUP_ROOT, controller, this.path);
  }

  /** What the slice's processes use: CPU time so far (seconds) and memory now (bytes); zero where it does not exist yet. */
  async usage(): Promise<{ cpuSeconds: number; memoryBytes: number }> {
    const num = (path: string, pick: (text: string) => string | undefined = (t) => t): Promise<number> =>
      read(path).then((t) => Number(pick(t) ?? 0)).catch(() => 0);
    if (this.version === 2) {
      const usec = await num(join(this.dir('cpu'), 'cpu.stat'), (t) => /^usage_usec (\d+)/m.exec(t)?.[1]);
      return { cpuSeconds: usec / 1e6, memoryBytes: await num(join(this.dir('memory'), 'memory.current')) };
    }
    const ns = await num(join(this.dir('cpuacct'), 'cpuacct.usage'));
    return { cpuSeconds: ns / 1e9, memoryBytes: await num(join(this.dir('memory'), 'memory.usage_in_bytes')) };
  }

  async read(): Promise<SliceLimits> {
    const cpus = parseList(await read(join(this.dir('cpuset'), this.version === 2 ? 'cpuset.cpus.effective' : 'cpuset.cpus')));
    const mems = parseList(await read(join(this.dir('cpuset'), this.version === 2 ? 'cpuset.mems.effective' : 'cpuset.mems')));
    let quotaUs: number | null;
    let memoryBytes: number | null;
    if (this.version === 2) {
      const [q, p] = (await read(join(this.dir('cpu'), 'cpu.max'))).split(' ');
      quotaUs = q === 'max' ? null : Math.round((Number(q) * PERIOD_US) / Number(p));
      const m = await read(join(this.dir('memory'), 'memory.max'));
      memoryBytes = m === 'max' ? null : Number(m);
    } else {
      const q = Number(await read(join(this.dir('cpu'), 'cpu.cfs_quota_us')));
      const p = Number(await read(join(this.dir('cpu'), 'cpu.cfs_period_us')));
      quotaUs = q < 0 ? null : Math.round((q * PERIOD_US) / p);
      const m = Number(await read(join(this.dir('memory'), 'memory.limit_in_bytes')));
      memoryBytes = m >= UNLIMITED_MEMORY ? null : m;
    }
    return { quotaUs, cpus, mems, memoryBytes };
  }

  /** Creates the slice where it is missing (v1's cpuset needs cpus and mems before anything joins it). */
  async ensure(): Promise<void> {
    if (this.version === 2) {
      await mkdir(this.dir('cpu'), { recursive: true });
      for (const dir of [CGROUP_ROOT, ...ancestors(this.path).map((p) => join(CGROUP_ROOT, p))]) {
        await writeFile(join(dir, 'cgroup.subtree_control'), '+cpu +cpuset +memory').catch(() => undefined);
      }
      return;
    }
    for (const c of ['cpu', 'memory'] as const) await mkdir(this.dir(c), { recursive: true });
    let parent = join(CGROUP_ROOT, 'cpuset');
    for (const p of [...ancestors(this.path), this.path]) {
      const dir = join(CGROUP_ROOT, 'cpuset', p);
      await mkdir(dir, { recursive: true });
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        if ((await read(join(dir, f))) === '') await writeFile(join(dir, f), await read(join(parent, f)));
      }
      parent = dir;
    }
  }

  /** Sets the limits; each part is tried even when another fails. Returns what failed. */
  async apply(want: SliceLimits): Promise<string[]> {
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<void>): Promise<void> => {
      await fn().catch((e: NodeJS.ErrnoException) => problems.push(`${what}: ${e.code ?? e.message}`));
    };
    await attempt('cpuset', () => this.applyCpuset(want.cpus, want.mems));
    await attempt('cpu quota', () => this.applyQuota(want.quotaUs));
    await attempt('memory limit', () => this.applyMemory(want.memoryBytes));
    return problems;
  }

  private async applyCpuset(cpus: number[], mems: number[]): Promise<void> {
    const root = this.dir('cpuset');
    if (this.version === 2) {
      await writeFile(join(root, 'cpuset.cpus'), formatList(cpus));
      await writeFile(join(root, 'cpuset.mems'), formatList(mems));
      return;
    }
    // v1: a child's set must stay within its parent's. Widen top-down to the union, then
    // narrow bottom-up to the target, so every write is valid whichever way the set moves.
    const tree = [root, ...(await descendants(root))];
    for (const [file, target] of [['cpuset.mems', mems], ['cpuset.cpus', cpus]] as const) {
      for (const dir of tree) {
        const now = parseList(await read(join(dir, file)));
        await writeFile(join(dir, file), formatList([...now, ...target]));
      }
      for (const dir of [...tree].reverse()) await writeFile(join(dir, file), formatList(target));
    }
  }

  private async applyQuota(quotaUs: number | null): Promise<void> {
    const dir = this.dir('cpu');
    if (this.version === 2) {
      await writeFile(join(dir, 'cpu.max'), `${quotaUs ?? 'max'} ${PERIOD_US}`);
      return;
    }
    await writeFile(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
    const children = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    const childQuota = (name: string): number => {
      const own = this.childCpuLimit(name);
      const ownUs = own === undefined ? null : Math.round(own * PERIOD_US);
      if (quotaUs === null) return ownUs ?? -1;
      return ownUs === null ? -1 : Math.min(ownUs, quotaUs);
    };
    const setChildren = async (): Promise<void> => {
      for (const name of children) {
        const period = Number(await read(join(dir, name, 'cpu.cfs_period_us')));
        const q = childQuota(name);
        await writeFile(join(dir, name, 'cpu.cfs_quota_us'), String(q < 0 ? -1 : Math.max(MIN_QUOTA_US, Math.round((q * period) / PERIOD_US))));
      }
    };
    // Lower the WPARs before the slice, raise them after it.
    const current = Number(await read(join(dir, 'cpu.cfs_quota_us')));
    const shrinking = quotaUs !== null && (current < 0 || quotaUs < current);
    if (shrinking) await setChildren();
    await writeFile(join(dir, 'cpu.cfs_quota_us'), String(quotaUs ?? -1));
    if (!shrinking) await setChildren();
  }

  private async applyMemory(bytes: number | null): Promise<void> {
    if (this.version === 2) await writeFile(join(this.dir('memory'), 'memory.max'), bytes === null ? 'max' : String(bytes));
    else await writeFile(join(this.dir('memory'), 'memory.limit_in_bytes'), String(bytes ?? -1));
  }
}

/**
 * On cgroup v1 no child may have a higher CPU quota than its parent: the slice's quota in
 * cores, which a WPAR's own limit is held to. Undefined where there is no such ceiling.
 */
export async function sliceCpuCeiling(path: string): Promise<number | undefined> {
  if ((await cgroupVersion()) === 2) return undefined;
  const dir = join(CGROUP_ROOT, 'cpu', path);
  const quota = Number(await read(join(dir, 'cpu.cfs_quota_us')).catch(() => '-1'));
  if (quota < 0) return undefined;
  return quota / Number(await read(join(dir, 'cpu.cfs_period_us')));
}

/** "/a/b/c" → ["/a", "/a/b"]. */
export function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

/** The CPUs and NUMA nodes of this host (a node's CPUs; a host without NUMA has node 0 only). */
export interface Topology {
  cpus: number[];
  nodes: { id: number; cpus: number[] }[];
  memoryBytes: number;
}

export async function readTopology(): Promise<Topology> {
  const cpus = parseList(await read('/sys/devices/system/cpu/online'));
  const nodeIds = await read('/sys/devices/system/node/has_memory').then(parseList, () => [0]);
  const nodes = await Promise.all(nodeIds.map(async (id) => ({
    id,
    cpus: await read(`/sys/devices/system/node/node${id}/cpulist`).then(parseList, () => cpus),
  })));
  const meminfo = await readFile('/proc/meminfo', 'utf8');
  const memoryBytes = Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0) * 1024;
  return { cpus, nodes, memoryBytes };
}

/** A cgroup (its path below the hierarchies) in every hierarchy that has it, with its descendants, deepest first. */
export async function cgroupTree(path: string): Promise<string[]> {
  const hierarchies = (await readdir(CGROUP_ROOT, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory());
  const tree = async (dir: string): Promise<string[]> => {
    const children = (await readdir(dir, { withFileTypes: true }).catch(() => undefined)) ?? [];
    if (!children.some((c) => c.name === 'cgroup.procs')) return [];
    const below = await Promise.all(children.filter((c) => c.isDirectory()).map((c) => tree(join(dir, c.name))));
    return [dir, ...below.flat()];
  };
  // v2 has the one hierarchy at the root; v1 one per controller.
  const all = await Promise.all([join(CGROUP_ROOT, path), ...hierarchies.map((h) => join(CGROUP_ROOT, h.name, path))].map(tree));
  return all.flat().sort((a, b) => b.split('/').length - a.split('/').length);
}

/**
 * Kills whatever runs in a cgroup tree and removes it. Resolves with what is left once
 * `withinMs` has passed (nothing when it is all gone).
 */
export async function endCgroupTree(path: string, withinMs: number): Promise<string[]> {
  let dirs = await cgroupTree(path);
  // Frozen processes die only once thawed (v1 freezer.state, v2 cgroup.freeze).
  const thaw = (d: string, file: string, value: string): Promise<void> => writeFile(join(d, file), value, { flag: 'r+' }).catch(() => undefined);
  await Promise.all(dirs.flatMap((d) => [thaw(d, 'freezer.state', 'THAWED'), thaw(d, 'cgroup.freeze', '0')]));
  for (const end = Date.now() + withinMs; dirs.length > 0 && Date.now() <= end; await sleep(20), dirs = await cgroupTree(path)) {
    for (const d of dirs) {
      for (const pid of (await readFile(join(d, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    // Deepest first: a cgroup goes once it has neither processes nor children.
    for (const d of dirs) await rmdir(d).catch(() => undefined);
  }
  return dirs;
}

// Instant capacity on a host: the slice of all WPARs gets a CPU quota of the active cores (and
// a cpuset of as many CPUs where the cores are real), a memory limit of the active memory and
// cpuset.mems of the active cells. What the manager last asked for is kept in the agent's
// directory and applied again at start, so it holds while the manager is away.
import { rm } from 'node:fs/promises';
import type { CapacityEnforcement } from '../../api/agents.js';
import type { Components } from '../../api/capacity.js';
import { readJsonIfExists, writeJsonAtomic } from '../engine/json-file.js';
import { MIN_QUOTA_US, PERIOD_US, type Slice, type SliceLimits, type Topology } from './cgroups.js';

const GIB = 2 ** 30;

/** The limits that enforce `e` on a host of this topology; null enforcement lifts them all. */
export function sliceLimits(e: CapacityEnforcement | null, topo: Topology): SliceLimits {
  if (!e) return { quotaUs: null, cpus: topo.cpus, mems: topo.nodes.map((n) => n.id), memoryBytes: null };
  // A cpuset cannot be empty: with no active cell the first node stays, and the report says so.
  const nodes = e.cells === null ? topo.nodes : topo.nodes.slice(0, Math.max(1, e.cells));
  const pool = e.cells === null ? topo.cpus : topo.cpus.filter((c) => nodes.some((n) => n.cpus.includes(c)));
  // Cores are real when the pool has that many CPUs: pin to them. Beyond, the quota alone holds.
  const cpus = e.cores >= 1 && e.cores <= pool.length ? pool.slice(0, e.cores) : pool.length > 0 ? pool : topo.cpus;
  return {
    quotaUs: Math.max(MIN_QUOTA_US, e.cores * PERIOD_US),
    cpus: e.cores === 0 ? cpus.slice(0, 1) : cpus,
    mems: nodes.map((n) => n.id),
    memoryBytes: e.memoryGiB === null ? null : e.memoryGiB * GIB,
  };
}

/** What is in force (actual active), read back from the slice, in the terms of the enforcement. */
export function actualOf(e: CapacityEnforcement, now: SliceLimits, topo: Topology): Components {
  // The least quota the kernel takes stands for no core at all.
  const cores = now.quotaUs === null ? now.cpus.length : Math.floor(now.quotaUs / PERIOD_US);
  return {
    cores,
    memoryGiB: e.memoryGiB === null ? null : Math.floor((now.memoryBytes ?? topo.memoryBytes) / GIB),
    cells: e.cells === null ? null : now.mems.length,
  };
}

export interface Applied {
  /** null: nothing to enforce (the system is in no complex). */
  actual: Components | null;
  problem?: string;
}

/** Applies enforcements one at a time and keeps the last one asked for in `file`. */
export class CapacityEnforcer {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly slice: () => Promise<Slice>,
    private readonly topology: () => Promise<Topology>,
  ) {}

  /** The enforcement kept from before (null: none). */
  async kept(): Promise<CapacityEnforcement | null> {
    return (await readJsonIfExists<CapacityEnforcement>(this.file)) ?? null;
  }

  /** Enforces what was kept (at start, before the manager is reached). */
  async reapply(): Promise<Applied> {
    return this.enforce(await this.kept());
  }

  /** Keeps `e` first, so that a crash half-way still re-applies it at the next start. */
  enforce(e: CapacityEnforcement | null): Promise<Applied> {
    const next = this.queue.then(async () => {
      if (e) await writeJsonAtomic(this.file, e);
      else await rm(this.file, { force: true });
      const [slice, topo] = await Promise.all([this.slice(), this.topology()]);
      await slice.ensure();
      const problems = await slice.apply(sliceLimits(e, topo));
      const applied: Applied = { actual: e && actualOf(e, await slice.read(), topo) };
      if (problems.length > 0) applied.problem = problems.join('; ');
      return applied;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

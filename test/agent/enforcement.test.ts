// Capacity enforcement on a host: the limits planned from an enforcement (pure), and the
// slice's cgroup files written and read back on this machine's cgroups.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CGROUP_ROOT, MIN_QUOTA_US, Slice, cgroupVersion, formatList, parseList, readTopology, sliceCpuCeiling, type Topology } from '../../src/agent/host/cgroups.js';
import { resourcesFor } from '../../src/agent/engine/oci-config.js';
import { WparSpec } from '../../src/api/wpar.js';
import { Value } from 'typebox/value';
import { CapacityEnforcer, actualOf, sliceLimits } from '../../src/agent/host/enforcement.js';

const GIB = 2 ** 30;
const numa: Topology = { cpus: [0, 1, 2, 3, 4, 5, 6, 7], nodes: [{ id: 0, cpus: [0, 1, 2, 3] }, { id: 1, cpus: [4, 5, 6, 7] }], memoryBytes: 64 * GIB };
const e = (cores: number, memoryGiB: number | null = null, cells: number | null = null) => ({ serial: 'SN-1', cores, memoryGiB, cells });

describe('enforcement planning', () => {
  it('lists CPUs in the kernel\'s syntax both ways', () => {
    assert.deepEqual(parseList('0-3,6,8-9\n'), [0, 1, 2, 3, 6, 8, 9]);
    assert.equal(formatList([9, 0, 1, 2, 3, 6, 8]), '0-3,6,8-9');
    assert.equal(formatList([]), '');
  });

  it('holds the slice to the active cores, pinned to as many real CPUs', () => {
    assert.deepEqual(sliceLimits(e(3), numa), { quotaUs: 300_000, cpus: [0, 1, 2], mems: [0, 1], memoryBytes: null });
  });

  it('keeps the quota alone when more cores are active than the host has', () => {
    assert.deepEqual(sliceLimits(e(12), numa), { quotaUs: 1_200_000, cpus: numa.cpus, mems: [0, 1], memoryBytes: null });
  });

  it('gives the active memory as the limit and the active cells as mems, with CPUs from those cells', () => {
    assert.deepEqual(sliceLimits(e(2, 16, 1), numa), { quotaUs: 200_000, cpus: [0, 1], mems: [0], memoryBytes: 16 * GIB });
    assert.deepEqual(sliceLimits(e(6, null, 1), numa).cpus, [0, 1, 2, 3], 'six cores do not fit in one cell: its four CPUs and the quota');
  });

  it('holds a slice with no active core to the least quota the kernel takes', () => {
    const l = sliceLimits(e(0), numa);
    assert.equal(l.quotaUs, MIN_QUOTA_US);
    assert.deepEqual(l.cpus, [0]);
    assert.equal(actualOf(e(0), l, numa).cores, 0);
  });

  it('holds a WPAR\'s own CPU limit to the slice\'s where the kernel demands it', () => {
    const spec = Value.Default(WparSpec, { name: 'w', type: 'system', resources: { cpuLimit: 3 } }) as WparSpec;
    assert.equal(resourcesFor(spec, [], 2).cpuQuotaUs, 200_000);
    assert.equal(resourcesFor(spec, [], undefined).cpuQuotaUs, 300_000);
  });

  it('lifts everything when the system is in no complex', () => {
    assert.deepEqual(sliceLimits(null, numa), { quotaUs: null, cpus: numa.cpus, mems: [0, 1], memoryBytes: null });
  });

  it('reports what is in force, in the terms of the enforcement', () => {
    assert.deepEqual(actualOf(e(2, 16, 1), { quotaUs: 200_000, cpus: [0, 1], mems: [0], memoryBytes: 16 * GIB }, numa), { cores: 2, memoryGiB: 16, cells: 1 });
    // A memory limit that could not be lowered is reported as it stands.
    assert.deepEqual(actualOf(e(2, 8), { quotaUs: 200_000, cpus: [0, 1], mems: [0, 1], memoryBytes: 12 * GIB }, numa), { cores: 2, memoryGiB: 12, cells: null });
    assert.deepEqual(actualOf(e(2, 8), { quotaUs: null, cpus: numa.cpus, mems: [0, 1], memoryBytes: null }, numa), { cores: 8, memoryGiB: 64, cells: null });
  });
});

describe('the slice on this machine\'s cgroups', async () => {
  const v1 = (await cgroupVersion()) === 1;
  const path = `/capstan-test-enforce-${process.pid}`;
  const dir = await mkdtemp(join(tmpdir(), 'capstan-enforce-'));
  const children: ReturnType<typeof spawn>[] = [];
  const cg = (controller: string, ...rest: string[]) => (v1 ? join(CGROUP_ROOT, controller, path, ...rest) : join(CGROUP_ROOT, path, ...rest));

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    for (const controller of ['cpu', 'cpuacct', 'cpuset', 'memory']) {
      await rmdir(cg(controller, 'w1')).catch(() => undefined);
      await rmdir(cg(controller)).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('applies cores, cpuset and memory, keeps the enforcement, and lifts it again', async () => {
    const topo = await readTopology();
    const enforcer = new CapacityEnforcer(join(dir, 'capacity.json'), () => Slice.of(path, (name) => (name === 'w1' ? 2 : undefined)), readTopology);
    const applied = await enforcer.enforce(e(1, 1));
    assert.equal(applied.problem, undefined);
    assert.deepEqual(applied.actual, { cores: 1, memoryGiB: 1, cells: null });
    assert.deepEqual(await enforcer.kept(), e(1, 1), 'kept for the next start');
    const slice = await Slice.of(path);
    assert.deepEqual((await slice.read()).cpus, topo.cpus.slice(0, 1));
    if (v1) assert.equal(await sliceCpuCeiling(path), 1, 'new WPARs are held to one core');

    // A WPAR cgroup with a process in it, limited to 2 cores of its own.
    for (const controller of v1 ? ['cpu', 'cpuset', 'memory'] : ['']) await mkdir(cg(controller, 'w1'), { recursive: true });
    if (v1) {
      for (const f of ['cpuset.cpus', 'cpuset.mems']) await writeFile(cg('cpuset', 'w1', f), await readFile(cg('cpuset', f), 'utf8'));
    }
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(sleeper);
    for (const controller of v1 ? ['cpu', 'cpuset', 'memory'] : ['']) await writeFile(cg(controller, 'w1', 'cgroup.procs'), String(sleeper.pid));

    // What the slice's processes use is read from its own accounting (a lab host's metrics).
    const used = await slice.usage();
    // On v1 CPU time is accounted in the cpuacct hierarchy, which runc joins too.
    if (v1) await mkdir(cg('cpuacct', 'w1'), { recursive: true });
    const join1 = (v1 ? ['cpu', 'cpuacct'] : ['']).map((c) => `echo $$ > ${cg(c, 'w1', 'cgroup.procs')}`).join('; ');
    const busy = spawn('sh', ['-c', `${join1}; i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done`], { stdio: 'ignore' });
    children.push(busy);
    await once(busy, 'exit');
    assert.ok((await slice.usage()).cpuSeconds > used.cpuSeconds, 'CPU time of a process in the slice is counted');

    // More cores than the host has: the WPAR's own quota comes back, the cpuset widens down to it.
    const wide = await enforcer.enforce(e(topo.cpus.length + 2, 1));
    assert.equal(wide.problem, undefined);
    if (v1) {
      assert.equal((await readFile(cg('cpu', 'w1', 'cpu.cfs_quota_us'), 'utf8')).trim(), '200000', 'the WPAR has its own 2 cores back');
      assert.deepEqual(parseList(await readFile(cg('cpuset', 'w1', 'cpuset.cpus'), 'utf8')), topo.cpus, 'the WPAR\'s cpuset follows the slice');
    }
    // Fewer: the WPAR is held down first (v1 refuses a parent below its child otherwise).
    const narrow = await enforcer.enforce(e(1, 1));
    assert.equal(narrow.problem, undefined);
    assert.deepEqual(narrow.actual, { cores: 1, memoryGiB: 1, cells: null });
    if (v1) {
      assert.equal((await readFile(cg('cpu', 'w1', 'cpu.cfs_quota_us'), 'utf8')).trim(), '100000');
      assert.deepEqual(parseList(await readFile(cg('cpuset', 'w1', 'cpuset.cpus'), 'utf8')), topo.cpus.slice(0, 1));
    }

    const lifted = await enforcer.enforce(null);
    assert.deepEqual(lifted, { actual: null });
    assert.equal(await enforcer.kept(), null);
    assert.equal(await sliceCpuCeiling(path), undefined);
    assert.deepEqual(await slice.read(), { quotaUs: null, cpus: topo.cpus, mems: topo.nodes.map((n) => n.id), memoryBytes: null });
  });
});

// Resource controls enforced on real WPARs: memory limit, CPU limit, process limit.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResourceControls, WparSpec } from '../../src/api/wpar.js';
import { startHarness, type Harness } from './harness.js';

function app(name: string, command: string, resources: ResourceControls): WparSpec {
  return { name, type: 'application', image: 'busybox', command: ['/bin/sh', '-c', command], interfaces: [], mounts: [], resources, checkpointable: false };
}

describe('engine resource controls', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.cleanup();
  });

  it('the memory limit kills a WPAR that exceeds it', async () => {
    const name = h.name('mem');
    // The shell keeps 200 MB of output in memory: far beyond 32 MiB.
    const info = await h.engine.create(app(name, 'x=$(busybox yes | busybox head -c 200000000); echo survived', { memoryLimitMiB: 32 }));
    assert.equal(info.resources.memoryLimitBytes, 32 * 1024 * 1024);
    assert.equal(info.resources.memorySwapBytes, 32 * 1024 * 1024);
    const exit = await h.engine.waitExit(name);
    assert.equal(exit?.exitStatus, 137, 'killed by SIGKILL (the OOM killer)');
  });

  it('the CPU limit holds a busy loop: the quota is set on its cgroup, the kernel enforces it, and the loop never gets more', async (t) => {
    const name = h.name('cpu');
    const info = await h.engine.create(app(name, 'while :; do :; done', { cpuLimit: 0.5, cpuShares: 512 }));
    assert.equal(info.resources.cpuQuotaUs, 50_000);
    assert.equal(info.resources.cpuPeriodUs, 100_000);
    assert.equal(info.resources.cpuShares, 512);
    const cgroup = `/sys/fs/cgroup/cpu${h.engine.layout.cgroupParent}/${name}`;
    assert.equal((await readFile(`${cgroup}/cpu.cfs_quota_us`, 'utf8')).trim(), '50000');
    const periods = async (): Promise<number> => Number(/^nr_periods (\d+)/m.exec(await readFile(`${cgroup}/cpu.stat`, 'utf8'))?.[1]);
    await sleep(300);
    const t0 = process.hrtime.bigint();
    const [u0, p0] = [(await h.engine.stats(name)).cpuUsageNs, await periods()];
    await sleep(2000);
    const [u1, p1] = [(await h.engine.stats(name)).cpuUsageNs, await periods()];
    const cores = (u1 - u0) / Number(process.hrtime.bigint() - t0);
    t.diagnostic(`used ${cores.toFixed(2)} cores under a 0.5-core limit`);
    // How much of its half core the loop gets depends on what else the machine runs; more it never gets.
    assert.ok(p1 > p0, 'the kernel enforces the quota on the WPAR');
    assert.ok(cores < 0.6, `used ${cores.toFixed(2)} cores under a 0.5-core limit`);
    await h.engine.stop(name, { force: true });
  });

  it('the process limit refuses forks beyond it', async () => {
    const forks = 'i=0; while [ $i -lt 24 ]; do sleep 1 & i=$((i+1)); done; wait';
    const tight = h.name('pids');
    // Room for runc's own start (a Go program: its threads count too, more of them on a busy
    // host), not for 24 children.
    const info = await h.engine.create(app(tight, forks, { processLimit: 12 }));
    assert.equal(info.resources.pidsLimit, 12);
    assert.notEqual((await h.engine.waitExit(tight))?.exitStatus, 0, 'the shell could not fork 24 children');
    const roomy = h.name('pids');
    await h.engine.create(app(roomy, forks, { processLimit: 64 }));
    assert.equal((await h.engine.waitExit(roomy))?.exitStatus, 0);
  });
});

describe('engine modify', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.cleanup();
  });

  const system = (name: string, resources: ResourceControls, hostname?: string): WparSpec =>
    ({ name, type: 'system', image: 'busybox', command: ['/bin/sh', '-c', 'hostname; sleep 1000'], interfaces: [], mounts: [], resources, checkpointable: false, ...(hostname ? { hostname } : {}) });

  it('changes a Defined WPAR for its next start, and an Active one\'s resource controls at once', async () => {
    const name = h.name('mod');
    await h.engine.create(system(name, { memoryLimitMiB: 64 }));
    const defined = await h.engine.modify(name, system(name, { memoryLimitMiB: 96 }, 'renamed-host'));
    assert.equal(defined.state, 'Defined');
    assert.equal(defined.spec.hostname, 'renamed-host');
    await h.engine.start(name);

    const active = await h.engine.modify(name, system(name, { memoryLimitMiB: 128, processLimit: 50 }, 'renamed-host'));
    assert.equal(active.state, 'Active');
    assert.equal(active.resources.memoryLimitBytes, 128 * 2 ** 20);
    // cgroup v1 (these machines) or v2.
    const limit = await readFile(`/sys/fs/cgroup/memory${h.engine.layout.cgroupParent}/${name}/memory.limit_in_bytes`, 'utf8')
      .catch(() => readFile(`/sys/fs/cgroup${h.engine.layout.cgroupParent}/${name}/memory.max`, 'utf8'));
    assert.equal(Number(limit), 128 * 2 ** 20, 'runc applied the new limit to the running WPAR');

    await assert.rejects(h.engine.modify(name, system(name, { memoryLimitMiB: 128, processLimit: 50 }, 'other')), /CAP-E1006|only its resource controls/);
    assert.equal((await h.engine.get(name))?.state, 'Active', 'a refused change leaves it as it was');
    await h.engine.stop(name, { force: true });
  });
});

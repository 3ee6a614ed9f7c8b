// Escape attempts from inside a default WPAR (busybox, the default capabilities), each one
// refused or contained, and the host still healthy afterwards. The attempts run as the
// WPAR's root through `runc exec`, which gives them the container's own capabilities,
// seccomp filter and namespaces.
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WparSpec } from '../../src/api/wpar.js';
import { DEFAULT_PIDS_LIMIT } from '../../src/agent/engine/oci-config.js';
import { run, type RunResult } from '../../src/agent/exec.js';
import { startHarness, type Harness } from './harness.js';

/** What ash prints when seccomp, a missing capability or a read-only mount refuses a call. */
const REFUSED = /Operation not permitted|permission denied|Permission denied|Read-only file system|nonexistent directory/;

describe('isolation of a default WPAR', () => {
  let h: Harness;
  let name: string;
  const inside = (script: string): Promise<RunResult> =>
    run('runc', ['--root', h.engine.layout.runcRoot, 'exec', name, '/bin/sh', '-c', script], { timeoutMs: 120_000 });
  /** `anyStatus`: the command exits 0 even when refused (busybox's date -s). */
  const refused = async (script: string, what: string, anyStatus = false): Promise<void> => {
    const r = await inside(script);
    if (!anyStatus) assert.notEqual(r.code, 0, `${what}: it succeeded (${r.stdout})`);
    assert.match(r.stderr, REFUSED, `${what}: ${r.stderr}`);
  };
  /** The host can still start a process and the WPAR still answers. */
  const healthy = async (): Promise<void> => {
    assert.equal((await run('/bin/true', [])).code, 0, 'the host can fork');
    assert.equal((await inside('echo alive')).stdout, 'alive\n', 'the WPAR still answers');
  };

  before(async () => {
    h = await startHarness();
    name = h.name('iso');
    const spec: WparSpec = {
      name, type: 'system', image: 'busybox', checkpointable: true,
      interfaces: [{ address: `${h.subnet}.66`, prefix: 24 }], mounts: [], resources: {},
    };
    await h.engine.create(spec, { start: true });
  });
  after(async () => {
    await h?.cleanup();
  });

  it('runs under a seccomp filter, without new privileges, with runc\'s default capabilities only', async () => {
    const status = (await inside('cat /proc/self/status')).stdout;
    assert.match(status, /^Seccomp:\s+2$/m, 'filter mode');
    assert.match(status, /^NoNewPrivs:\s+1$/m);
    // CAP_KILL, CAP_NET_BIND_SERVICE, CAP_AUDIT_WRITE: no CAP_NET_RAW, CAP_SYS_ADMIN, CAP_MKNOD…
    assert.match(status, /^CapEff:\s+0000000020000420$/m);
  });

  it('sees only its own processes', async () => {
    const r = await inside('for p in /proc/[0-9]*; do echo "${p#/proc/} $(cat $p/comm)"; done');
    const seen = r.stdout.trim().split('\n').map((l) => l.split(' '));
    assert.ok(seen.some(([pid, comm]) => pid === '1' && comm === 'init'), 'its own init is pid 1');
    assert.ok(!seen.some(([, comm]) => comm === 'node' || comm === 'runc'), `no host process: ${r.stdout}`);
    assert.ok(seen.length < 10, `its init, init's sleep and this shell: ${r.stdout}`);
  });

  it('cannot write the host\'s file system', async () => {
    const marker = `/capstan-escape-${name}`;
    assert.equal((await inside(`echo x > ${marker} && echo x > /proc/1/root${marker}-root`)).code, 0, 'its own root is writable');
    await assert.rejects(access(marker), 'not on the host');
    await assert.rejects(access(`${marker}-root`), 'not through /proc/1/root either');
    await refused('mknod /disk b 8 0', 'make a block device node');
    await refused('chroot /proc/1/root /bin/true', 'chroot');
    await refused('echo 3 > /proc/sys/vm/drop_caches', 'write a kernel setting');
  });

  it('cannot mount, nor gain capabilities in a new user namespace', async () => {
    await refused('mount -t tmpfs none /mnt', 'mount a tmpfs');
    await refused('mount -t proc proc /mnt', 'mount a proc');
    await refused('unshare -U /bin/true', 'a new user namespace');
    await refused('unshare -r /bin/true', 'a new user namespace mapped to root');
    await refused('unshare -m /bin/true', 'a new mount namespace');
  });

  it('cannot open raw sockets, load modules, set the clock or read the kernel log', async () => {
    await refused(`ping -c 1 -W 1 ${h.gateway}`, 'a raw socket');
    await refused('insmod /bin/busybox', 'load a module');
    const before = Date.now();
    await refused('date -s 2001-01-01', 'set the clock', true);
    assert.ok(Date.now() >= before, 'the host clock did not move');
    await refused('dmesg', 'read the kernel log');
  });

  it('cannot reach the host\'s kernel through /proc', async () => {
    await refused('echo b > /proc/sysrq-trigger', 'write /proc/sysrq-trigger');
    for (const path of ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/proc/sched_debug']) {
      const r = await inside(`cat ${path} 2>/dev/null | wc -c`);
      assert.equal(r.stdout.trim(), '0', `${path} shows nothing`);
    }
    await healthy();
  });

  it('a fork bomb is held at the pids limit; the host can still fork', async () => {
    const cgroup = `/sys/fs/cgroup/pids${h.engine.layout.cgroupParent}/${name}`;
    const count = async (file: string): Promise<number> => Number((await readFile(join(cgroup, file), 'utf8')).trim());
    assert.equal(await count('pids.max'), DEFAULT_PIDS_LIMIT);
    // Sleepers rather than a recursive bomb: the same pressure on the limit, kinder to a
    // shared machine. 80 shells of 64 each (a shell's job table is slow to grow long); a
    // shell ends at its first refused fork ("can't fork"). The sleepers let go of the output,
    // or `runc exec` would wait for them.
    const bomb = await inside('for a in $(seq 80); do (for b in $(seq 64); do sleep 600 >/dev/null 2>&1 & done) & done; wait');
    assert.match(bomb.stderr, /can't fork/);
    assert.ok((await count('pids.current')) <= DEFAULT_PIDS_LIMIT, 'held at the limit');
    assert.match(await readFile(join(cgroup, 'pids.events'), 'utf8'), /^max [1-9]/m, 'forks were refused');
    assert.equal((await run('/bin/true', [])).code, 0, 'the host can fork');
    // At the limit not even `runc exec` gets in: the sleepers are ended from outside.
    for (const pid of (await readFile(join(cgroup, 'cgroup.procs'), 'utf8')).trim().split('\n')) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline === 'sleep\x00600\x00') process.kill(Number(pid), 'SIGKILL');
    }
    for (let i = 0; i < 100 && (await count('pids.current')) > 10; i++) await sleep(100);
    await healthy();
  });

  it('keeps its seccomp filter through checkpoint and restart', async () => {
    const dir = join(h.root, 'iso-checkpoint');
    await h.engine.checkpoint(name, { dir, mode: 'kill' });
    await h.engine.restart(name, { dir });
    assert.match((await inside('cat /proc/1/status')).stdout, /^Seccomp:\s+2$/m, 'the restored init is filtered');
    await healthy();
  });
});

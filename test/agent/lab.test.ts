// Agents against a real manager process, on lab hosts (network namespaces with their own
// agents, engines and host bridges): configure's refusals, registration, remote lifecycle,
// the manager going away and coming back, an agent dying, discovery, revocation, metrics.
import assert from 'node:assert/strict';
import { CLI_MAIN } from '../helpers/built-cli.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/until.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import { spawn as spawnPty } from 'node-pty';
import { existingLabHosts, labHost } from '../../src/agent/lab/lab.js';
import { labDown } from '../../src/cli/agent/lab.js';
import { CliWorld, ok } from '../cli/harness.js';
import { LabHosts } from './lab-hosts.js';

const w = new CliWorld();
const lab = new LabHosts(w, [1, 2]);

const json = <T>(args: string[]): Promise<T> => w.json<T>(args);

interface System { name: string; state: string; profile: { cpu: { cores: number }; criu: string } | null; systemProfile: string | null; wparCount: number }
interface Wpar { name: string; state: string; system: { name: string } | null; resources: { memoryLimitMiB?: number } }

const system = (name: string): Promise<System> => json<System>(['system', 'show', name]);
const wpar = async (name: string): Promise<Wpar | undefined> => {
  const r = await w.cli(['--json', 'wpar', 'show', name]);
  return r.code === 0 ? (JSON.parse(r.stdout) as Wpar) : undefined;
};
const onHost = lab.onHost.bind(lab);
const agentPid = (n: number): number => {
  const pid = lab.agentPid(n);
  assert.ok(pid !== undefined, `lab-h${n}'s agent runs`);
  return pid;
};

describe('agents on lab hosts', { concurrency: false }, () => {
  let port = 0;

  before(async () => {
    // Lab hosts left by an earlier run that died are taken down first.
    await labDown(undefined, await existingLabHosts());
    port = await freePort();
    await w.startManager({ host: '0.0.0.0', port });
    const first = readFileSync(join(w.dataDir, 'initial-admin-password'), 'utf8').trim();
    ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin'], { input: `${first}\nadmin-pass-2\n` }));
    ok(await w.cli(['lab', 'up', '--hosts', '2']));
  });

  // Each test starts from hosts that are up, tested and open, whatever the test before it left.
  beforeEach(() => lab.ready());

  after(async () => {
    await w.cli(['lab', 'down']);
    await labDown(undefined, await existingLabHosts());
    await w.close();
  });

  it('configure refuses an unreachable manager, a wrong password, a taken port, and a second configuration', async () => {
    const dir = join(w.dir, 'agent-conf');
    const password = (await json<{ password: string }>(['agent', 'password'])).password;
    const pwFile = join(w.dir, 'pw');
    const badFile = join(w.dir, 'bad');
    writeFileSync(pwFile, password);
    writeFileSync(badFile, 'not-the-password');
    const conf = (extra: string[], file = pwFile) =>
      w.cli(['--json', 'agent', '--dir', dir, 'configure', '--hostname', '127.0.0.1', '--address', '127.0.0.1', '--name', 'conf-test', '--password-file', file, ...extra]);

    const unreachable = await conf(['--pubport', String(await freePort())]);
    assert.match(unreachable.stderr, /CAP-E0605/);
    const wrong = await conf(['--pubport', String(port), '--agentport', String(await freePort())], badFile);
    assert.equal(wrong.code, 4);
    assert.match(wrong.stderr, /CAP-E0600/);
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const busy = await conf(['--pubport', String(port), '--agentport', String((taken.address() as { port: number }).port)]);
      assert.equal(busy.code, 6);
      assert.match(busy.stderr, /CAP-E0604/);
    } finally {
      taken.close();
    }
    assert.equal(existsSync(join(dir, 'agent.json')), false, 'refusals write nothing');
    assert.equal((await w.cli(['system', 'show', 'conf-test'])).code, 5, 'refusals register nothing');

    ok(await conf(['--pubport', String(port), '--agentport', String(await freePort())]));
    const again = await conf(['--pubport', String(port), '--agentport', String(await freePort())]);
    assert.equal(again.code, 6);
    assert.match(again.stderr, /CAP-E0603/);
    assert.equal((await system('conf-test')).state, 'Unknown', 'registered, not yet connected');
    ok(await w.cli(['system', 'remove', 'conf-test']));
  });

  it('lab hosts register, connect, and report their profile', async () => {
    for (const name of ['lab-h1', 'lab-h2']) {
      const s = await system(name);
      assert.equal(s.state, 'Online');
      assert.ok(s.profile && s.profile.cpu.cores >= 1, JSON.stringify(s.profile));
      assert.match(s.profile.criu, /^4\./);
    }
    // One machine, one domain: the seed's rule gives both the same system profile.
    const [h1, h2] = [await system('lab-h1'), await system('lab-h2')];
    assert.ok(h1.systemProfile);
    assert.equal(h2.systemProfile, h1.systemProfile);
    ok(await w.cli(['system', 'update-profile', 'lab-h1']));
    const agents = await json<{ systemName: string; state: string; connected: boolean }[]>(['agent', 'list']);
    assert.deepEqual(agents.filter((a) => a.systemName.startsWith('lab-')).map((a) => [a.systemName, a.state, a.connected]), [['lab-h1', 'registered', true], ['lab-h2', 'registered', true]]);
  });

  it('deploys a WPAR on the chosen host; it keeps running while the manager is down; the manager reconciles when back', async () => {
    await lab.without('web1');
    ok(await w.cli(['wpar', 'create', 'web1', '--system', 'lab-h1', '--start']));
    assert.equal((await wpar('web1'))?.state, 'Active');
    assert.match(ok(await onHost(1, 'lswpar')).stdout, /web1\s+A/);
    assert.doesNotMatch(ok(await onHost(2, 'lswpar')).stdout, /web1/);

    await w.stopManager('SIGKILL');
    await sleep(1000);
    assert.match(ok(await onHost(1, 'lswpar')).stdout, /web1\s+A/, 'the WPAR runs on without its manager');
    // Changed behind the manager's back while it is away.
    ok(await onHost(1, 'stopwpar', 'web1'));

    await w.startManager({ host: '0.0.0.0', port });
    await until('lab-h1 Online', async () => (await system('lab-h1')).state === 'Online');
    await until('web1 reconciled to Defined', async () => (await wpar('web1'))?.state === 'Defined');

    // Modified on its host: a forced discovery reports the host's definition, which must agree.
    ok(await w.cli(['wpar', 'modify', 'web1', '-R', 'memory=256M']));
    ok(await w.cli(['system', 'discover', 'lab-h1']));
    assert.equal((await wpar('web1'))?.resources.memoryLimitMiB, 256);
    assert.equal((await wpar('web1'))?.state, 'Defined');
  });

  it('marks a system Offline when its agent dies, and Online when it is back', async () => {
    process.kill(agentPid(2), 'SIGKILL');
    await until('lab-h2 Offline', async () => (await system('lab-h2')).state === 'Offline');
    await lab.startAgent(2);
    await until('lab-h2 Online', async () => (await system('lab-h2')).state === 'Online');
  });

  it('discovers a WPAR made with mkwpar on a host, and manages it like its own', async () => {
    await lab.without('local1');
    ok(await onHost(2, 'mkwpar', '-n', 'local1'));
    const found = await until('local1 discovered', () => wpar('local1'));
    assert.equal(found.system?.name, 'lab-h2');
    assert.equal(found.state, 'Defined');
    ok(await w.cli(['wpar', 'start', 'local1']));
    assert.match(ok(await onHost(2, 'lswpar')).stdout, /local1\s+A/);
    ok(await w.cli(['wpar', 'remove', 'local1']));
    assert.doesNotMatch(ok(await onHost(2, 'lswpar')).stdout, /local1/);
    // The forced discovery answers too.
    ok(await w.cli(['system', 'discover', 'lab-h2']));
  });

  it('two lab hosts hold WPARs of the same name, each in its own namespace and cgroup', async () => {
    await lab.without('twin');
    try {
      for (const n of [1, 2]) {
        ok(await onHost(n, 'mkwpar', '-n', 'twin', '-N', `address=10.240.1.${200 + n}/16`));
        ok(await onHost(n, 'startwpar', 'twin'));
      }
      for (const n of [1, 2]) {
        assert.match(ok(await onHost(n, 'lswpar')).stdout, /twin\s+A/);
        await access(`/run/netns/capstan-lab-h${n}-twin`);
        await access(`/sys/fs/cgroup/memory/capstan-lab-h${n}/twin`);
        // Both answer at once, from one lab host across the lab segment too.
        ok(await onHost(1, 'busybox', 'ping', '-c', '1', '-W', '5', `10.240.1.${200 + n}`));
      }
    } finally {
      for (const n of [1, 2]) await onHost(n, 'rmwpar', '-F', 'twin');
    }
    await assert.rejects(access('/run/netns/capstan-lab-h1-twin'));
  });

  it('stores metrics, answers them by time range, and exports them for Prometheus', async () => {
    // A lab host reports its own slice of the machine: a running WPAR makes its use.
    await lab.without('metered');
    ok(await w.cli(['wpar', 'create', 'metered', '--system', 'lab-h1', '--start']));
    try {
      const series = await until('metrics of lab-h1 with the WPAR in them', async () => {
        const s = await json<{ resolution: string; points: { cpuCores: number; memoryBytes: number }[] }>(['metrics', 'system', 'lab-h1']);
        return s.points.some((p) => p.memoryBytes > 0) ? s : undefined;
      }, { within: 90_000, every: 1000 });
      assert.equal(series.resolution, 'raw');
      const text = ok(await w.cli(['metrics', 'export'])).stdout;
      assert.match(text, /^capstan_system_online\{system="lab-h1"\} 1$/m);
      assert.match(text, /^capstan_system_memory_bytes\{system="lab-h1"\} \d/m);
    } finally {
      await w.cli(['wpar', 'delete', 'metered']);
    }
  });

  it('keeps the metrics of a manager outage, across a SIGKILL of the agent too, and delivers them', async () => {
    await w.stopManager('SIGKILL');
    const down = Date.now();
    // Two sample intervals: at least one sample is taken while the manager is away.
    await sleep(21_000);
    process.kill(agentPid(1), 'SIGKILL');
    assert.ok(readFileSync(join(labHost(1).agentDir, 'spool.jsonl'), 'utf8').trim().split('\n').length >= 1, 'on disk as soon as taken');
    const up = Date.now();
    await w.startManager({ host: '0.0.0.0', port });
    await lab.startAgent(1);
    await until('the outage samples stored', async () => {
      const s = await json<{ points: { t: string }[] }>(['metrics', 'system', 'lab-h1', '--from', new Date(down).toISOString(), '--to', new Date(up).toISOString()]);
      return s.points.length > 0;
    });
    // What the manager acknowledged leaves the agent's disk (later samples may still be on their way).
    await until('the agent to forget the delivered samples', () => readFileSync(join(labHost(1).agentDir, 'spool.jsonl'), 'utf8')
      .split('\n').filter(Boolean).map((l) => JSON.parse(l) as { sample?: { t: number } })
      .every((l) => !l.sample || l.sample.t > up));
  });

  it('enforces instant capacity on the host: the slice of its WPARs is held to the active cores, widened when cores are activated, and kept without the manager', async (t) => {
    interface Status { systems: { name: string; intended: { cores: number }; actual: { cores: number; memoryGiB: number | null } | null }[] }
    const actualCores = async (): Promise<number | undefined> => (await json<Status>(['capacity', 'status', 'lab-h1'])).systems[0]?.actual?.cores;
    const slice = (controller: string, file: string): string => readFileSync(`/sys/fs/cgroup/${controller}/capstan-lab-h1/${file}`, 'utf8').trim();
    const cpusets = (): number => slice('cpuset', 'cpuset.cpus').split(',').reduce((n, r) => {
      const [a, b] = r.split('-').map(Number);
      return n + (b === undefined ? 1 : b - (a as number) + 1);
    }, 0);
    // What the kernel does with the quota: enforcement periods (and throttled ones) of the slice.
    const cpuStat = (): Record<string, number> => Object.fromEntries(slice('cpu', 'cpu.stat').split('\n').map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
    /** The slice holds the quota for `cores` and a cpuset of as many CPUs where the machine has them, and the kernel enforces it on the WPAR. */
    const heldTo = async (cores: number): Promise<void> => {
      assert.equal(slice('cpu', 'cpu.cfs_period_us'), '100000');
      assert.equal(slice('cpu', 'cpu.cfs_quota_us'), String(cores * 100_000));
      if (cores <= cpus().length) assert.equal(cpusets(), cores, `cpuset ${slice('cpuset', 'cpuset.cpus')}`);
      assert.notEqual(slice('cpu', 'burner/cgroup.procs'), '', 'the WPAR runs in the slice');
      const before = cpuStat();
      await sleep(1000);
      const after = cpuStat();
      assert.ok((after.nr_periods ?? 0) > (before.nr_periods ?? 0), 'the kernel enforces the quota while the WPAR runs');
      t.diagnostic(`${cores} active core(s): ${(after.nr_throttled ?? 0) - (before.nr_throttled ?? 0)} of ${(after.nr_periods ?? 0) - (before.nr_periods ?? 0)} periods throttled`);
    };
    await lab.without('burner');
    try {
      ok(await w.cli(['capacity', 'complex', 'create', 'lab-h1', '--serial', 'SN-LAB1', '--rights-cores', '1', '--rights-memory', '2', '--instant-access', '2h']));
      await until('lab-h1 to report 1 active core', async () => (await actualCores()) === 1);
      assert.equal(slice('memory', 'memory.limit_in_bytes'), String(2 * 2 ** 30));

      // Two busy loops: two cores' worth of demand.
      ok(await w.cli(['wpar', 'create', 'burner', '--system', 'lab-h1', '--start', '--', 'sh', '-c', 'while :; do :; done & while :; do :; done']));
      await heldTo(1);

      ok(await w.cli(['capacity', 'activate', 'lab-h1', '--cores', '1']));
      await until('lab-h1 to report 2 active cores', async () => (await actualCores()) === 2);
      await heldTo(2);

      // Without the manager, and with the slice's limit lost behind the agent's back: the
      // agent's next start enforces what it kept.
      await w.stopManager('SIGKILL');
      process.kill(agentPid(1), 'SIGKILL');
      writeFileSync('/sys/fs/cgroup/cpu/capstan-lab-h1/cpu.cfs_quota_us', '-1');
      await lab.startAgent(1);
      await until('the kept capacity applied again', async () => slice('cpu', 'cpu.cfs_quota_us') === '200000');
      await w.startManager({ host: '0.0.0.0', port });
      await until('lab-h1 Online', async () => (await system('lab-h1')).state === 'Online');

      ok(await w.cli(['capacity', 'deactivate', 'lab-h1', '--cores', '1']));
      await until('lab-h1 to report 1 active core again', async () => (await actualCores()) === 1);
      await heldTo(1);
    } finally {
      await w.cli(['wpar', 'delete', 'burner']);
      await w.cli(['capacity', 'complex', 'remove', 'lab-h1']);
    }
    // In no complex, nothing is governed: the limits are lifted.
    await until('the limits lifted', async () => slice('cpu', 'cpu.cfs_quota_us') === '-1' && !existsSync(join(labHost(1).agentDir, 'capacity.json')));
  });

  it('opens a shell inside a WPAR through the manager and its agent: a command with its streams and status, and a terminal', async () => {
    await lab.without('shell1');
    ok(await w.cli(['wpar', 'create', 'shell1', '--system', 'lab-h2', '--start']));
    // Without a terminal (stdin is a pipe here): output and errors apart, input to its end, the status back.
    const piped = await w.cli(['wpar', 'console', 'shell1', '--', 'sh', '-c', 'hostname; cat; echo oops >&2; exit 5'], { input: 'typed line\n' });
    assert.equal(piped.code, 5, piped.stderr);
    assert.equal(piped.stdout, 'shell1\ntyped line\n');
    assert.match(piped.stderr, /oops/);
    // With a terminal, of the caller's size.
    const pty = spawnPty(process.execPath, [CLI_MAIN, 'wpar', 'console', 'shell1', '--', 'sh', '-c', 'tty; stty size; exit 4'], { env: w.env() as Record<string, string>, cols: 91, rows: 33 });
    let out = '';
    pty.onData((d) => (out += d));
    const code = await new Promise<number>((resolve) => pty.onExit((e) => resolve(e.exitCode)));
    assert.equal(code, 4, out);
    assert.match(out, /\/dev\/pts\/\d+/);
    assert.match(out, /33 91/);
    // A WPAR that is not running has no session to give.
    ok(await w.cli(['wpar', 'stop', 'shell1']));
    const stopped = await w.cli(['wpar', 'console', 'shell1', '--', 'true']);
    assert.equal(stopped.code, 6);
    assert.match(stopped.stderr, /CAP-E1006/);
    ok(await w.cli(['wpar', 'remove', 'shell1', '--delete-definition']));
  });

  it('removing a system with --remove-wpars removes its WPARs from the host first, then revokes its agent, which keeps running unregistered', async () => {
    // A host of its own, so that no other test loses one.
    ok(await w.cli(['lab', 'up', '--hosts', '3']));
    const revoked = new LabHosts(w, [3]);
    await revoked.ready();
    await revoked.without('gone1', 'gone2');
    ok(await w.cli(['wpar', 'create', 'gone1', '--system', 'lab-h3', '--start']));
    ok(await w.cli(['wpar', 'create', 'gone2', '--system', 'lab-h3']));
    const asked = await w.cli(['system', 'remove', 'lab-h3']);
    assert.equal(asked.code, 6);
    assert.match(asked.stderr, /CAP-E0004.*--preserve-wpars.*--remove-wpars/s);
    ok(await w.cli(['system', 'remove', 'lab-h3', '--remove-wpars']));
    for (const name of ['gone1', 'gone2']) assert.equal((await w.cli(['wpar', 'show', name])).code, 5, `${name}'s definition is gone`);
    assert.doesNotMatch(ok(await revoked.onHost(3, 'lswpar')).stdout, /gone1|gone2/, 'and nothing of them is left on the host');
    const pid = revoked.agentPid(3);
    assert.ok(pid !== undefined);
    const agents = await json<{ systemName: string }[]>(['agent', 'list']);
    assert.equal(agents.some((a) => a.systemName === 'lab-h3'), false);
    await until('the agent to see it is revoked', async () => {
      const st = JSON.parse(ok(await revoked.onHost(3, process.execPath, CLI_MAIN, '--json', 'agent', 'status')).stdout) as { channel?: string };
      return st.channel === 'revoked';
    });
    process.kill(pid, 0);
    assert.equal((await w.cli(['system', 'show', 'lab-h3'])).code, 5, 'it does not come back');
  });
});

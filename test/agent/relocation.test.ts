// Live relocation between two lab hosts through the manager: a WPAR serving TCP keeps its
// client's connection (no reset) and its counter across the move, its address answers from
// the arrival host, nothing of it is left on the departure host; and a host is evacuated.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { access, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, beforeEach, describe, it } from 'node:test';
import { existingLabHosts, LAB, labHost } from '../../src/agent/lab/lab.js';
import { labDown } from '../../src/cli/agent/lab.js';
import { routes } from '../../src/api/routes/index.js';
import { ApiClient, type Endpoint } from '../../src/client/api-client.js';
import { CliWorld, ok, type CliResult } from '../cli/harness.js';
import { CLI_MAIN } from '../helpers/built-cli.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/until.js';
import { LabHosts } from './lab-hosts.js';
import { silenceOf, TalkClient, talker } from '../../bench/relocation/silence.js';

const w = new CliWorld();
const lab = new LabHosts(w, [1, 2]);
const execFileP = promisify(execFile);

const json = <T>(args: string[]): Promise<T> => w.json<T>(args);

interface Wpar { name: string; state: string; system: { name: string } | null }
const wpar = (name: string): Promise<Wpar> => json<Wpar>(['wpar', 'show', name]);
const onHost = lab.onHost.bind(lab);

interface Task { id: string; status: string; error: { code: string } | null; operations: { name: string; status: string }[] }

/** Starts a relocation and returns once its move between the agents is under way. */
async function relocationUnderWay(name: string, to: string): Promise<string> {
  const task = await json<Task>(['wpar', 'relocate', name, '--to', to, '--no-wait']);
  // Asked straight over the API: the move takes about a second, a CLI run half of that.
  const api = new ApiClient(JSON.parse(await readFile(join(w.dir, 'cli.json'), 'utf8')) as Endpoint);
  await until('the move under way', async () => (await api.call(routes.tasks.get, { params: { id: task.id } })).operations.some((o) => o.name.startsWith('move ') && o.status === 'running'), { every: 10 });
  return task.id;
}

/**
 * Lab host N dies as far as its peers can tell: every process of its own (its agent, the CRIU
 * page server serving a post-copy) is killed. Its WPARs' processes live on, as the other tests need.
 */
async function killLabHost(n: number): Promise<void> {
  const { stdout } = await execFileP('ip', ['netns', 'pids', labHost(n).netns]);
  for (const pid of stdout.split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
}

/** The task once it has ended; if it does not, the failure shows where it stands. */
async function ended(id: string): Promise<Task> {
  let last: Task | undefined;
  return until('the relocation settled', async () => {
    last = await json<Task>(['task', 'show', id]);
    return ['succeeded', 'failed'].includes(last.status) ? last : undefined;
  }, { within: 180_000 }).catch((e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(last, null, 1)}`);
  });
}

/** The "running exactly once" rule: Active on one lab host only, no trace on the other, and the manager agrees. */
async function runsExactlyOnce(name: string): Promise<number> {
  const listed = await Promise.all([1, 2].map(async (n) => ok(await onHost(n, 'lswpar')).stdout));
  const hosts = [1, 2].filter((_, i) => new RegExp(`^${name}\\s`, 'm').test(listed[i] as string));
  assert.equal(hosts.length, 1, `${name} on exactly one host:\n${listed.join('\n')}`);
  const n = hosts[0] as number;
  assert.match(listed[n - 1] as string, new RegExp(`^${name}\\s+A`, 'm'));
  await assert.rejects(access(`/run/netns/capstan-lab-h${3 - n}-${name}`));
  const view = await until(`${name} settled in the manager`, async () => {
    const v = await wpar(name);
    return v.state === 'Transitional' ? undefined : v;
  });
  assert.deepEqual([view.system?.name, view.state], [`lab-h${n}`, 'Active']);
  return n;
}

/**
 * Relocates mover to the other lab host and, once the move is under way, injects a fault.
 * Then the rule: the task succeeded, or failed with mover running on where it was
 * (CAP-E0922); mover runs exactly once; its open TCP client sees the counter carry on and no reset.
 */
async function faultDuringMove(inject: (hosts: { from: number; to: number }) => Promise<void>): Promise<void> {
  const client = await Client.open('10.240.3.10', 7000);
  try {
    const before = await client.ask('before');
    const from = (await wpar('mover')).system?.name === 'lab-h1' ? 1 : 2;
    const to = 3 - from;
    const id = await relocationUnderWay('mover', `lab-h${to}`);
    await inject({ from, to });
    const done = await ended(id);
    assert.ok(done.status === 'succeeded' || done.error?.code === 'CAP-E0922', JSON.stringify(done));
    await runsExactlyOnce('mover');
    assert.ok((await client.ask('after')) > before, 'the counter carried on');
    assert.deepEqual(client.problems, []);
  } finally {
    client.close();
  }
}

/** A line-oriented client of the WPAR's TCP service: each line sent is answered with the WPAR's counter. */
class Client {
  private buffer = '';
  private waiting?: (line: string) => void;
  readonly problems: string[] = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      const i = this.buffer.indexOf('\n');
      if (i >= 0 && this.waiting) {
        const line = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 1);
        this.waiting(line);
      }
    });
    socket.on('error', (e) => this.problems.push(e.message));
    socket.on('close', () => this.problems.push('closed'));
  }

  /** `within`: how long the server may take to listen (a WPAR that first fills memory takes its time on a loaded host). */
  static async open(host: string, port: number, within = 60_000): Promise<Client> {
    return until(`a connection to ${host}:${port}`, () => new Promise<Client | undefined>((resolve) => {
      const s = connect({ host, port }, () => resolve(new Client(s)));
      s.once('error', () => resolve(undefined));
    }), { within });
  }

  /** The counter the WPAR answers with. */
  ask(word: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${word}: ${this.problems.join(', ')}`)), 20_000);
      this.waiting = (line) => {
        clearTimeout(timer);
        const [echo, n] = line.trim().split(' ');
        assert.equal(echo, word);
        resolve(Number(n));
      };
      this.socket.write(`${word}\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * A checkpointable system WPAR that counts in its own layer and answers on TCP port 7000 with
 * the count; with `holdMiB`, it first fills that much memory (random text) and holds it.
 */
async function createServer(name: string, address: string, system: string, holdMiB = 0): Promise<void> {
  const script = [
    ...(holdMiB > 0
      ? [`(x=$(head -c ${holdMiB * 3 * 256 * 1024} /dev/urandom | base64); : > /tmp/held; while :; do sleep 1; done) &`, 'while [ ! -e /tmp/held ]; do sleep 0.2; done']
      : []),
    // Renamed into place: a reader never sees the file truncated and not yet written.
    'i=0; while :; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.1; done &',
    'printf "#!/bin/sh\\nwhile read l; do echo \\"\\$l \\$(cat /tmp/count)\\"; done\\n" > /tmp/answer; chmod +x /tmp/answer',
    // A line every 50 ms to every client of port 5000: what a relocation's silence is read from.
    talker(),
    // busybox nc: -ll keeps listening, each connection answered by /tmp/answer.
    'exec nc -ll -p 7000 -e /tmp/answer',
  ].join('\n');
  ok(await w.cli(['wpar', 'create', name, '--system', system, '--start', '-c', '-N', `address=${address}/16`, '--', 'sh', '-c', script]));
}

/** mover, the TCP server most tests move, Active on some lab host: made anew on lab-h1 unless it is. */
async function moverRunning(): Promise<void> {
  const r = await w.cli(['--json', 'wpar', 'show', 'mover']);
  if (r.code === 0 && (JSON.parse(r.stdout) as Wpar).state === 'Active') return;
  await lab.without('mover');
  await createServer('mover', '10.240.3.10', 'lab-h1');
}

describe('live relocation between lab hosts', { concurrency: false }, () => {
  let port = 0;

  before(async () => {
    await labDown(undefined, await existingLabHosts());
    port = await freePort();
    await w.startManager({ host: '0.0.0.0', port });
    const first = (await readFile(join(w.dataDir, 'initial-admin-password'), 'utf8')).trim();
    ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin'], { input: `${first}\nadmin-pass-2\n` }));
    ok(await w.cli(['lab', 'up', '--hosts', '2']));
  });

  // Each test starts from hosts that are up, tested and open, whatever the test before it left.
  beforeEach(() => lab.ready());

  after(async () => {
    for (const n of [1, 2]) {
      const log = await readFile(`/var/lib/capstan/lab/h${n}/agent/agent.log`, 'utf8').catch(() => '');
      const problems = log.split('\n').filter((l) => l && !l.includes('"level":30'));
      if (problems.length > 0) console.log(`lab-h${n} agent log:\n${problems.slice(-15).join('\n')}`);
    }
    await w.cli(['lab', 'down']);
    await labDown(undefined, await existingLabHosts());
    await w.close();
  });

  it('moves a WPAR serving TCP: the open connection carries on, the counter continues, the address answers from the arrival host', async (t) => {
    await lab.without('mover');
    await createServer('mover', '10.240.3.10', 'lab-h1');
    const client = await Client.open('10.240.3.10', 7000);
    const listener = new TalkClient('10.240.3.10');
    try {
      const before = await client.ask('one');
      assert.ok(before > 0);
      await listener.receiving();
      const from = Date.now();
      const r = ok(await w.cli(['wpar', 'relocate', 'mover', '--to', 'lab-h2']));
      // Printed, not asserted: what a client saw depends on the machine's load (bench/relocation measures it).
      t.diagnostic(`${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /frozen/.test(l)).join(' | '));
      t.diagnostic(`a client on the lab bridge saw ${silenceOf(listener.lines, from, Date.now()).longestMs} ms without a line`);
      const moved = await wpar('mover');
      assert.deepEqual([moved.system?.name, moved.state], ['lab-h2', 'Active']);
      const after = await client.ask('two');
      assert.ok(after > before, `the counter carried on (${before} → ${after})`);
      assert.deepEqual(client.problems, [], 'no reset, no close');
      // The address now lives on lab-h2; nothing of the WPAR is left on lab-h1.
      assert.match(ok(await onHost(2, 'lswpar')).stdout, /mover\s+A/);
      assert.doesNotMatch(ok(await onHost(1, 'lswpar')).stdout, /mover/);
      await assert.rejects(access('/run/netns/capstan-lab-h1-mover'));
      await access('/run/netns/capstan-lab-h2-mover');
      await assert.rejects(access('/sys/fs/cgroup/memory/capstan-lab-h1/mover'));
      // A new connection reaches it too.
      const second = await Client.open('10.240.3.10', 7000);
      assert.ok((await second.ask('three')) >= after);
      second.close();

      // And back, chosen automatically (the only fully compatible system).
      const back = ok(await w.cli(['wpar', 'relocate', 'mover', '--auto']));
      t.diagnostic(`${back.stdout}\n${back.stderr}`.split('\n').filter((l) => /frozen/.test(l)).join(' | '));
      assert.equal((await wpar('mover')).system?.name, 'lab-h1');
      const last = await client.ask('four');
      assert.ok(last > after, `the counter carried on (${after} → ${last})`);
      assert.deepEqual(client.problems, []);
      assert.deepEqual(listener.trouble, [], 'the talker connection neither reset nor closed');
    } finally {
      client.close();
      listener.close();
    }
  });

  it('refuses what cannot be relocated, and changes nothing', async () => {
    await moverRunning();
    await lab.without('plain');
    const here = (await wpar('mover')).system?.name as string;
    const same = await w.cli(['wpar', 'relocate', 'mover', '--to', here]);
    assert.match(same.stderr, /CAP-E0903/);
    ok(await w.cli(['wpar', 'create', 'plain', '--system', 'lab-h1', '--start']));
    const plain = await w.cli(['wpar', 'relocate', 'plain', '--to', 'lab-h2']);
    assert.match(plain.stderr, /CAP-E0202/);
    const neither = await w.cli(['wpar', 'relocate', 'mover']);
    assert.notEqual(neither.code, 0);
    assert.equal((await wpar('mover')).system?.name, here);
    ok(await w.cli(['wpar', 'stop', 'plain']));
    ok(await w.cli(['wpar', 'remove', 'plain', '--delete-definition']));
  });

  it('does not move a WPAR with an open console session unless forced, and then ends the session saying why', async () => {
    await moverRunning();
    const here = (await wpar('mover')).system?.name as string;
    const there = here === 'lab-h1' ? 'lab-h2' : 'lab-h1';
    const session = spawn(process.execPath, [CLI_MAIN, 'wpar', 'console', 'mover', '--', 'sh', '-c', 'echo ready; sleep 600'], { env: w.env(), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    session.stdout.on('data', (d) => (out += d));
    session.stderr.on('data', (d) => (err += d));
    const ended = new Promise<number | null>((resolve) => session.on('close', resolve));
    try {
      await until('the session runs', () => out.includes('ready'));
      const refused = await w.cli(['wpar', 'relocate', 'mover', '--to', there]);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /CAP-E1022/);
      assert.deepEqual([(await wpar('mover')).system?.name, (await wpar('mover')).state], [here, 'Active']);
      assert.equal(session.exitCode, null, 'the session is still open');

      ok(await w.cli(['wpar', 'relocate', 'mover', '--to', there, '--force']));
      assert.notEqual(await ended, 0);
      assert.match(err, new RegExp(`the session was ended: mover is relocating to ${there}`));
      assert.deepEqual([(await wpar('mover')).system?.name, (await wpar('mover')).state], [there, 'Active']);
    } finally {
      session.kill('SIGKILL');
    }
  });

  it('refuses a host that has a WPAR of that name at the start, and leaves both WPARs alone', async () => {
    await moverRunning();
    const here = (await wpar('mover')).system?.name === 'lab-h1' ? 1 : 2;
    const other = 3 - here;
    ok(await onHost(other, 'mkwpar', '-n', 'mover'));
    try {
      const r = await w.cli(['wpar', 'relocate', 'mover', '--to', `lab-h${other}`]);
      assert.match(r.stderr, /CAP-E1010/);
      assert.match(ok(await onHost(other, 'lswpar')).stdout, /^mover\s+D/m, `lab-h${other}'s own mover untouched`);
      assert.match(ok(await onHost(here, 'lswpar')).stdout, /^mover\s+A/m);
      assert.deepEqual([(await wpar('mover')).system?.name, (await wpar('mover')).state], [`lab-h${here}`, 'Active']);
    } finally {
      await onHost(other, 'rmwpar', '-F', 'mover');
    }
  });

  it('runs exactly once when the arrival agent is killed during the move', async () => {
    await moverRunning();
    await faultDuringMove(({ to }) => lab.restartAgent(to));
  });

  it('runs exactly once when the manager is killed during the move', async () => {
    await moverRunning();
    await faultDuringMove(async () => {
      await w.stopManager('SIGKILL');
      await w.startManager({ host: '0.0.0.0', port });
    });
  });

  it('runs exactly once when the departure agent is killed during the move (the transfer is cut)', async () => {
    await moverRunning();
    await faultDuringMove(({ from }) => lab.restartAgent(from));
  });

  it('leaves the WPAR running where it was when the arrival host has no room for its images', async () => {
    await moverRunning();
    const here = (await wpar('mover')).system?.name as string;
    const to = here === 'lab-h1' ? 2 : 1;
    const relocations = join(labHost(to).engineRoot, 'agent-state', 'relocations');
    await mkdir(relocations, { recursive: true });
    await execFileP('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'capstan-test-full', relocations]);
    // Room for the relocation's small records, not for its images: how small the images of a
    // post-copy move are varies, so a bare 256k could hold them.
    await execFileP('fallocate', ['-l', '240k', join(relocations, 'filler')]);
    try {
      const r = await w.cli(['wpar', 'relocate', 'mover', '--to', `lab-h${to}`]);
      assert.match(r.stderr, /CAP-E0922/, r.stderr);
      assert.match(r.stderr, /no space left on device/i);
      assert.equal(await runsExactlyOnce('mover'), 3 - to);
    } finally {
      await execFileP('umount', [relocations]);
    }
  });

  it('passes the images through a state directory both hosts share, when they have one', async () => {
    const shared = join(LAB.root, 'shared');
    await moverRunning();
    const agentCli = lab.agentCli.bind(lab);
    const client = await Client.open('10.240.3.10', 7000);
    try {
      for (const n of [1, 2]) {
        ok(await agentCli(n, 'shared-state', shared));
        ok(await agentCli(n, 'restart'));
      }
      await until('both hosts report the shared directory and are tested', async () => {
        const views = await Promise.all(['lab-h1', 'lab-h2'].map((s) => json<{ profile: { sharedStateId?: string } | null; compatibilityTestedAt: string | null }>(['system', 'show', s])));
        const ids = views.map((v) => v.profile?.sharedStateId);
        return ids[0] !== undefined && ids[0] === ids[1] && views.every((v) => v.compatibilityTestedAt !== null);
      });
      const before = await client.ask('before');
      const here = (await wpar('mover')).system?.name as string;
      const to = here === 'lab-h1' ? 2 : 1;
      const r = ok(await w.cli(['wpar', 'relocate', 'mover', '--to', `lab-h${to}`]));
      assert.match(r.stderr + r.stdout, /images through the shared state directory/);
      assert.equal(await runsExactlyOnce('mover'), to);
      assert.ok((await client.ask('after')) > before, 'the counter carried on');
      assert.deepEqual(client.problems, []);
      assert.deepEqual(await readdir(join(shared, 'relocations')), [], 'nothing left in the shared directory');
    } finally {
      client.close();
      for (const n of [1, 2]) {
        await agentCli(n, 'shared-state', 'none');
        await agentCli(n, 'restart');
      }
      await rm(shared, { recursive: true, force: true });
    }
  });

  it('restarts a WPAR from scratch on a healthy system when its departure host dies while pages are still owed', async () => {
    await lab.without('hog');
    const policy = (restartOnHostFailure: boolean): Promise<CliResult> => {
      const file = join(w.dir, 'policy.json');
      return writeFile(file, JSON.stringify({ restartOnHostFailure })).then(() => w.cli(['group', 'modify', 'default', '--policy', file]));
    };
    ok(await policy(true));
    try {
      await restartsTheHog();
    } finally {
      await policy(false);
    }
  });

  /** The hog moves to lab-h2 by post-copy; lab-h1 dies while pages are owed; the group restarts it on lab-h2. */
  async function restartsTheHog(): Promise<void> {
    await createServer('hog', '10.240.3.20', 'lab-h1', 1024);
    const client = await Client.open('10.240.3.20', 7000, 300_000);
    client.close();
    const task = await json<Task>(['wpar', 'relocate', 'hog', '--to', 'lab-h2', '--no-wait']);
    // The arrival resumed it and fetches its memory from lab-h1: lab-h1 dies now, as a host does.
    const logs = join(labHost(2).engineRoot, 'agent-state', 'hog');
    await until('hog resumed on lab-h2', async () => {
      const dirs = await readdir(logs).catch(() => [] as string[]);
      const text = (await Promise.all(dirs.map((d) => readFile(join(logs, d, 'mcr.log'), 'utf8').catch(() => '')))).join('');
      return /hog resumed here/.test(text);
    }, { every: 5 });
    await killLabHost(1);
    const done = await ended(task.id);
    assert.equal(done.error?.code, 'CAP-E0923', JSON.stringify(done));
    assert.match(JSON.stringify(done.error), /pages were still owed/);
    assert.match(JSON.stringify(done.error), /restarted from scratch on lab-h2/);
    const restarted = await until('hog restarted on lab-h2', async () => {
      const v = await wpar('hog');
      return v.system?.name === 'lab-h2' && v.state === 'Active' ? v : undefined;
    }, { within: 120_000 });
    assert.equal(restarted.system?.name, 'lab-h2');
    // lab-h1 comes back: what the relocation left there goes, and the WPAR runs once, on lab-h2.
    await lab.startAgent(1);
    await until('lab-h1 without hog', async () => !/^hog\s/m.test(ok(await onHost(1, 'lswpar')).stdout));
    assert.equal(await runsExactlyOnce('hog'), 2);
    ok(await w.cli(['wpar', 'stop', 'hog']));
    ok(await w.cli(['wpar', 'remove', 'hog', '--delete-definition']));
  }

  it('evacuates a host with three WPARs, and nothing is placed on it until it is restored', async () => {
    await moverRunning();
    if ((await wpar('mover')).system?.name !== 'lab-h1') ok(await w.cli(['wpar', 'relocate', 'mover', '--to', 'lab-h1']));
    await lab.without('evac2', 'evac3');
    await createServer('evac2', '10.240.3.12', 'lab-h1');
    await createServer('evac3', '10.240.3.13', 'lab-h1');
    const r = ok(await w.cli(['system', 'evacuate', 'lab-h1']));
    assert.match(r.stdout + r.stderr, /evacuated/, r.stdout + r.stderr);
    for (const name of ['mover', 'evac2', 'evac3']) {
      const moved = await wpar(name);
      assert.deepEqual([name, moved.system?.name, moved.state], [name, 'lab-h2', 'Active']);
    }
    assert.doesNotMatch(ok(await onHost(1, 'lswpar')).stdout, /mover|evac/);
    assert.equal((await json<{ placementBlocked: boolean }>(['system', 'show', 'lab-h1'])).placementBlocked, true);
    const blocked = await w.cli(['wpar', 'relocate', 'evac2', '--to', 'lab-h1']);
    assert.match(blocked.stderr, /CAP-E0904/);
    ok(await w.cli(['system', 'restore', 'lab-h1']));
    ok(await w.cli(['wpar', 'relocate', 'evac2', '--to', 'lab-h1']));
    assert.equal((await wpar('evac2')).system?.name, 'lab-h1');
  });
});

// Live relocation between two engines on one machine (two roots, two scopes, one bridge: two
// hosts of one segment, like lab hosts): a system WPAR that counts and serves TCP moves from
// A to B by post-copy and by stop-and-copy. The test plays the transport: it copies the state
// directory and relays CRIU's page traffic through a TCP proxy of its own.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { WparSpec } from '../../src/api/wpar.js';
import { Engine, type RelocationMethod } from '../../src/agent/engine/index.js';
import { run, runOk } from '../../src/agent/exec.js';
import { ImageStore } from '../../src/agent/images/index.js';
import { ensureBridge, vethPrefix, wparMac } from '../../src/agent/net/index.js';
import { silenceOf, type Line } from '../../bench/relocation/silence.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/until.js';
import { countReaches, lastCount } from './harness.js';

const exec = promisify(execFile);
const CGROUPS = '/sys/fs/cgroup';
const SRC = join(import.meta.dirname, '../../src');

/** An agent that starts a departure and dies once its images are ready (argv: root scope bridge images name dir method port). */
const DRIVER = `
import { Engine } from '${SRC}/agent/engine/index.js';
import { ImageStore } from '${SRC}/agent/images/index.js';
const [root, scope, bridge, images, name, dir, method, port] = process.argv.slice(2);
const engine = new Engine({ root, scope, defaultBridge: bridge, images: new ImageStore(images) });
const departure = await engine.relocateOut(name, { dir, method, pageServer: { host: '127.0.0.1', port: Number(port) } });
await departure.imagesReady;
console.log('ready');
setInterval(() => undefined, 1000);
`;

/** Counts on stdout, serves an echo on port 5000, and holds `mib` MiB of memory for the pages to move. */
function mover(name: string, address: string, mib: number): WparSpec {
  const script = `(x=$(busybox yes | busybox head -c ${mib * 1024 * 1024}); while :; do sleep 1; done) & nc -ll -p 5000 -e cat & i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done`;
  return { name, type: 'system', image: 'busybox', command: ['/bin/sh', '-c', script], interfaces: [{ address, prefix: 24 }], mounts: [], resources: {}, checkpointable: true };
}

/** A TCP relay standing in for the agents' tunnel; with a `budget`, it stops the flow towards the client side after that many bytes. */
class Relay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  budget = Number.POSITIVE_INFINITY;
  port = 0;

  async start(target: () => { host: string; port: number }): Promise<void> {
    this.port = await freePort();
    this.server = createServer((inbound) => {
      const t = target();
      const outbound = connect(t.port, t.host);
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.sockets.delete(s));
      }
      inbound.pipe(outbound);
      outbound.on('data', (d: Buffer) => {
        const pass = d.subarray(0, Math.max(0, Math.min(d.length, this.budget)));
        this.budget -= pass.length;
        if (pass.length) inbound.write(pass);
      });
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
    await new Promise<void>((r) => this.server?.listen(this.port, '127.0.0.1', r));
  }

  close(): void {
    this.server?.close();
    for (const s of this.sockets) s.destroy();
  }
}

/** A client of the WPAR's echo service: pings every 50 ms and notes every echo, error and close. */
class Client {
  private readonly sk: Socket;
  private sent = 0;
  private buffer = '';
  private timer?: NodeJS.Timeout;
  readonly echoed: number[] = [];
  /** Every echo with when it came: what the client saw of a relocation. */
  readonly heard: Line[] = [];
  readonly trouble: string[] = [];

  constructor(host: string) {
    this.sk = connect(5000, host);
    this.sk.on('connect', () => {
      this.timer = setInterval(() => this.sk.write(`ping ${++this.sent}\n`), 50);
    });
    this.sk.on('data', (d: Buffer) => {
      this.buffer += d.toString();
      const lines = this.buffer.split('\n');
      this.buffer = lines.pop() ?? '';
      for (const l of lines) {
        this.echoed.push(Number(/^ping (\d+)$/.exec(l)?.[1] ?? NaN));
        this.heard.push({ at: Date.now(), n: this.echoed.at(-1) as number });
      }
    });
    this.sk.on('error', (e) => this.trouble.push(`error ${e.message}`));
    this.sk.on('close', () => this.trouble.push('closed'));
  }

  get sentCount(): number {
    return this.sent;
  }

  /** Waits until the echo of ping `n` (or a later one) came back. */
  async echoes(n: number, ms = 15_000): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) {
      if ((this.echoed.at(-1) ?? 0) >= n) return;
      if (this.trouble.length) break;
    }
    throw new Error(`no echo of ping ${n} (last ${this.echoed.at(-1)}; ${this.trouble.join(', ') || 'no error'})`);
  }

  close(): void {
    clearInterval(this.timer);
    this.sk.destroy();
  }
}

describe('live relocation between two engines', () => {
  const id = Math.random().toString(36).slice(2, 7);
  const scopes = { a: `rla${id}`, b: `rlb${id}` };
  const bridge = `crb${id}`;
  const subnet = `10.233.${Math.floor(Math.random() * 250) + 1}`;
  let dir: string;
  let a: Engine;
  let b: Engine;
  let n = 0;
  const clients: Client[] = [];
  const relays: Relay[] = [];
  const name = (p: string): string => `${p}${id}${n++}`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capstan-relocate-test-'));
    const images = new ImageStore(join(dir, 'images'));
    await images.ensureBusybox('busybox');
    await ensureBridge(bridge, `${subnet}.1/24`);
    a = new Engine({ root: join(dir, 'a'), scope: scopes.a, defaultBridge: bridge, images });
    b = new Engine({ root: join(dir, 'b'), scope: scopes.b, defaultBridge: bridge, images });
  });

  after(async () => {
    for (const c of clients) c.close();
    for (const r of relays) r.close();
    for (const e of [a, b]) {
      if (!e) continue;
      e.close();
      for (const w of await e.list().catch(() => [])) await e.remove(w.name).catch((err: unknown) => console.error(`cleanup of ${w.name}:`, err));
    }
    await scorch();
  });

  /** Whatever a failed test left: helpers, containers, mounts, namespaces, the bridge, cgroups, files. */
  async function scorch(): Promise<void> {
    const ps = await run('ps', ['-eo', 'pid=,args=']);
    for (const line of ps.stdout.split('\n')) {
      const [pid, ...args] = line.trim().split(/\s+/);
      if (pid && args.join(' ').includes(dir) && Number(pid) !== process.pid) await run('kill', ['-9', pid]);
    }
    for (const e of [a, b].filter(Boolean)) {
      for (const c of (await run('runc', ['--root', e.layout.runcRoot, 'list', '-q'])).stdout.split('\n').filter(Boolean)) {
        await run('runc', ['--root', e.layout.runcRoot, 'delete', '--force', c]);
      }
    }
    for (const m of (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((p) => p.startsWith(dir)).reverse()) {
      await run('umount', ['-l', m]);
    }
    for (const ns of (await run('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0] ?? '')) {
      if (ns.startsWith(`capstan-${scopes.a}-`) || ns.startsWith(`capstan-${scopes.b}-`)) await run('ip', ['netns', 'delete', ns]);
    }
    await run('ip', ['link', 'del', bridge]);
    for (const scope of Object.values(scopes)) {
      for (const ctl of await readdir(CGROUPS).catch(() => [] as string[])) {
        const parent = join(CGROUPS, ctl, `capstan-${scope}`);
        for (const child of await readdir(parent, { withFileTypes: true }).catch(() => [])) {
          if (child.isDirectory()) await run('rmdir', [join(parent, child.name)]);
        }
        await run('rmdir', [parent]);
      }
    }
    await rm(dir, { recursive: true, force: true });
  }

  /** A running mover on A with a client connected to it. */
  async function movable(prefix: string, host: number, mib = 16): Promise<{ wpar: string; address: string; client: Client }> {
    const wpar = name(prefix);
    const address = `${subnet}.${host}`;
    await a.create(mover(wpar, address, mib), { start: true });
    await countReaches(a, wpar, 3);
    const client = new Client(address);
    clients.push(client);
    await client.echoes(3);
    return { wpar, address, client };
  }

  /** Copies the departure's state directory into the arrival's, as the transport does. */
  async function transfer(from: string, to: string): Promise<void> {
    await runOk('mkdir', ['-p', to]);
    await runOk('cp', ['-a', `${from}/.`, to]);
  }

  /** A post-copy departure of `wpar` whose page traffic goes through a relay that passes `budget` bytes. */
  async function postCopyThroughRelay(wpar: string, budget: number) {
    const out = join(dir, `${wpar}-out`);
    const into = join(dir, `${wpar}-in`);
    const served = { host: '127.0.0.1', port: await freePort() };
    const relay = new Relay();
    relays.push(relay);
    await relay.start(() => served);
    relay.budget = budget;
    const departure = await a.relocateOut(wpar, { dir: out, method: 'postCopy', pageServer: served });
    return { out, into, relay, departure };
  }

  /** Relocates `wpar` from A to B the whole way; resolves with the frozen time. */
  async function relocate(wpar: string, method: RelocationMethod): Promise<number> {
    const out = join(dir, `${wpar}-${method}-out`);
    const into = join(dir, `${wpar}-${method}-in`);
    const relay = new Relay();
    relays.push(relay);
    if (method === 'postCopy') {
      // Prepared, as the arrival agent does (stop-and-copy goes without: both ways work).
      await b.prepareArrival((await a.get(wpar))!.spec, method);
      const served = { host: '127.0.0.1', port: await freePort() };
      await relay.start(() => served);
      const departure = await a.relocateOut(wpar, { dir: out, method, pageServer: served });
      await departure.imagesReady;
      await transfer(out, into);
      const arrival = await b.relocateIn(wpar, { dir: into, method, pageSource: { host: '127.0.0.1', port: relay.port } });
      await departure.commit();
      assert.equal((await a.get(wpar))?.state, 'Transitional', 'kept until all memory is over there');
      await arrival.pagesArrived;
      await departure.delivered();
      assert.equal(await departure.finished, 'moved');
      return arrival.resumedAt - departure.frozenAt;
    }
    const receiver = await b.receivePages(wpar, { dir: into });
    await relay.start(() => receiver.listen);
    const departure = await a.relocateOut(wpar, { dir: out, method, pageServer: { host: '127.0.0.1', port: relay.port } });
    await departure.imagesReady;
    await transfer(out, into);
    await receiver.received;
    const arrival = await b.relocateIn(wpar, { dir: into, method });
    await arrival.pagesArrived;
    await departure.commit();
    assert.equal(await departure.finished, 'moved');
    return arrival.resumedAt - departure.frozenAt;
  }

  /** Nothing of `wpar` is left on A: record, container, namespace, veths, mounts, cgroups. */
  async function goneFromA(wpar: string): Promise<void> {
    assert.equal(await a.get(wpar), undefined, 'no record on A');
    assert.equal(await stat(a.layout.wpar(wpar).dir).catch(() => undefined), undefined, 'no directory on A');
    assert.notEqual((await run('runc', ['--root', a.layout.runcRoot, 'state', wpar])).code, 0, 'no container on A');
    assert.doesNotMatch((await run('ip', ['netns', 'list'])).stdout, new RegExp(`^${a.layout.netns(wpar)}\\b`, 'm'), 'no namespace on A');
    assert.doesNotMatch((await run('ip', ['-o', 'link', 'show'])).stdout, new RegExp(vethPrefix(a.layout.netns(wpar))), 'no veth of A');
    assert.doesNotMatch(await readFile('/proc/self/mountinfo', 'utf8'), new RegExp(a.layout.wpar(wpar).dir), 'no mount of A');
    for (const ctl of await readdir(CGROUPS)) {
      assert.equal(await stat(join(CGROUPS, ctl, a.layout.cgroupParent, wpar)).catch(() => undefined), undefined, `no ${ctl} cgroup on A`);
    }
  }

  /** What of `wpar` is left in the cgroups of `e`: its cgroup directories, and processes that live in them. */
  async function cgroupTraces(e: Engine, wpar: string): Promise<string[]> {
    const path = join(e.layout.cgroupParent, wpar);
    const left: string[] = [];
    for (const ctl of await readdir(CGROUPS)) {
      if (await stat(join(CGROUPS, ctl, path)).catch(() => undefined)) left.push(`cgroup ${ctl}${path}`);
    }
    for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
      const cg = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '');
      if (cg.split('\n').some((l) => l.endsWith(`:${path}`) || l.includes(`:${path}/`))) left.push(`process ${pid}`);
    }
    return left;
  }

  /** The address is B's now: the host's neighbour entry has B's MAC, and a new connection gets an echo. */
  async function answersFromB(wpar: string, address: string): Promise<void> {
    const mac = wparMac(b.layout.netns(wpar), 0, address);
    let neigh = '';
    for (let i = 0; i < 50 && !neigh.includes(mac); i++, await sleep(50)) neigh = (await run('ip', ['neigh', 'show', address, 'dev', bridge])).stdout;
    assert.match(neigh, new RegExp(mac), 'the neighbours learnt the new location');
    const fresh = new Client(address);
    clients.push(fresh);
    await fresh.echoes(2);
    fresh.close();
  }

  for (const method of ['postCopy', 'stopAndCopy'] as const) {
    it(`${method}: moves a running WPAR with its open connection, counter and address`, async (t) => {
      const { wpar, address, client } = await movable(method === 'postCopy' ? 'post' : 'stop', method === 'postCopy' ? 21 : 22);
      const before = await lastCount(a, wpar);
      const from = Date.now();
      const frozenMs = await relocate(wpar, method);
      assert.ok(frozenMs > 0 && frozenMs < 10_000, `frozen ${frozenMs} ms`);
      assert.equal((await b.get(wpar))?.state, 'Active');
      assert.equal((await b.get(wpar))?.memoryArriving, undefined, 'all memory came');

      await countReaches(b, wpar, before + 3);
      const firstOnB = Number((await readFile(b.layout.wpar(wpar).output, 'utf8')).split('\n')[0]);
      assert.ok(firstOnB > before && firstOnB < before + 30, `the counter went on (A last ${before}, B first ${firstOnB})`);

      const sent = client.sentCount;
      await client.echoes(sent + 2);
      assert.deepEqual(client.trouble, [], 'the connection neither reset nor closed');
      assert.deepEqual(client.echoed, client.echoed.map((_, i) => i + 1), 'every ping echoed once, in order');
      // What the client waited (printed, not asserted: it depends on the machine's load).
      t.diagnostic(`${method}: the client saw ${silenceOf(client.heard, from, Date.now()).longestMs} ms without an echo; the engines say frozen ${frozenMs} ms`);

      await answersFromB(wpar, address);
      await goneFromA(wpar);
      client.close();
      await b.remove(wpar);
    });

    it(`${method}: abort before the arrival resumes leaves it running on A`, async () => {
      const { wpar, client } = await movable(method === 'postCopy' ? 'apost' : 'astop', method === 'postCopy' ? 23 : 24);
      const out = join(dir, `${wpar}-out`);
      const into = join(dir, `${wpar}-in`);
      const receiver = method === 'stopAndCopy' ? await b.receivePages(wpar, { dir: into }) : undefined;
      await b.prepareArrival((await a.get(wpar))!.spec, method);
      const pageServer = receiver ? receiver.listen : { host: '127.0.0.1', port: await freePort() };
      const departure = await a.relocateOut(wpar, { dir: out, method, pageServer });
      await departure.imagesReady;
      assert.equal((await a.get(wpar))?.state, 'Transitional');
      const held = await lastCount(a, wpar);
      await sleep(300);
      assert.equal(await lastCount(a, wpar), held, 'frozen while it moves');
      await assert.rejects(b.relocateIn(wpar, { dir: join(dir, 'nowhere'), method, pageSource: pageServer }), 'the arrival fails (no images came)');

      await departure.abort();
      assert.equal(await departure.finished, 'stayed');
      await assert.rejects(departure.commit(), { code: 'CAP-E1006' });
      assert.equal((await a.get(wpar))?.state, 'Active');
      await countReaches(a, wpar, held + 3);
      const sent = client.sentCount;
      await client.echoes(sent + 2);
      assert.deepEqual(client.trouble, [], 'the connection survived');
      assert.deepEqual(await readdir(out), [], 'the images without their memory are gone');
      await receiver?.cancel();
      await b.cancelArrival(wpar);
      assert.equal(await b.get(wpar), undefined);
      assert.doesNotMatch((await run('ip', ['netns', 'list'])).stdout, new RegExp(`^${b.layout.netns(wpar)}\\b`, 'm'), 'the prepared namespace is gone');
      client.close();
      await a.remove(wpar);
    });
  }

  /** Starts a departure of `wpar` in another process and kills that process once the images are ready. */
  async function departAndDie(wpar: string, method: RelocationMethod, out: string, port: number): Promise<void> {
    const script = join(dir, 'driver.mts');
    await writeFile(script, DRIVER);
    const child = spawn(process.execPath, ['--import', 'tsx', script, a.layout.root, scopes.a, bridge, join(dir, 'images'), wpar, out, method, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(child, 'exit');
    let said = '';
    for (const s of [child.stdout, child.stderr]) s.on('data', (d: Buffer) => (said += d.toString()));
    for (let i = 0; i < 1200 && !said.includes('ready') && child.exitCode === null; i++) await sleep(50);
    child.kill('SIGKILL');
    await exited;
    assert.match(said, /^ready$/m, `the driver got the images ready; it said: ${said}`);
    const seen = await a.get(wpar);
    assert.equal(seen?.state, 'Broken');
    assert.match(seen?.brokenReason ?? '', /interrupted during relocate-out \(dumped; settle it with settleRelocation\)/);
  }

  it('a departure whose agent died is settled later: it stays (stop-and-copy) or goes once the arrival runs (post-copy)', async () => {
    const stays = await movable('dies', 26);
    const receiver = await b.receivePages(stays.wpar, { dir: join(dir, `${stays.wpar}-in`) });
    await departAndDie(stays.wpar, 'stopAndCopy', join(dir, `${stays.wpar}-out`), receiver.listen.port);
    await receiver.cancel();
    assert.equal(await a.settleRelocation(stays.wpar, 'stayed'), 'stayed');
    assert.equal((await a.get(stays.wpar))?.state, 'Active');
    await stays.client.echoes(stays.client.sentCount + 2);
    assert.deepEqual(stays.client.trouble, [], 'its connection survived');
    assert.equal(await a.settleRelocation(stays.wpar, 'stayed'), 'stayed', 'settling again says the same');

    const goes = await movable('dies', 27);
    const out = join(dir, `${goes.wpar}-out`);
    const into = join(dir, `${goes.wpar}-in`);
    const port = await freePort();
    await departAndDie(goes.wpar, 'postCopy', out, port);
    await transfer(out, into);
    const arrival = await b.relocateIn(goes.wpar, { dir: into, method: 'postCopy', pageSource: { host: '127.0.0.1', port } });
    await arrival.pagesArrived;
    assert.equal(await a.settleRelocation(goes.wpar, 'arrived'), 'moved');
    await goneFromA(goes.wpar);
    await goes.client.echoes(goes.client.sentCount + 2);
    assert.deepEqual(goes.client.trouble, [], 'its connection moved with it');
    assert.equal(await a.settleRelocation(goes.wpar, 'arrived'), 'moved', 'settling again says the same');
    for (const c of [stays.client, goes.client]) c.close();
    await a.remove(stays.wpar);
    await b.remove(goes.wpar);
  });

  it('post-copy: an arrival whose lazy-pages daemon dies before the restore is done fails and leaves nothing', async () => {
    const { wpar, client } = await movable('early', 28);
    const { out, into, relay, departure } = await postCopyThroughRelay(wpar, 0); // the restore waits for its first pages
    await departure.imagesReady;
    await transfer(out, into);
    const arriving = b.relocateIn(wpar, { dir: into, method: 'postCopy', pageSource: { host: '127.0.0.1', port: relay.port } });
    arriving.catch(() => undefined);
    let daemon = 0;
    for (let i = 0; i < 200 && !daemon; i++, await sleep(50)) {
      const rec = JSON.parse(await readFile(b.layout.wpar(wpar).record, 'utf8').catch(() => '{}')) as { arrivingPages?: { pid: number } };
      daemon = rec.arrivingPages?.pid ?? 0;
    }
    await sleep(500);
    const { stdout } = await exec('pgrep', ['-P', String(daemon)]);
    await run('kill', ['-9', ...stdout.trim().split('\n')]);
    await assert.rejects(arriving, /did not start: criu lazy-pages ended/);
    assert.equal(await b.get(wpar), undefined, 'nothing of it on B');
    assert.deepEqual(await cgroupTraces(b, wpar), [], 'no cgroup or process of it on B');
    assert.doesNotMatch((await run('ip', ['netns', 'list'])).stdout, new RegExp(`^${b.layout.netns(wpar)}\\b`, 'm'));
    assert.doesNotMatch(await readFile('/proc/self/mountinfo', 'utf8'), new RegExp(b.layout.wpar(wpar).dir));

    await departure.abort();
    assert.equal((await a.get(wpar))?.state, 'Active');
    await client.echoes(client.sentCount + 2);
    assert.deepEqual(client.trouble, [], 'its connection survived');
    client.close();
    await a.remove(wpar);
  });

  it('post-copy: the arrival whose lazy-pages daemon dies mid-way is stopped as Broken; the departure takes it back', async () => {
    const { wpar, client } = await movable('lost', 25, 64);
    client.close();
    // Enough for the restore, not for the 64 MiB: the arrival stays mid-way.
    const { out, into, relay, departure } = await postCopyThroughRelay(wpar, 2 * 1024 * 1024);
    await departure.imagesReady;
    await transfer(out, into);
    const arrival = await b.relocateIn(wpar, { dir: into, method: 'postCopy', pageSource: { host: '127.0.0.1', port: relay.port } });
    await departure.commit();
    assert.equal((await b.get(wpar))?.memoryArriving, true);

    const wrapper = JSON.parse(await readFile(b.layout.wpar(wpar).record, 'utf8')) as { arrivingPages: { pid: number } };
    const { stdout } = await exec('pgrep', ['-P', String(wrapper.arrivingPages.pid)]);
    await run('kill', ['-9', ...stdout.trim().split('\n')]);
    await assert.rejects(arrival.pagesArrived, /memory stopped coming/);
    const seen = await b.get(wpar);
    assert.equal(seen?.state, 'Broken');
    assert.match(seen?.brokenReason ?? '', /post-copy: its memory stopped coming from the departure host.*exited with 137/);
    assert.notEqual((await run('runc', ['--root', b.layout.runcRoot, 'state', wpar])).stdout.includes('"running"'), true, 'it does not run on');

    // It never got its memory: the frozen copy on A is the WPAR now.
    await departure.abort();
    await assert.rejects(departure.delivered(), { code: 'CAP-E1006' });
    assert.equal((await a.get(wpar))?.state, 'Active');
    await countReaches(a, wpar, (await lastCount(a, wpar)) + 2);
    // The arrival marks it Broken, then lets go of it once its daemon's end is collected.
    await until('the arrival done with it', () => b.remove(wpar).then(() => true, (e: unknown) => {
      if ((e as { code?: string }).code === 'CAP-E1001') return false;
      throw e;
    }), { within: 30_000 });
    await a.remove(wpar);
  });
});

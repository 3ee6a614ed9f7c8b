// Benchmark of live relocation between two engines (two roots and scopes on one machine, one
// bridge: like two lab hosts), for each memory transfer method this host supports, against
// raw runc checkpoint/restore and Podman checkpoint --export / restore --import with the
// same CRIU, in the same run: frozen time (the workload's own clock, see ticks.ts) and total
// time for WPARs with 16, 256 and 1024 MiB of touched memory, printed as ratios; and for the
// relocations, the longest silence a TCP client on the host saw on an open connection to a
// server in the WPAR (silence.ts), with any line it lost or got twice.
//
// Run as root, after `npm run build`:
//   node --import tsx bench/relocation/run.ts [--sizes 16,256,1024] [--reps 1] [--peers no] [--through engines,agents]
// (--peers no: the relocations only, without raw runc and Podman. --through: engines, the
// engines' half alone (below); agents, whole relocations between two lab hosts through a
// manager and their agents, as `capstan wpar relocate` runs them (agents.ts); both by default.)
// Targets: frozen at most 1/5 of Podman's at 256 MiB (DESIGN.md §3 measured Podman at
// 5.6 s there), and under 300 ms; the client's silence under 300 ms.
//
// The engine side is the engines' half of a relocation: the bench plays the transport, as a
// local copy of the state directory and CRIU's page traffic straight over loopback (the
// agents carry both over mutual TLS). Raw runc and Podman move nothing: they checkpoint and
// restore in place, which is what a relocation could at best cost with them.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WparSpec } from '../../src/api/wpar.js';
import { findCriu } from '../../src/agent/engine/criu.js';
import { Engine, memoryTransfer, type RelocationMethod } from '../../src/agent/engine/index.js';
import { run, runOk } from '../../src/agent/exec.js';
import { ImageStore } from '../../src/agent/images/index.js';
import { ensureBridge } from '../../src/agent/net/index.js';
import { freePort } from '../../src/agent/net/ports.js';
import { AgentsBench } from './agents.js';
import { medianOf, type Measure } from './measure.js';
import { Podman, RawRunc, type PeerRun } from './peers.js';
import { silenceOf, TalkClient, talker } from './silence.js';
import { bootEpochMs, frozenMs, workload } from './ticks.js';

const BRIDGE = 'capbench0';
const SUBNET = '10.238.0';
const SCOPES = ['bench-a', 'bench-b'] as const;
const CGROUPS = '/sys/fs/cgroup';
/** Podman at 256 MiB, as DESIGN.md §3 measured it on these machines. */
const PODMAN_DESIGN_MS = 5600;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function fromPeer(r: PeerRun): Promise<Measure> {
  return { frozen: frozenMs(r.ticks, r.from, r.to + 1000, await bootEpochMs()), total: r.to - r.from };
}

class Bench {
  private n = 0;

  constructor(
    private readonly a: Engine,
    private readonly b: Engine,
    private readonly dir: string,
  ) {}

  private spec(name: string, mib: number): WparSpec {
    return {
      name, type: 'system', image: 'busybox', command: workload(mib, [talker()]), checkpointable: true,
      interfaces: [{ address: `${SUBNET}.10`, prefix: 24 }], mounts: [], resources: {},
    };
  }

  /** A WPAR on A with its memory touched and a second of ticks. */
  async ready(mib: number): Promise<string> {
    const name = `r${mib}x${this.n++}`;
    await this.a.create(this.spec(name, mib), { start: true });
    const upper = this.a.layout.wpar(name).upper;
    for (let i = 0; i < 3000 && (await run('test', ['-e', join(upper, 'touched')])).code !== 0; i++) await sleep(100);
    await sleep(1000);
    return name;
  }

  /** Relocates `name` from A to B the whole way; the WPAR is removed from B after. */
  async relocate(name: string, method: RelocationMethod): Promise<Measure> {
    const out = join(this.dir, `${name}-out`);
    const into = join(this.dir, `${name}-in`);
    const spec = (await this.a.get(name))?.spec;
    if (!spec) throw new Error(`${name} is not on A`);
    const client = new TalkClient(`${SUBNET}.10`);
    await client.receiving();
    const from = Date.now();
    // As the arrival agent does once the manager announces the relocation.
    await this.b.prepareArrival(spec, method);
    let engineFrozen: number;
    if (method === 'postCopy') {
      const pageServer = { host: '127.0.0.1', port: await freePort() };
      const departure = await this.a.relocateOut(name, { dir: out, method, pageServer });
      await departure.imagesReady;
      await runOk('cp', ['-a', out, into]);
      const arrival = await this.b.relocateIn(name, { dir: into, method, pageSource: pageServer });
      engineFrozen = arrival.resumedAt - departure.frozenAt;
      await departure.commit();
      await arrival.pagesArrived;
      await departure.delivered();
      await departure.finished;
    } else {
      const receiver = await this.b.receivePages(name, { dir: into });
      const departure = await this.a.relocateOut(name, { dir: out, method, pageServer: receiver.listen });
      await departure.imagesReady;
      await runOk('cp', ['-a', `${out}/.`, into]);
      await receiver.received;
      const arrival = await this.b.relocateIn(name, { dir: into, method });
      engineFrozen = arrival.resumedAt - departure.frozenAt;
      await departure.commit();
      await departure.finished;
    }
    const to = Date.now();
    await sleep(1000);
    client.close();
    const seen = silenceOf(client.lines, from, to + 1000);
    if (client.trouble.length > 1) console.error(`${name}: the client's connection broke: ${client.trouble.join(', ')}`);
    const ticks = await readFile(join(this.b.layout.wpar(name).upper, 'ticks'), 'utf8');
    await this.b.remove(name);
    await rm(out, { recursive: true, force: true });
    await rm(into, { recursive: true, force: true });
    return {
      frozen: frozenMs(ticks, from, to + 1000, await bootEpochMs()), total: to - from, engineFrozen,
      silence: seen.longestMs, lostOrRepeated: seen.lost + seen.repeated + (client.trouble.length > 1 ? 1 : 0),
    };
  }
}

/** Removes the cgroups the engines and raw runc left (empty by now). */
async function removeCgroups(parents: string[]): Promise<void> {
  for (const ctl of await readdir(CGROUPS).catch(() => [] as string[])) {
    for (const p of parents) await run('rmdir', [join(CGROUPS, ctl, p)]);
  }
}

async function main(): Promise<void> {
  const sizes = option('sizes', '16,256,1024').split(',').map(Number);
  const reps = Number(option('reps', '1'));
  const peers = option('peers', 'yes') !== 'no';
  const through = option('through', 'engines,agents').split(',');
  const memory = await memoryTransfer();
  const methods: RelocationMethod[] = (['postCopy', 'stopAndCopy'] as const).filter((m) => memory[m]);
  console.error(`memory transfer here: ${methods.join(', ')}; not: ${memory.missing.join('; ')}`);
  const criu = await findCriu();
  const podman = peers ? await Podman.find(criu.path) : 'not asked for (--peers no)';
  if (typeof podman === 'string') console.error(`Podman unavailable, its columns stay empty: ${podman}`);

  const dir = await mkdtemp(join(tmpdir(), 'capstan-bench-relocation-'));
  const images = new ImageStore(join(dir, 'images'));
  const lower = await images.ensureBusybox('busybox');
  await ensureBridge(BRIDGE, `${SUBNET}.1/24`);
  const [a, b] = SCOPES.map((scope) => new Engine({ root: join(dir, scope), scope, defaultBridge: BRIDGE, images })) as [Engine, Engine];
  const bench = new Bench(a, b, dir);
  const raw = new RawRunc(join(dir, 'raw-runc'), criu.path, lower);
  const rows: { mib: number; what: string; m: Measure }[] = [];
  const agents = through.includes('agents') ? await AgentsBench.up(join(dir, 'agents')) : undefined;
  const benches = [...(through.includes('engines') ? [{ how: '', bench }] : []), ...(agents ? [{ how: ' via agents', bench: agents }] : [])];
  try {
    if (typeof podman !== 'string') await podman.image(lower, dir);
    for (const mib of sizes) {
      for (const { how, bench: b } of benches) {
        for (const method of methods) {
          const runs: Measure[] = [];
          for (let i = 0; i < reps; i++) runs.push(await b.relocate(await b.ready(mib), method));
          rows.push({ mib, what: `${method}${how}`, m: medianOf(runs) });
          console.error(`${mib} MiB ${method}${how}: frozen ${rows.at(-1)?.m.frozen.toFixed(0)} ms, client silent ${rows.at(-1)?.m.silence?.toFixed(0)} ms`);
        }
      }
      if (!peers) continue;
      // Raw runc runs the very config.json of an engine WPAR.
      const template = await bench.ready(mib);
      const rawRuns: Measure[] = [];
      for (let i = 0; i < reps; i++) rawRuns.push(await fromPeer(await raw.measure(`raw${mib}x${i}`, a.layout.wpar(template).config, dir)));
      await a.remove(template);
      rows.push({ mib, what: 'raw runc', m: medianOf(rawRuns) });
      if (typeof podman !== 'string') {
        const podmanRuns: Measure[] = [];
        for (let i = 0; i < reps; i++) podmanRuns.push(await fromPeer(await podman.measure(`capstan-bench-${mib}x${i}`, workload(mib), dir)));
        rows.push({ mib, what: 'podman', m: medianOf(podmanRuns) });
      }
      console.error(`${mib} MiB: done`);
    }
  } finally {
    await agents?.down();
    for (const e of [a, b]) {
      for (const w of await e.list().catch(() => [])) await e.remove(w.name).catch((err: unknown) => console.error(`cleanup of ${w.name}:`, err));
      e.close();
    }
    if (typeof podman !== 'string') await podman.removeImage();
    await run('ip', ['link', 'del', BRIDGE]);
    await removeCgroups([...SCOPES.map((s) => `capstan-${s}`), 'capstan-bench-raw']);
    await rm(dir, { recursive: true, force: true });
  }
  report(rows, sizes, benches.flatMap(({ how }) => methods.map((m) => `${m}${how}`)), typeof podman === 'string' ? podman : undefined);
}

function report(rows: { mib: number; what: string; m: Measure }[], sizes: number[], methods: string[], noPodman?: string): void {
  const peer = (mib: number, what: string): Measure | undefined => rows.find((r) => r.mib === mib && r.what === what)?.m;
  const ratio = (x: number, y: number | undefined): string => (y ? `${(x / y).toFixed(3)}×` : '—');
  const header = ['memory', 'how', 'frozen ms', 'total ms', 'engines say', 'client silent ms', 'lost/twice', 'frozen/podman', 'frozen/raw', 'total/podman', 'total/raw'];
  const lines = rows.map(({ mib, what, m }) => {
    const mine = what !== 'raw runc' && what !== 'podman';
    const pod = peer(mib, 'podman');
    const raw = peer(mib, 'raw runc');
    return [
      `${mib} MiB`, what, m.frozen.toFixed(0), m.total.toFixed(0), m.engineFrozen?.toFixed(0) ?? '', m.silence?.toFixed(0) ?? '', m.lostOrRepeated?.toFixed(0) ?? '',
      mine ? ratio(m.frozen, pod?.frozen) : '', mine ? ratio(m.frozen, raw?.frozen) : '',
      mine ? ratio(m.total, pod?.total) : '', mine ? ratio(m.total, raw?.total) : '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log('live relocation A→B (engine half: state directory copied locally, page traffic over loopback; via agents: lab-h1 → lab-h2 through the manager) vs checkpoint+restore in place');
  console.log('frozen: the workload\'s longest pause between ticks (last tick on departure to first on arrival); total: start to the copy on A gone');
  console.log('client silent: the longest gap between lines a client on the host read from a server in the WPAR (one every 50 ms); lost/twice: lines missing or repeated, all runs');
  console.log([line(header), ...lines.map(line)].join('\n'));
  if (noPodman) console.log(`Podman: unavailable (${noPodman}); DESIGN.md §3 measured it at ${PODMAN_DESIGN_MS} ms frozen for 256 MiB`);
  const pod256 = peer(256, 'podman')?.frozen;
  for (const method of methods) {
    const at256 = peer(256, method)?.frozen;
    if (sizes.includes(256) && at256 !== undefined) {
      const base = pod256 ?? PODMAN_DESIGN_MS;
      const from = pod256 === undefined ? ' (DESIGN.md\'s Podman figure)' : '';
      console.log(`target ${method}: frozen at 256 MiB ≤ 1/5 of Podman's${from}: ${at256.toFixed(0)} / ${base.toFixed(0)} ms = ${(at256 / base).toFixed(3)} → ${at256 <= base / 5 ? 'met' : 'MISSED'}`);
    }
    const over = sizes.filter((mib) => (peer(mib, method)?.frozen ?? Infinity) >= 300);
    console.log(`target ${method}: frozen under 300 ms → ${over.length === 0 ? 'met at every size' : `MISSED at ${over.map((m) => `${m} MiB (${peer(m, method)?.frozen.toFixed(0)} ms)`).join(', ')}`}`);
    const silent = sizes.filter((mib) => (peer(mib, method)?.silence ?? Infinity) >= 300);
    console.log(`target ${method}: client silent under 300 ms → ${silent.length === 0 ? 'met at every size' : `MISSED at ${silent.map((m) => `${m} MiB (${peer(m, method)?.silence?.toFixed(0)} ms)`).join(', ')}`}`);
  }
}

await main();

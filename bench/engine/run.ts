// Benchmark of the partition engine against raw runc, in the same run on the same machine:
// pause+resume latency and checkpoint+restore time of a WPAR with 16 and 256 MiB touched.
// Run as root: node --import tsx bench/engine/run.ts   (target: engine within 1.2× of runc)
//
// Both sides run the same container (the engine's config.json) with the same runc and CRIU
// options. Every timed run starts with the file system synced, so that neither side pays for
// the other's dirty pages (unmounting an overlay syncs its upper file system). What the raw
// side leaves out of the engine's work is printed with the results (OMITTED).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '../../src/agent/engine/index.js';
import { findCriu } from '../../src/agent/engine/criu.js';
import { mountOverlay, unmountOverlay } from '../../src/agent/engine/rootfs.js';
import { run, runOk } from '../../src/agent/exec.js';
import { ImageStore } from '../../src/agent/images/index.js';

const SIZES_MIB = [16, 256];
const PAUSE_REPS = 20;
const CKPT_REPS = 5;

/** The engine's work that the raw runc side does not do. */
const OMITTED = [
  'every engine operation takes the WPAR\'s lock and writes its record twice (Transitional before, the outcome after)',
  'checkpoint: asks runc for the state, saves the writable layer (tar) and a manifest; pauses first and kills after the dump, where CRIU kills at once',
  'checkpoint(kill) ends the WPAR: unmounts its overlay root (which syncs the file system, with the images just written)',
  'restart: reads the manifest, unpacks the layer, mounts the overlay, writes config and record, starts runc under a supervisor, asks runc whether it came back frozen',
];

/** Touches `mib` MiB of anonymous memory (a shell variable), then idles. */
function toucher(mib: number): string[] {
  return ['/bin/sh', '-c', `x=$(busybox yes | busybox head -c ${mib * 1024 * 1024}); while :; do sleep 1; done`];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Times one run, the file system synced first. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  await runOk('sync', []);
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function waitTouched(usage: () => Promise<number>, mib: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await usage()) >= mib * 1024 * 1024) return;
    await sleep(100);
  }
  throw new Error(`memory never reached ${mib} MiB`);
}

/** Raw runc on a container made from the engine's own bundle (same config, own id, rootfs and cgroup). */
class RawRunc {
  constructor(
    private readonly root: string,
    private readonly criu: string,
  ) {}

  args(...a: string[]): string[] {
    return ['--root', this.root, '--criu', this.criu, ...a];
  }

  /** `runc run -d` / `runc restore -d` with stdio on pipes (as the engine's supervisor gives them). */
  async detached(id: string, a: string[]): Promise<void> {
    const c = spawn('bash', ['-c', ': | runc "$@" 2>&1 | cat >/dev/null', 'raw', ...this.args(...a)], { stdio: 'ignore', detached: true });
    c.unref();
    for (let i = 0; i < 1200; i++) {
      const st = await run('runc', this.args('state', id));
      if (st.code === 0 && (JSON.parse(st.stdout) as { status: string }).status === 'running') return;
      await sleep(5);
    }
    throw new Error(`runc ${a[0]} of ${id} did not get it running`);
  }

  async ok(...a: string[]): Promise<void> {
    await runOk('runc', this.args(...a));
  }

  async memory(id: string): Promise<number> {
    const r = await runOk('runc', this.args('events', '--stats', id));
    return (JSON.parse(r.stdout) as { data: { memory: { usage: { usage: number } } } }).data.memory.usage.usage;
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'capstan-bench-'));
  const images = new ImageStore(join(dir, 'images'));
  const lower = await images.ensureBusybox('busybox');
  const engine = new Engine({ root: join(dir, 'engine'), defaultBridge: 'unused0', images });
  const raw = new RawRunc(join(dir, 'raw-runc'), (await findCriu()).path);
  const rows: string[][] = [];
  try {
    for (const mib of SIZES_MIB) {
      const name = `bench${mib}`;
      await engine.create({
        name, type: 'application', image: 'busybox', command: toucher(mib),
        interfaces: [], mounts: [], resources: {}, checkpointable: true,
      });
      await waitTouched(async () => (await engine.stats(name)).memoryUsageBytes, mib);
      console.error(`${mib} MiB: WPAR ready`);

      // Raw runc: the engine's config.json, on its own overlay and cgroup.
      const bundle = join(dir, `raw-${mib}`);
      const rootfs = join(bundle, 'rootfs');
      await mountOverlay(lower, join(bundle, 'upper'), join(bundle, 'work'), rootfs);
      const config = JSON.parse(await readFile(engine.layout.wpar(name).config, 'utf8')) as { root: { path: string }; linux: { cgroupsPath: string } };
      config.root.path = rootfs;
      config.linux.cgroupsPath = `/capstan-bench/${name}`;
      await writeFile(join(bundle, 'config.json'), JSON.stringify(config));
      const rawId = `raw${mib}`;
      await raw.detached(rawId, ['run', '-d', '--bundle', bundle, rawId]);
      await waitTouched(() => raw.memory(rawId), mib);

      console.error(`${mib} MiB: raw container ready`);
      const enginePause: number[] = [];
      const rawPause: number[] = [];
      for (let i = 0; i < PAUSE_REPS; i++) {
        enginePause.push(await timed(async () => {
          await engine.freeze(name);
          await engine.resume(name);
        }));
        rawPause.push(await timed(async () => {
          await raw.ok('pause', rawId);
          await raw.ok('resume', rawId);
        }));
      }

      const engineCkpt: number[] = [];
      const rawCkpt: number[] = [];
      for (let i = 0; i < CKPT_REPS; i++) {
        const eDir = join(dir, `e-${mib}-${i}`);
        engineCkpt.push(await timed(async () => {
          await engine.checkpoint(name, { dir: eDir, mode: 'kill' });
          await engine.restart(name, { dir: eDir });
        }));
        const rDir = join(dir, `r-${mib}-${i}`);
        await mkdir(rDir);
        rawCkpt.push(await timed(async () => {
          await raw.ok('checkpoint', '--tcp-established', '--file-locks', '--image-path', rDir, '--work-path', `${rDir}-work`, rawId);
          await raw.detached(rawId, ['restore', '-d', '--tcp-established', '--file-locks', '--bundle', bundle, '--image-path', rDir, '--work-path', `${rDir}-work`, rawId]);
        }));
      }

      const row = (what: string, e: number[], r: number[]): string[] => [
        what, `${mib} MiB`, median(e).toFixed(1), median(r).toFixed(1), (median(e) / median(r)).toFixed(2),
      ];
      rows.push(row('pause+resume', enginePause, rawPause), row('checkpoint+restore', engineCkpt, rawCkpt));

      await engine.remove(name);
      await raw.ok('delete', '--force', rawId);
      await unmountOverlay(rootfs);
    }
  } finally {
    for (const w of await engine.list().catch(() => [])) await engine.remove(w.name).catch(() => undefined);
    engine.close();
    await rm(dir, { recursive: true, force: true });
  }

  const header = ['measure', 'memory', 'engine ms', 'raw runc ms', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(`medians of ${PAUSE_REPS} pause+resume and ${CKPT_REPS} checkpoint(kill)+restore runs`);
  console.log([line(header), ...rows.map(line)].join('\n'));
  console.log(`raw runc leaves out:\n${OMITTED.map((o) => `  - ${o}`).join('\n')}`);
}

await main();

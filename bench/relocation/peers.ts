// The peers the relocation benchmark compares with, on this machine with the same CRIU:
// raw `runc checkpoint` + `runc restore` of the same container (the engine's config.json),
// and Podman's `container checkpoint --export` + `container restore --import` (DESIGN.md §3:
// --runtime runc --ulimit nofile=1024:1024; and a fixed nproc too: rootful Podman raises it
// by default, which fails without CAP_SYS_RESOURCE). Each runs the benchmark's workload and
// reports its ticks and the wall time of the checkpoint and restore.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mountOverlay, unmountOverlay } from '../../src/agent/engine/rootfs.js';
import { run, runOk } from '../../src/agent/exec.js';

export interface PeerRun {
  /** Epoch ms: the checkpoint began, the restore returned. */
  from: number;
  to: number;
  ticks: string;
}

/** The same CRIU options as the engine's (src/agent/engine/runc.ts). */
const CRIU_OPTIONS = ['--tcp-established', '--file-locks', '--manage-cgroups-mode', 'soft'];

async function until(what: string, ok: () => Promise<boolean>, ms = 300_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) if (await ok()) return;
  throw new Error(`${what} did not happen within ${ms / 1000} s`);
}

/** Raw runc on a container made from an engine WPAR's bundle: its own root, overlay, cgroup and (empty) network namespace. */
export class RawRunc {
  constructor(
    private readonly root: string,
    private readonly criu: string,
    private readonly lower: string,
  ) {}

  private args(...a: string[]): string[] {
    return ['--root', this.root, '--criu', this.criu, ...a];
  }

  /** `runc run -d` / `runc restore -d` with stdio on pipes, as the engine's supervisor gives them. */
  private async detached(id: string, a: string[]): Promise<void> {
    spawn('bash', ['-c', ': | runc "$@" 2>&1 | cat >/dev/null', 'raw', ...this.args(...a)], { stdio: 'ignore', detached: true }).unref();
    await until(`runc ${a[0]} of ${id}`, async () => {
      const st = await run('runc', this.args('state', id));
      return st.code === 0 && (JSON.parse(st.stdout) as { status: string }).status === 'running';
    }, 120_000);
  }

  async measure(id: string, engineConfig: string, dir: string): Promise<PeerRun> {
    const bundle = join(dir, id);
    const upper = join(bundle, 'upper');
    const rootfs = join(bundle, 'rootfs');
    await mountOverlay(this.lower, upper, join(bundle, 'work'), rootfs);
    try {
      const config = JSON.parse(await readFile(engineConfig, 'utf8')) as { root: { path: string }; linux: { cgroupsPath: string; namespaces: { type: string; path?: string }[] } };
      config.root.path = rootfs;
      config.linux.cgroupsPath = `/capstan-bench-raw/${id}`;
      config.linux.namespaces = config.linux.namespaces.map((ns) => (ns.type === 'network' ? { type: 'network' } : ns));
      await writeFile(join(bundle, 'config.json'), JSON.stringify(config));
      await this.detached(id, ['run', '-d', '--bundle', bundle, id]);
      await until(`${id}'s memory`, async () => (await run('test', ['-e', join(upper, 'touched')])).code === 0);
      await sleep(1000);
      const images = join(dir, `${id}-images`);
      await mkdir(images);
      const from = Date.now();
      await runOk('runc', this.args('checkpoint', ...CRIU_OPTIONS, '--image-path', images, '--work-path', images, id));
      await this.detached(id, ['restore', '-d', ...CRIU_OPTIONS, '--bundle', bundle, '--image-path', images, '--work-path', images, id]);
      const to = Date.now();
      await sleep(1000);
      return { from, to, ticks: await readFile(join(upper, 'ticks'), 'utf8') };
    } finally {
      await run('runc', this.args('delete', '--force', id));
      await unmountOverlay(rootfs);
    }
  }
}

/** Podman with the engine's CRIU first on its PATH (runc runs `criu` from there). */
export class Podman {
  private readonly env: NodeJS.ProcessEnv;
  static readonly IMAGE = 'localhost/capstan-bench-busybox';

  private constructor(criu: string) {
    this.env = { PATH: `${dirname(criu)}:${process.env.PATH ?? ''}` };
  }

  /** Podman, installed from the distribution when absent; or why there is none. */
  static async find(criu: string): Promise<Podman | string> {
    if ((await run('podman', ['--version'])).code !== 0) {
      console.error('podman is not installed: apt-get install -y podman');
      const r = await run('apt-get', ['install', '-y', 'podman'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
      if (r.code !== 0) return `podman could not be installed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`;
    }
    const p = new Podman(criu);
    const version = await p.podman('--version').catch((e: unknown) => e as Error);
    return version instanceof Error ? `podman does not run: ${version.message}` : p;
  }

  private async podman(...args: string[]): Promise<string> {
    return (await runOk('podman', args, { env: this.env })).stdout.trim();
  }

  /** Imports the busybox root file system as the benchmark's image (once). */
  async image(rootfs: string, dir: string): Promise<void> {
    if ((await run('podman', ['image', 'exists', Podman.IMAGE], { env: this.env })).code === 0) return;
    const tar = join(dir, 'busybox.tar');
    await runOk('tar', ['-C', rootfs, '-cf', tar, '.']);
    await this.podman('import', tar, Podman.IMAGE);
  }

  async measure(name: string, command: string[], dir: string): Promise<PeerRun> {
    const restored = `${name}-restored`;
    const exported = join(dir, `${name}.tar.gz`);
    try {
      await this.podman('run', '-d', '--runtime', 'runc', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', '--name', name, Podman.IMAGE, ...command);
      await until(`${name}'s memory`, async () => (await run('podman', ['exec', name, 'test', '-e', '/touched'], { env: this.env })).code === 0);
      await sleep(1000);
      const from = Date.now();
      await this.podman('container', 'checkpoint', '--export', exported, name);
      await this.podman('container', 'restore', '--import', exported, '--name', restored);
      const to = Date.now();
      await sleep(1000);
      return { from, to, ticks: await this.podman('exec', restored, 'cat', '/ticks') };
    } finally {
      await run('podman', ['rm', '-f', name, restored], { env: this.env });
    }
  }

  async removeImage(): Promise<void> {
    await run('podman', ['rmi', '-f', Podman.IMAGE], { env: this.env });
  }
}

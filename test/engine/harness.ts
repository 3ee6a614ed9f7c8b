// A private engine for one test file: its own engine root and image store in a temp dir,
// its own bridge and subnet, and a cleanup that removes every WPAR, namespace and the bridge.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '../../src/agent/engine/index.js';
import { run } from '../../src/agent/exec.js';
import { ImageStore } from '../../src/agent/images/index.js';
import { ensureBridge } from '../../src/agent/net/index.js';
import { alsoOnTermination } from '../helpers/on-termination.js';

export interface Harness {
  engine: Engine;
  root: string;
  images: ImageStore;
  bridge: string;
  /** The host's address on the bridge and a free address for WPARs: `${subnet}.N`. */
  subnet: string;
  gateway: string;
  /** Unique WPAR name for this run. */
  name(prefix: string): string;
  /** Environment for the local commands, pointing them at this engine. */
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const id = Math.random().toString(36).slice(2, 8);
  const dir = await mkdtemp(join(tmpdir(), 'capstan-engine-test-'));
  const root = join(dir, 'engine');
  const images = new ImageStore(join(dir, 'images'));
  await images.ensureBusybox('busybox');
  const bridge = `ctb${id}`;
  const subnet = `10.231.${Math.floor(Math.random() * 250) + 1}`;
  const gateway = `${subnet}.1`;
  await ensureBridge(bridge, `${gateway}/24`);
  const engine = new Engine({ root, defaultBridge: bridge, images });
  let n = 0;
  const cleanup = async (): Promise<void> => {
    engine.close();
    for (const w of await engine.list().catch(() => [])) {
      await engine.remove(w.name).catch((e: unknown) => console.error(`cleanup of ${w.name}:`, e));
    }
    await run('ip', ['link', 'del', bridge]);
    await rm(dir, { recursive: true, force: true });
  };
  const forget = alsoOnTermination(cleanup);
  return {
    engine,
    root,
    images,
    bridge,
    subnet,
    gateway,
    name: (prefix) => `${prefix}${id}${n++}`,
    env: { ...process.env, CAPSTAN_ENGINE_ROOT: root, CAPSTAN_IMAGE_ROOT: join(dir, 'images'), CAPSTAN_BRIDGE: bridge },
    async cleanup() {
      forget();
      await cleanup();
    },
  };
}

/** The last number a counter WPAR printed to its output log. */
export async function lastCount(engine: Engine, name: string): Promise<number> {
  const text = await readFile(join(engine.layout.wpar(name).output), 'utf8');
  const numbers = text.split('\n').filter((l) => /^\d+$/.test(l));
  return Number(numbers.at(-1) ?? NaN);
}

/** Waits until the counter has printed at least `n`. */
export async function countReaches(engine: Engine, name: string, n: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const c = await lastCount(engine, name).catch(() => NaN);
    if (c >= n) return c;
    await sleep(50);
  }
  throw new Error(`${name} never counted to ${n}`);
}

/** A shell loop that prints 1, 2, 3… every 0.1 s. */
export const COUNTER = ['/bin/sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done'];

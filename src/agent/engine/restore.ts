// Restoring a WPAR's container from CRIU's images: a restart from a state directory, or a
// relocation's arrival (post-copy: its memory follows from the departure as it runs).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { announce, settleNeighbours } from '../net/index.js';
import type { EngineContext } from './context.js';
import { lowerRootfs } from './definition.js';
import { launch, type RestoreFrom } from './launch.js';
import { writeOperationLog, type LogLevel } from './op-log.js';
import type { WparRecord } from './records.js';
import { writeCriuConfig } from './relocate/criu-config.js';
import { startLazyPages, stopLazyPages } from './relocate/lazy-pages.js';
import type { PageEndpoint } from './relocate/transport.js';
import { unmountWithin } from './rootfs.js';
import { criuImages, type CheckpointManifest } from './state-dir.js';

export interface RestartOptions {
  dir: string;
  paused?: boolean;
  /** Run with the WPAR name once restarted and paused; must exit with a status above 100. */
  userCommand?: string;
  logFile?: string;
  logLevel?: LogLevel;
}

/**
 * Restarts the WPAR from a state directory, or from a relocation's images: post-copy, its
 * memory comes from `pageSource` as it runs. Resolves with the epoch ms its processes
 * were let run (or paused).
 */
export async function restore(
  ctx: EngineContext,
  rec: WparRecord,
  manifest: CheckpointManifest,
  opts: RestartOptions,
  relocation?: { pageSource?: PageEndpoint; netnsReady?: boolean },
): Promise<number> {
  const { spec } = rec;
  const { layout, runc } = ctx;
  const paths = layout.wpar(spec.name);
  await ctx.records.clearExit(spec.name);
  // A relocation restores in the relocation directory, where the lazy-pages daemon waits for the restore and works on after it.
  const work = relocation ? paths.relocation : await mkdtemp(join(paths.dir, 'restore-'));
  const from: RestoreFrom = { images: criuImages(opts.dir), work, netnsReady: relocation?.netnsReady, ...(manifest.layer ? { layer: join(opts.dir, manifest.layer) } : {}) };
  let outcome = 'failed';
  try {
    if (relocation) {
      await mkdir(work, { recursive: true });
      await writeCriuConfig(paths.criuConfig);
    }
    if (relocation?.pageSource) {
      // The daemon starts while launch prepares the root file system and network.
      from.lazyPages = startLazyPages(layout, ctx.records, rec, from.images, work, relocation.pageSource);
      from.lazyPages.catch(() => undefined);
    }
    await launch(ctx, rec, await lowerRootfs(ctx, spec), from);
    outcome = 'done';
  } catch (e) {
    await from.lazyPages?.catch(() => undefined);
    stopLazyPages(rec);
    throw e;
  } finally {
    if (opts.logFile) {
      await writeOperationLog(opts.logFile, opts.logLevel ?? 'error', `restart of ${spec.name} from ${opts.dir}: ${outcome}`, join(work, 'restore.log'));
    }
    // The lazy-pages daemon still works there (it removes it once all memory came). A failed
    // restore may leave CRIU's cgroup yard mounted inside.
    if (!relocation?.pageSource) await unmountWithin(work).then(() => rm(work, { recursive: true, force: true }));
    // CRIU read it when the restore began; a later checkpoint must not find it.
    await rm(paths.criuConfig, { force: true });
  }
  // The link is on its bridge now: while the processes resume, the address is announced and
  // what the restored sockets sent meanwhile, held for a neighbour, goes out (net/neighbours.ts).
  const ns = layout.netns(spec.name);
  const network = spec.interfaces.length > 0 ? Promise.all([announce(ns), settleNeighbours(ns, manifest.neighbours ?? [])]) : Promise.resolve();
  network.catch(() => undefined);
  // A checkpoint taken frozen may come back frozen (CRIU restores the freezer state). A
  // relocation's always is: resumed without asking runc first, on the way to running.
  if (relocation) {
    await runc.resume(spec.name).catch(async (e: unknown) => {
      if ((await runc.state(spec.name))?.status !== 'running') throw e;
    });
  } else {
    const frozen = (await runc.state(spec.name))?.status === 'paused';
    if (opts.paused && !frozen) await runc.pause(spec.name);
    if (!opts.paused && frozen) await runc.resume(spec.name);
  }
  const resumedAt = Date.now();
  await network;
  rec.state = opts.paused ? 'Paused' : 'Active';
  return resumedAt;
}

// Launching a WPAR's container: its root file system, network namespace and OCI bundle made
// ready, then runc run (or runc restore) under a supervisor.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createWparNetns, netnsPath } from '../net/index.js';
import { sliceCpuCeiling } from '../host/cgroups.js';
import { ensureSlicePidsLimit } from '../host/slice-pids.js';
import { allSettledOrThrow } from './concurrently.js';
import type { EngineContext } from './context.js';
import { writeJsonAtomic } from './json-file.js';
import { buildConfig, currentHardLimits, runcDefaultConfig } from './oci-config.js';
import type { WparRecord } from './records.js';
import { attachInterfaces } from './relocate/network.js';
import { mountOverlay, unpackLayer } from './rootfs.js';
import { startSupervised } from './start-supervised.js';
import { hasNetns, usesOverlay } from './teardown.js';

/** What a container is restored from. */
export interface RestoreFrom {
  images: string;
  work: string;
  /**
   * Its memory comes from a lazy-pages daemon, starting meanwhile; resolves once it listens,
   * with what tells why the restore will never complete (the daemon ended first).
   */
  lazyPages?: Promise<() => Promise<string | undefined>>;
  /** The writable layer's archive, unpacked while the network is made. */
  layer?: string;
  /** The network namespace is there already, detached (prepareArrival). */
  netnsReady?: boolean;
}

/** Prepares root file system, network and bundle, then runs (or restores) the container under a supervisor. */
export async function launch(ctx: EngineContext, rec: WparRecord, lower: string, restoreFrom?: RestoreFrom): Promise<void> {
  const { spec } = rec;
  const { layout } = ctx;
  // Every way a container comes to run passes here: the last word of the host's policy.
  await ctx.assertPolicy(spec);
  const paths = layout.wpar(spec.name);
  const nsName = layout.netns(spec.name);
  let nsPath = hasNetns(spec) && restoreFrom?.netnsReady ? netnsPath(nsName) : undefined;
  // Root file system, network and bundle directory do not depend on each other.
  await allSettledOrThrow([
    usesOverlay(spec)
      ? (restoreFrom?.layer ? unpackLayer(restoreFrom.layer, paths.upper) : Promise.resolve()).then(() => mountOverlay(lower, paths.upper, paths.work, paths.rootfs))
      : undefined,
    hasNetns(spec) && !nsPath
      // A restore's connections must see no packet before their sockets exist: attached after it.
      ? createWparNetns(nsName, spec.interfaces, { defaultBridge: ctx.defaultBridge, detached: !!restoreFrom }).then((p) => (nsPath = p))
      : undefined,
    mkdir(paths.bundle, { recursive: true }),
    ensureSlicePidsLimit(layout.cgroupParent),
  ]);
  const { config, resources } = buildConfig(await runcDefaultConfig(), {
    spec,
    rootfs: usesOverlay(spec) ? paths.rootfs : lower,
    // Application WPARs see their root read-only, except checkpointable ones: CRIU's restore
    // pivots through a temporary directory it makes in the root. Their writes still land
    // only in the WPAR's own layer.
    readonlyRoot: spec.type === 'application' && !(spec.checkpointable && usesOverlay(spec)),
    netnsPath: nsPath,
    hardLimits: await currentHardLimits(),
    criuConfig: paths.criuConfig,
    // Instant capacity may hold the slice below a WPAR's own CPU limit (see host/cgroups.ts).
    cpuCeilingCores: await sliceCpuCeiling(layout.cgroupParent),
    cgroupParent: layout.cgroupParent,
  });
  rec.resources = resources;
  rec.runId = randomUUID();
  delete rec.exitStatus;
  await writeJsonAtomic(paths.config, config);
  await ctx.records.write(rec);
  if (restoreFrom) {
    const runc = await ctx.withCriu();
    const args = runc.restoreArgs(spec.name, paths.bundle, paths.pidFile, restoreFrom.images, restoreFrom.work, { lazyPages: !!restoreFrom.lazyPages });
    const giveUp = await restoreFrom.lazyPages;
    await startSupervised(layout, spec.name, rec.runId, args, { criuLog: join(restoreFrom.work, 'restore.log'), giveUp });
    if (hasNetns(spec)) await attachInterfaces(layout.netns(spec.name), spec.interfaces, ctx.defaultBridge);
  } else {
    await startSupervised(layout, spec.name, rec.runId, ctx.runc.runArgs(spec.name, paths.bundle, paths.pidFile));
  }
}

// What remains to do once a WPAR's container has ended, whoever noticed it (an engine
// operation or the supervisor): release what the container used, then settle the record.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CapstanError } from '../../api/errors.js';
import type { WparSpec } from '../../api/wpar.js';
import { endCgroupTree } from '../host/cgroups.js';
import { deleteWparNetns } from '../net/index.js';
import type { Layout } from './layout.js';
import type { RecordStore, WparRecord } from './records.js';
import { unmountOverlay, unmountWithin } from './rootfs.js';
import type { Runc } from './runc.js';

/** System WPARs always get their own network namespace; application WPARs only with an address. */
export function hasNetns(spec: WparSpec): boolean {
  return spec.type === 'system' || spec.interfaces.length > 0;
}

/** The host root file system stands in for an image (application WPARs only). */
export const HOST_IMAGE = 'host';

/**
 * Whether the WPAR's root is an overlay with a private writable layer over its image. Every
 * WPAR with an image has one; the host's / cannot be an overlay's lower layer (the upper
 * layer would lie inside it).
 */
export function usesOverlay(spec: WparSpec): boolean {
  return spec.image !== HOST_IMAGE;
}

/** Releases the container, its cgroup, the overlay mount and the network namespace; safe to repeat. */
export async function releaseResources(layout: Layout, runc: Runc, spec: WparSpec): Promise<void> {
  // A runc restore killed mid-way leaves its bind mount of the root (criu-root) in its state
  // directory, which runc then cannot remove.
  await unmountWithin(join(layout.runcRoot, spec.name));
  await runc.delete(spec.name);
  await endCgroup(layout, spec.name);
  if (usesOverlay(spec)) await unmountOverlay(layout.wpar(spec.name).rootfs);
  if (hasNetns(spec)) await deleteWparNetns(layout.netns(spec.name));
}

/** How long the processes of a cgroup get to die once killed. */
const CGROUP_END_MS = 10_000;

/**
 * Kills whatever still runs in the WPAR's cgroup and removes it. runc does so for the
 * containers it knows; a restore that failed mid-way (CRIU killed) leaves restored
 * processes there that runc does not know, which would hold the overlay and the namespace.
 */
async function endCgroup(layout: Layout, name: string): Promise<void> {
  const left = await endCgroupTree(join(layout.cgroupParent, name), CGROUP_END_MS);
  if (left.length > 0) throw new CapstanError('CAP-E1008', `the cgroup of ${name} could not be emptied: ${left.join(', ')}`);
}

/**
 * Removes a WPAR's directory. It is moved out of the way first, in one step, so that whoever
 * waits for the WPAR's lock (inside it) finds the WPAR gone, never half-removed. Removing it
 * is retried because its supervisor may still be writing its last words there. Whatever is
 * still mounted inside (the cgroup yard of a CRIU that was killed mid-restore) is let go.
 */
export async function removeWparDir(layout: Layout, name: string): Promise<void> {
  await unmountWithin(layout.wpar(name).dir);
  const doomed = join(layout.removingDir, `${name}.${randomUUID()}`);
  await mkdir(layout.removingDir, { recursive: true });
  try {
    await rename(layout.wpar(name).dir, doomed);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  await rm(doomed, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
}

/** Removes the checkpoint a pause kept (see WparPaths.pauseCheckpoint): the WPAR no longer needs it. */
export async function dropPauseCheckpoint(layout: Layout, name: string): Promise<void> {
  await rm(layout.wpar(name).pauseCheckpoint, { recursive: true, force: true });
}

/**
 * The container has ended: a system WPAR goes back to Defined; an application WPAR is gone
 * (Undeployed), and when its command ended by itself the exit status is kept for the agent.
 */
export async function settleEnded(
  layout: Layout,
  records: RecordStore,
  rec: WparRecord,
  exit?: { status: number },
): Promise<void> {
  const { spec } = rec;
  if (spec.type === 'application') {
    if (exit) await records.writeExit({ name: spec.name, spec, exitStatus: exit.status, endedAt: new Date().toISOString() });
    await removeWparDir(layout, spec.name);
    return;
  }
  await dropPauseCheckpoint(layout, spec.name);
  rec.state = 'Defined';
  delete rec.runId;
  delete rec.operation;
  delete rec.brokenReason;
  delete rec.freezeStateDir;
  delete rec.departure;
  delete rec.arrivingPages;
  if (exit) rec.exitStatus = exit.status;
  await records.write(rec);
}

/** Removes a WPAR's directory, keeping a system WPAR's writable layer aside when asked. */
export async function removeWparFiles(layout: Layout, spec: WparSpec, preserveFs: boolean): Promise<void> {
  const paths = layout.wpar(spec.name);
  if (preserveFs && spec.type === 'system') {
    const keep = layout.preserved(spec.name);
    await rm(keep, { recursive: true, force: true });
    await mkdir(dirname(keep), { recursive: true });
    await rename(paths.upper, keep).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }
  await removeWparDir(layout, spec.name);
}

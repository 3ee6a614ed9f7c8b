// The process limit of the slice that holds all of an engine's WPARs: each WPAR has its own
// (oci-config.ts), and this caps their sum, so that WPARs together cannot exhaust the
// host's process table either.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ancestors, CGROUP_ROOT, cgroupVersion } from './cgroups.js';

/** The slice's limit unless $CAPSTAN_SLICE_PIDS_MAX says otherwise; the kernel's default pid_max is 4 million. */
export const DEFAULT_SLICE_PIDS_LIMIT = 32_768;

export function slicePidsLimitFromEnv(): number {
  const value = Number(process.env.CAPSTAN_SLICE_PIDS_MAX);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_SLICE_PIDS_LIMIT;
}

/** Creates the slice's pids cgroup where it is missing and sets its limit. */
export async function ensureSlicePidsLimit(path: string, limit = slicePidsLimitFromEnv()): Promise<void> {
  if ((await cgroupVersion()) === 2) {
    // v2: the controller must be enabled for the slice by each of its ancestors.
    for (const dir of [CGROUP_ROOT, ...ancestors(path).map((p) => join(CGROUP_ROOT, p))]) {
      await writeFile(join(dir, 'cgroup.subtree_control'), '+pids').catch(() => undefined);
    }
    await mkdir(join(CGROUP_ROOT, path), { recursive: true });
    await writeFile(join(CGROUP_ROOT, path, 'pids.max'), String(limit));
    return;
  }
  await mkdir(join(CGROUP_ROOT, 'pids', path), { recursive: true });
  await writeFile(join(CGROUP_ROOT, 'pids', path, 'pids.max'), String(limit));
}

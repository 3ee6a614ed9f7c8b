// What a WPAR is made from before it runs: its spec as checked and completed, the root file
// system of its image, and the resources runc will be asked to enforce.
import { stat } from 'node:fs/promises';
import { CapstanError } from '../../api/errors.js';
import { normalizeWparSpec, type WparSpec } from '../../api/wpar.js';
import { sliceCpuCeiling } from '../host/cgroups.js';
import type { EngineContext } from './context.js';
import { resourcesFor, runcDefaultConfig } from './oci-config.js';
import type { AppliedResources, WparRecord } from './records.js';
import { HOST_IMAGE } from './teardown.js';

/** The engine accepts a spec exactly as the manager does. */
export const normalize = normalizeWparSpec;

export async function lowerRootfs(ctx: EngineContext, spec: WparSpec): Promise<string> {
  if (spec.image === HOST_IMAGE) {
    if (spec.type === 'system') throw new CapstanError('CAP-E1007', 'a system WPAR needs an image of its own');
    return '/';
  }
  try {
    const dir = await ctx.images.rootfs(spec.image);
    if ((await stat(dir)).isDirectory()) return dir;
  } catch {
    // reported below as an unknown image
  }
  throw new CapstanError('CAP-E1007', spec.image);
}

/** What runc will be asked to enforce, known before the first start. */
export async function plannedResources(ctx: EngineContext, spec: WparSpec): Promise<AppliedResources> {
  return resourcesFor(spec, (await runcDefaultConfig()).process.capabilities?.bounding ?? [], await sliceCpuCeiling(ctx.layout.cgroupParent));
}

/** The record of a WPAR being made here by `operation` (Transitional until it settles). */
export async function newRecord(ctx: EngineContext, spec: WparSpec, operation: string): Promise<WparRecord> {
  return { spec, state: 'Transitional', operation, createdAt: new Date().toISOString(), resources: await plannedResources(ctx, spec) };
}

// The life of a WPAR on this host: create, start, modify, stop and remove.
import { rename } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { CapstanError } from '../../api/errors.js';
import type { WparSpec } from '../../api/wpar.js';
import { endContainer, endWpar } from './container-end.js';
import type { EngineContext } from './context.js';
import { lowerRootfs, newRecord, normalize, plannedResources } from './definition.js';
import { mustGetInfo, type WparInfo } from './info.js';
import { launch } from './launch.js';
import { linuxResources } from './oci-config.js';
import { fresh, operate } from './operation.js';
import type { EngineState, WparRecord } from './records.js';
import { stopCheckpoint } from './relocate/departure-runner.js';
import { stopLazyPages } from './relocate/lazy-pages.js';
import { badState, HELD_STATES, refusal, settledState } from './state-rules.js';
import { releaseResources, removeWparFiles } from './teardown.js';

const STOP_GRACE_MS = 10_000;

export async function create(ctx: EngineContext, input: WparSpec, opts: { start?: boolean } = {}): Promise<WparInfo> {
  const spec = normalize(input);
  await ctx.assertPolicy(spec);
  const lower = await lowerRootfs(ctx, spec);
  const existing = await ctx.records.read(spec.name);
  if (existing) {
    if (!isDeepStrictEqual(existing.spec, spec)) throw new CapstanError('CAP-E1010', spec.name);
    if (opts.start && spec.type === 'system') return start(ctx, spec.name);
    return mustGetInfo(ctx, spec.name);
  }
  const rec = await newRecord(ctx, spec, 'create');
  await fresh(ctx, rec, async () => {
    if (spec.type === 'system') await adoptPreservedLayer(ctx, spec.name);
    const state = settledState('deploy', spec, opts);
    if (state === 'Active') await launch(ctx, rec, lower);
    rec.state = state;
  });
  return mustGetInfo(ctx, spec.name);
}

export async function start(ctx: EngineContext, name: string): Promise<WparInfo> {
  await operate(ctx, name, 'start', (rec) => {
    const refused = refusal('start', rec);
    if (refused === 'type') throw new CapstanError('CAP-E0203', 'only system WPARs are started');
    if (rec.state === 'Active') return 'done';
    if (refused) throw badState(rec, 'start');
    return ctx.assertPolicy(rec.spec);
  }, async (rec) => {
    await launch(ctx, rec, await lowerRootfs(ctx, rec.spec));
    rec.state = settledState('start', rec.spec);
  });
  return mustGetInfo(ctx, name);
}

/**
 * Changes a deployed WPAR's definition: anything but its name, type and image while it is
 * Defined (taken at its next start), only its resource controls while it is Active
 * (applied at once through runc).
 */
export async function modify(ctx: EngineContext, name: string, input: WparSpec): Promise<WparInfo> {
  const spec = normalize(input);
  await ctx.assertPolicy(spec);
  let from: EngineState = 'Defined';
  await operate(ctx, name, 'modify', (rec) => {
    if (spec.name !== name || spec.type !== rec.spec.type || spec.image !== rec.spec.image) {
      throw new CapstanError('CAP-E1006', `${name}: the name, type and image of a deployed WPAR do not change`);
    }
    // Stricter than the manager's rule (MODIFIABLE_WHILE_DEPLOYED): the engine's spec has no group, which alone may change in other states.
    if (rec.state !== 'Defined' && rec.state !== 'Active') throw badState(rec, 'modify');
    if (rec.state === 'Active' && !isDeepStrictEqual({ ...rec.spec, resources: spec.resources }, spec)) {
      throw new CapstanError('CAP-E1006', `${name} is Active: only its resource controls change while it runs`);
    }
    if (isDeepStrictEqual(rec.spec, spec)) return 'done';
    from = rec.state;
  }, async (rec) => {
    const resources = await plannedResources(ctx, spec);
    if (from === 'Active') await ctx.runc.update(name, linuxResources(resources));
    rec.resources = resources;
    rec.spec = spec;
    rec.state = from;
  });
  return mustGetInfo(ctx, name);
}

/** System WPARs go back to Defined; application WPARs are gone. */
export async function stop(ctx: EngineContext, name: string, opts: { force?: boolean } = {}): Promise<void> {
  await operate(ctx, name, 'stop', (rec) => {
    if (rec.state === 'Defined') return 'done';
    if (HELD_STATES.includes(rec.state) && !opts.force) throw badState(rec, 'stop without force');
  }, (rec, status) => endWpar(ctx, rec, opts.force ? 0 : STOP_GRACE_MS, status));
}

export async function remove(ctx: EngineContext, name: string, opts: { preserveFs?: boolean } = {}): Promise<void> {
  if (!(await ctx.records.read(name))) return;
  await operate(ctx, name, 'remove', () => undefined, async (rec, status) => {
    await stopRelocationHelpers(rec);
    await endContainer(ctx, name, 0, rec.runId, status);
    await releaseResources(ctx.layout, ctx.runc, rec.spec);
    await removeWparFiles(ctx.layout, rec.spec, opts.preserveFs ?? false);
    return 'gone';
  });
}

/** A system WPAR made again under the name of one removed with preserveFs takes its old layer back. */
async function adoptPreservedLayer(ctx: EngineContext, name: string): Promise<void> {
  const kept = ctx.layout.preserved(name);
  await rename(kept, ctx.layout.wpar(name).upper).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

/** Ends what a relocation left running for a WPAR being removed (a CRIU that dumps or serves it, a lazy-pages daemon). */
async function stopRelocationHelpers(rec: WparRecord): Promise<void> {
  if (rec.departure) await stopCheckpoint(rec.departure);
  if (rec.arrivingPages) stopLazyPages(rec);
}

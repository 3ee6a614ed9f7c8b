// What the engine tells about its WPARs: each one's record as observed with its container.
import { CapstanError } from '../../api/errors.js';
import type { WparSpec } from '../../api/wpar.js';
import type { EngineContext } from './context.js';
import { isBusy } from './operation.js';
import { observe } from './reconcile.js';
import type { AppliedResources, EngineState, WparRecord } from './records.js';
import type { RuncStatus } from './runc.js';
import { containerPid } from './start-supervised.js';

export interface WparInfo {
  name: string;
  spec: WparSpec;
  state: EngineState;
  pid?: number;
  /** The status the WPAR's command (or init) last ended with. */
  exitStatus?: number;
  brokenReason?: string;
  /** Relocated here by post-copy: part of its memory still comes from the departure host. */
  memoryArriving?: boolean;
  resources: AppliedResources;
  createdAt: string;
}

export async function getInfo(ctx: EngineContext, name: string): Promise<WparInfo | undefined> {
  const rec = await ctx.records.read(name);
  if (!rec) return undefined;
  // The lock after runc: a supervisor takes it as soon as its container has ended.
  const container = await ctx.runc.state(name);
  return observed(ctx, rec, container, await isBusy(ctx, name));
}

/**
 * Described from the record as it is after the lock was looked at: a supervisor that settled
 * the WPAR meanwhile and let go has rewritten the record, or removed it with an application
 * WPAR, which is then gone, not Broken.
 */
async function observed(ctx: EngineContext, rec: WparRecord, container: { status: RuncStatus; pid?: number } | undefined, busy: boolean): Promise<WparInfo | undefined> {
  const now = busy ? rec : await ctx.records.read(rec.spec.name);
  return now ? describe(now, container, busy) : undefined;
}

export async function listInfo(ctx: EngineContext): Promise<WparInfo[]> {
  const containers = new Map((await ctx.runc.list()).map((c) => [c.id, c]));
  const found = await Promise.all((await ctx.records.names()).map((n) => ctx.records.read(n)));
  const seen = await Promise.all(
    found
      .filter((r): r is WparRecord => !!r)
      .map(async (r) => observed(ctx, r, containers.get(r.spec.name), await isBusy(ctx, r.spec.name))),
  );
  return seen.filter((w): w is WparInfo => !!w);
}

export async function mustGetInfo(ctx: EngineContext, name: string): Promise<WparInfo> {
  const info = await getInfo(ctx, name);
  if (!info) throw new CapstanError('CAP-E1000', name);
  return info;
}

/**
 * The WPAR as an operation just left it, without asking runc again: the record it wrote, the
 * container status it brought about and the pid runc wrote when the container started.
 */
export async function settledInfo(ctx: EngineContext, name: string, rec: WparRecord | undefined, status: RuncStatus | undefined): Promise<WparInfo> {
  if (!rec) throw new CapstanError('CAP-E1000', name);
  if (!status) return describe(rec, undefined, false);
  const pid = containerPid(ctx.layout, name);
  return describe(rec, { status, ...(pid ? { pid } : {}) }, false);
}

function describe(rec: WparRecord, container: { status: RuncStatus; pid?: number } | undefined, busy: boolean): WparInfo {
  const seen = observe(rec, container?.status, busy);
  const live = container && container.status !== 'stopped' ? container.pid : undefined;
  return {
    name: rec.spec.name,
    spec: rec.spec,
    state: seen.state,
    ...(live ? { pid: live } : {}),
    ...(rec.exitStatus !== undefined ? { exitStatus: rec.exitStatus } : {}),
    ...(seen.brokenReason ? { brokenReason: seen.brokenReason } : {}),
    ...(rec.arrivingPages ? { memoryArriving: true } : {}),
    resources: rec.resources,
    createdAt: rec.createdAt,
  };
}

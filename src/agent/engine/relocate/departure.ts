// The departure half of a live relocation (the handshake is in transport.ts). The WPAR is
// frozen, its network detached, and CRIU dumps it with the processes left alive (runc
// checkpoint --leave-running), so the frozen copy here stays whole until the verdict: it goes
// once the arrival copy runs with all of its memory, or runs here again (abort).
//
// Post-copy, only the arrival can tell that all memory came: CRIU's lazy page server ends as
// well when its client vanishes mid-way as when it asked for the last page. So after commit()
// (the arrival copy runs) the copy here stays until delivered() (the arrival has it all).
//
// `runc checkpoint` runs in a detached shell (departure-runner.ts), and the record says how
// far the relocation got: an agent that dies mid-way leaves a record that settleDeparture()
// finishes either way.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CapstanError, isCapstanError } from '../../../api/errors.js';
import type { MemoryMethod } from '../../../api/relocation.js';
import { createWparNetns, readNeighbours } from '../../net/index.js';
import { endContainer } from '../container-end.js';
import type { EngineContext } from '../context.js';
import type { Release } from '../lock.js';
import { lock } from '../operation.js';
import { observe } from '../reconcile.js';
import type { DepartureRecord, WparRecord } from '../records.js';
import { packLayer } from '../rootfs.js';
import { checkNewStateDir, criuImages, discardCheckpoint, LAYER_FILE, makeStateDir, writeManifest } from '../state-dir.js';
import { settleSessions } from '../sessions.js';
import { badState, mustBeCheckpointable, refusal } from '../state-rules.js';
import { hasNetns, releaseResources, removeWparFiles, usesOverlay } from '../teardown.js';
import { criuConfigByRunc, writeCriuConfig } from './criu-config.js';
import { checkpointEnds, DUMP_TIMEOUT_MS, dumpDone, LET_GO_MS, letGo, spawnCheckpoint } from './departure-runner.js';
import { killDetached } from './detached.js';
import { checkMethod, type RelocationMethod } from './methods.js';
import { detachInterfaces } from './network.js';
import { validateEndpoint, type PageEndpoint } from './transport.js';

export interface DepartureOptions {
  /** A new or empty state directory: CRIU's images, the writable layer and the manifest, for the transport to copy. */
  dir: string;
  /** postCopy or stopAndCopy (preCopy is refused). */
  method: MemoryMethod;
  /** post-copy: where CRIU listens to serve the memory; stop-and-copy: where CRIU sends it (to the arrival's page server). */
  pageServer: PageEndpoint;
  /** End the WPAR's open sessions first, telling their users this; without it they refuse the move. */
  endSessions?: string;
}

export type DepartureOutcome = 'moved' | 'stayed';

export interface Departure {
  readonly method: RelocationMethod;
  /** Epoch ms when the processes were frozen here (0 until then): the start of the frozen time. */
  readonly frozenAt: number;
  /**
   * The dump is done: images, layer and manifest are in `dir`; the processes are frozen and
   * the network detached. Post-copy: CRIU serves the memory at `pageServer` from now on.
   * Rejects when the dump failed; the WPAR then runs here again.
   */
  readonly imagesReady: Promise<void>;
  /**
   * The arrival copy runs. Stop-and-copy: the copy here is removed. Post-copy: it stays,
   * frozen, until delivered() or abort(). Refused before imagesReady and after abort().
   */
  commit(): Promise<void>;
  /**
   * Post-copy, after commit(): the arrival has all of its memory (its Arrival.pagesArrived
   * resolved); the copy here is removed once CRIU has let go of it.
   */
  delivered(): Promise<void>;
  /**
   * The WPAR runs here again (network reattached, processes resumed as they were frozen).
   * Possible while the arrival copy never ran (before commit(): open connections carry on
   * intact) and, post-copy, after commit() when the arrival copy was stopped for want of
   * memory (its pagesArrived rejected): what it did there since is lost, and connections it
   * used may break. Refused after delivered() and after a stop-and-copy's commit().
   */
  abort(): Promise<void>;
  /** 'moved' once the copy here is gone, 'stayed' once it runs here again; rejects when it ended Broken. */
  readonly finished: Promise<DepartureOutcome>;
}

/** Starts a relocation away from this host; refusals (bad state, busy, unsupported method) change nothing. */
export async function relocateOut(ctx: EngineContext, name: string, opts: DepartureOptions): Promise<Departure> {
  validateEndpoint(opts.pageServer, 'pageServer');
  const method = await checkMethod(opts.method);
  await checkNewStateDir(opts.dir);
  const release = await lock(ctx, name);
  try {
    const rec = await ctx.records.read(name);
    if (!rec) throw new CapstanError('CAP-E1000', name);
    mustBeCheckpointable(rec);
    const seen: WparRecord = { ...rec, state: observe(rec, (await ctx.runc.state(name))?.status, false).state };
    // A departure starts by freezing the WPAR: the freeze rule says from where.
    if (refusal('freeze', seen)) throw badState(seen, 'relocate');
    await settleSessions(ctx, name, opts.endSessions);
    rec.state = 'Transitional';
    rec.operation = 'relocate-out';
    const dep: DepartureRecord = { method, dir: opts.dir, pageServer: opts.pageServer, step: 'dumping' };
    rec.departure = dep;
    await ctx.records.write(rec);
    return new DepartureRun(ctx, rec, dep, release);
  } catch (e) {
    await release();
    throw e;
  }
}

/**
 * Settles a departure whose driver is gone (the agent died): 'arrived' when the arrival copy
 * runs (the copy here is removed), 'stayed' when it never ran (it runs here again).
 * Idempotent: a departure already settled that way reports so again.
 */
export async function settleDeparture(ctx: EngineContext, name: string, outcome: 'arrived' | 'stayed'): Promise<DepartureOutcome> {
  let release: Release;
  try {
    release = await lock(ctx, name);
  } catch (e) {
    if (isCapstanError(e) && e.code === 'CAP-E1000' && outcome === 'arrived') return 'moved';
    throw e;
  }
  try {
    const rec = await ctx.records.read(name);
    if (!rec?.departure) {
      if (!rec && outcome === 'arrived') return 'moved';
      if (rec && outcome === 'stayed' && observe(rec, (await ctx.runc.state(name))?.status, false).state === 'Active') return 'stayed';
      throw new CapstanError('CAP-E1006', `${name} is not relocating away from this host`);
    }
    return await finishDeparture(ctx, rec, outcome);
  } finally {
    await release();
  }
}

class DepartureRun implements Departure {
  readonly method: RelocationMethod;
  readonly imagesReady: Promise<void>;
  readonly finished: Promise<DepartureOutcome>;
  frozenAt = 0;
  private verdict?: 'arrived' | 'stayed';
  private decide!: (v: 'arrived' | 'stayed') => void;
  private readonly decision = new Promise<'arrived' | 'stayed'>((resolve) => (this.decide = resolve));

  constructor(
    private readonly ctx: EngineContext,
    private readonly rec: WparRecord,
    private readonly dep: DepartureRecord,
    release: Release,
  ) {
    this.method = dep.method;
    this.imagesReady = this.dump();
    this.finished = this.run().finally(release);
    // Callers may await only one of them; the other must not be an unhandled rejection.
    this.imagesReady.catch(() => undefined);
    this.finished.catch(() => undefined);
  }

  async commit(): Promise<void> {
    const { name } = this.rec.spec;
    if (this.verdict === 'stayed') throw new CapstanError('CAP-E1006', `${name}: the relocation was aborted`);
    if (this.dep.step === 'committed' || this.dep.step === 'delivered') return;
    if (this.dep.step !== 'dumped') {
      throw new CapstanError('CAP-E1006', `${name}: ${this.rec.departure ? 'its images are not ready yet' : 'its dump failed'}, no arrival copy can run`);
    }
    this.dep.step = 'committed';
    await this.ctx.records.write(this.rec);
    if (this.dep.method === 'stopAndCopy') this.settle('arrived');
  }

  async delivered(): Promise<void> {
    const { name } = this.rec.spec;
    if (this.dep.method !== 'postCopy') throw new CapstanError('CAP-E1006', `${name}: only a post-copy delivers memory after the arrival runs`);
    if (this.dep.step === 'delivered') return;
    if (this.dep.step !== 'committed' || this.verdict) throw new CapstanError('CAP-E1006', `${name}: ${this.verdict ? 'the relocation was aborted' : 'commit() comes first'}`);
    this.dep.step = 'delivered';
    await this.ctx.records.write(this.rec);
    this.settle('arrived');
  }

  async abort(): Promise<void> {
    const { name } = this.rec.spec;
    if (this.verdict === 'arrived' || !mayStay(this.dep)) throw new CapstanError('CAP-E1006', `${name}: the arrival copy runs; the copy here was released`);
    this.settle('stayed');
    if ((await this.finished) !== 'stayed') throw new CapstanError('CAP-E1008', `${name} did not come back`);
  }

  private settle(verdict: 'arrived' | 'stayed'): void {
    this.verdict ??= verdict;
    this.decide(this.verdict);
  }

  private async run(): Promise<DepartureOutcome> {
    try {
      await this.imagesReady;
    } catch (e) {
      if (this.rec.state === 'Active') return 'stayed';
      throw e;
    }
    return finishDeparture(this.ctx, this.rec, await this.decision);
  }

  /** Freezes, detaches and dumps; on failure the WPAR runs again (or is Broken when even that fails). */
  private async dump(): Promise<void> {
    const { ctx, rec } = this;
    const { spec } = rec;
    const { dep } = this;
    const paths = ctx.layout.wpar(spec.name);
    const work = paths.relocation;
    try {
      const runc = await ctx.withCriu();
      await rm(work, { recursive: true, force: true });
      await Promise.all([mkdir(work, { recursive: true }), makeStateDir(dep.dir)]);
      const overRunc = await criuConfigByRunc(paths.config, paths.criuConfig);
      const criuConf = overRunc ? paths.criuConfig : join(work, 'criu.conf');
      const lazy = dep.method === 'postCopy';
      await writeCriuConfig(criuConf, lazy ? { at: dep.pageServer, overRunc } : undefined);
      // From here on nothing in the WPAR runs (taken before the pause: an upper bound).
      this.frozenAt = Date.now();
      await ctx.runc.pause(spec.name);
      // Read while CRIU dumps: the arrival settles its neighbours with them (see net/neighbours.ts).
      const neighbours = hasNetns(spec) ? readNeighbours(ctx.layout.netns(spec.name)) : Promise.resolve([]);
      neighbours.catch(() => undefined);
      if (hasNetns(spec)) await detachInterfaces(ctx.layout.netns(spec.name), spec.interfaces);
      const pageServer = `${dep.pageServer.host}:${dep.pageServer.port}`;
      const args = runc.checkpointArgs(spec.name, criuImages(dep.dir), work,
        !lazy ? { pageServer } : overRunc ? { statusFd: 3 } : { pageServer, lazyPages: true, statusFd: 3 });
      dep.pid = spawnCheckpoint(work, args, overRunc ? undefined : criuConf);
      await ctx.records.write(rec);
      // Nothing in the WPAR runs: its layer is saved while CRIU dumps the processes.
      const layer = usesOverlay(spec) ? packLayer(paths.upper, join(dep.dir, LAYER_FILE)) : undefined;
      const [memory] = await Promise.allSettled([dumpDone(work, dep, DUMP_TIMEOUT_MS), layer]);
      await layer;
      if (memory.status === 'rejected') throw memory.reason;
      await writeManifest(dep.dir, { spec, mode: 'kill', relocation: dep.method, neighbours: await neighbours, ...(usesOverlay(spec) ? { layer: LAYER_FILE } : {}) });
      dep.step = 'dumped';
      await ctx.records.write(rec);
    } catch (e) {
      await stayHere(ctx, rec).catch((why: unknown) => broken(ctx, rec, `relocate-out: ${message(e)}; and it could not run here again: ${message(why)}`));
      throw e;
    } finally {
      // CRIU read it when the dump began; a later checkpoint must not find it.
      await rm(paths.criuConfig, { force: true });
    }
  }
}

/** Carries out the verdict on a departure (the WPAR locked); a failure leaves it Broken with the reason. */
async function finishDeparture(ctx: EngineContext, rec: WparRecord, outcome: 'arrived' | 'stayed'): Promise<DepartureOutcome> {
  try {
    if (outcome === 'stayed') {
      await stayHere(ctx, rec);
      return 'stayed';
    }
    await leave(ctx, rec);
    return 'moved';
  } catch (e) {
    if (rec.state === 'Broken') throw e;
    // A refusal changes nothing; anything else leaves the WPAR Broken with the reason.
    if (isCapstanError(e) && e.code === 'CAP-E1006') throw e;
    await broken(ctx, rec, `relocate-out: ${message(e)}`);
    throw e;
  }
}

/** Whether the copy here may still run on: the arrival copy never ran, or (post-copy) was stopped without all its memory. */
function mayStay(dep: DepartureRecord): boolean {
  return dep.step === 'dumping' || dep.step === 'dumped' || (dep.step === 'committed' && dep.method === 'postCopy');
}

/** The arrival copy runs with all of its memory: this one goes, once CRIU let go of it. */
async function leave(ctx: EngineContext, rec: WparRecord): Promise<void> {
  const dep = rec.departure as DepartureRecord;
  const { name } = rec.spec;
  const work = ctx.layout.wpar(name).relocation;
  if (dep.step === 'dumping') await dumpDone(work, dep, DUMP_TIMEOUT_MS);
  const last = dep.method === 'postCopy' ? 'delivered' : 'committed';
  if (dep.step !== last) {
    dep.step = last;
    await ctx.records.write(rec);
  }
  // The arrival has everything: CRIU only has its session to close.
  if (!(await checkpointEnds(work, dep, LET_GO_MS)) && dep.pid) killDetached(dep.pid);
  const container = await ctx.runc.state(name);
  await endContainer(ctx, name, 0, rec.runId, container?.status);
  await releaseResources(ctx.layout, ctx.runc, rec.spec);
  await removeWparFiles(ctx.layout, rec.spec, false);
}

/** The arrival copy never ran: this one runs again, as it was. */
async function stayHere(ctx: EngineContext, rec: WparRecord): Promise<void> {
  const dep = rec.departure as DepartureRecord;
  const { spec } = rec;
  const paths = ctx.layout.wpar(spec.name);
  const work = paths.relocation;
  if (!mayStay(dep)) throw new CapstanError('CAP-E1006', `${spec.name}: the arrival copy runs; the copy here was released`);
  await letGo(work, dep);
  const status = (await ctx.runc.state(spec.name))?.status;
  if (status !== 'paused' && status !== 'running') throw new CapstanError('CAP-E1008', `the processes of ${spec.name} are gone (${status ?? 'no container'})`);
  if (hasNetns(spec)) await createWparNetns(ctx.layout.netns(spec.name), spec.interfaces, { defaultBridge: ctx.defaultBridge });
  if (status === 'paused') await ctx.runc.resume(spec.name);
  rec.state = 'Active';
  delete rec.departure;
  delete rec.operation;
  delete rec.brokenReason;
  await ctx.records.write(rec);
  // Images without their memory are no checkpoint: nothing may restart from them. (The CRIU
  // configuration is left by a dump whose agent died.)
  await Promise.all([discardCheckpoint(dep.dir), rm(work, { recursive: true, force: true }), rm(paths.criuConfig, { force: true })]);
}

async function broken(ctx: EngineContext, rec: WparRecord, reason: string): Promise<void> {
  rec.state = 'Broken';
  rec.brokenReason = reason;
  delete rec.operation;
  await ctx.records.write(rec);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

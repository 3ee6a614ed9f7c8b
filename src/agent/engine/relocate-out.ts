// The departure half of a live relocation (the handshake is in relocate.ts). The WPAR is
// frozen, its network detached, and CRIU dumps it with the processes left alive (runc
// checkpoint --leave-running), so the frozen copy here stays whole until the verdict: it goes
// once the arrival copy runs with all of its memory, or runs here again (abort).
//
// Post-copy, only the arrival can tell that all memory came: CRIU's lazy page server ends as
// well when its client vanishes mid-way as when it asked for the last page. So after commit()
// (the arrival copy runs) the copy here stays until delivered() (the arrival has it all).
//
// `runc checkpoint` runs in a detached shell that reports through files in the WPAR's
// relocation directory, and the record says how far the relocation got: an agent that dies
// mid-way leaves a record that settleDeparture() finishes either way.
import { mkdir, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { CapstanError, isCapstanError } from '../../api/errors.js';
import type { MemoryMethod } from '../../api/relocation.js';
import { createWparNetns } from '../net/index.js';
import type { Layout } from './layout.js';
import type { Release } from './lock.js';
import { observe } from './reconcile.js';
import type { DepartureRecord, RecordStore, WparRecord } from './records.js';
import {
  checkMethod,
  criuConfigByRunc,
  detachedAlive,
  detachInterfaces,
  exitStatusIn,
  killDetached,
  spawnDetached,
  validateEndpoint,
  writeCriuConfig,
  type PageEndpoint,
  type RelocationMethod,
} from './relocate.js';
import { packLayer } from './rootfs.js';
import type { Runc, RuncStatus } from './runc.js';
import { tail } from './start-supervised.js';
import { checkNewStateDir, criuImages, discardCheckpoint, LAYER_FILE, makeStateDir, writeManifest } from './state-dir.js';
import { hasNetns, releaseResources, removeWparFiles, usesOverlay } from './teardown.js';
import { waitInDir } from './wait.js';

export interface DepartureOptions {
  /** A new or empty state directory: CRIU's images, the writable layer and the manifest, for the transport to copy. */
  dir: string;
  /** postCopy or stopAndCopy (preCopy is refused). */
  method: MemoryMethod;
  /** post-copy: where CRIU listens to serve the memory; stop-and-copy: where CRIU sends it (to the arrival's page server). */
  pageServer: PageEndpoint;
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

/** What the departure needs of its engine. */
export interface DepartureParts {
  layout: Layout;
  records: RecordStore;
  runc: Runc;
  defaultBridge: string;
  withCriu(): Promise<Runc>;
  /** Takes the WPAR's lock, or refuses: unknown (CAP-E1000) or busy (CAP-E1001). */
  lock(name: string): Promise<Release>;
  /** Ends the container (Engine.endContainer). */
  endContainer(name: string, graceMs: number, runId: string | undefined, status: RuncStatus | undefined): Promise<void>;
}

/** Files of the detached `runc checkpoint` in the relocation directory. */
const RUNNER = 'capstan-departure';
const STATUS = 'checkpoint-status.json';
const READY = 'pages-served-from-here';
const RUNC_LOG = 'checkpoint.log';
/** A dump of a large WPAR to a slow page server may take minutes; one that takes longer is stuck. */
const DUMP_TIMEOUT_MS = 30 * 60_000;
/** How long an aborted post-copy may take to let go of its processes before CRIU is killed. */
const LET_GO_MS = 10_000;
/** Detached shells report through files: inotify wakes the waits; the poll notices a shell that died without a word. */
const POLL_MS = 200;

/**
 * `runc checkpoint …` whose exit status ends up in $CAPSTAN_STATUS, written by the shell
 * itself (a builtin): the shell is gone only once it is complete. A reader may find it
 * empty for a moment (exitStatusIn then says: not yet). Its fd 3 is the file that CRIU's
 * lazy-pages status (runc --status-fd 3) makes non-empty once it serves pages.
 */
const RUNNER_SCRIPT = `
runc "$@" 3>"$CAPSTAN_READY" >"$CAPSTAN_LOG" 2>&1
printf '%d\\n' "$?" > "$CAPSTAN_STATUS"
`;

/** Starts a relocation away from this host; refusals (bad state, busy, unsupported method) change nothing. */
export async function relocateOut(parts: DepartureParts, name: string, opts: DepartureOptions): Promise<Departure> {
  validateEndpoint(opts.pageServer, 'pageServer');
  const method = await checkMethod(opts.method);
  await checkNewStateDir(opts.dir);
  const release = await parts.lock(name);
  try {
    const rec = await parts.records.read(name);
    if (!rec) throw new CapstanError('CAP-E1000', name);
    if (!rec.spec.checkpointable) throw new CapstanError('CAP-E1002', name);
    if (rec.arrivingPages) throw new CapstanError('CAP-E1001', `${name} is still receiving its memory from its last relocation`);
    const seen = observe(rec, (await parts.runc.state(name))?.status, false).state;
    if (seen !== 'Active') throw new CapstanError('CAP-E1006', `cannot relocate ${name}: it is ${seen}`);
    rec.state = 'Transitional';
    rec.operation = 'relocate-out';
    const dep: DepartureRecord = { method, dir: opts.dir, pageServer: opts.pageServer, step: 'dumping' };
    rec.departure = dep;
    await parts.records.write(rec);
    return new DepartureRun(parts, rec, dep, release);
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
export async function settleDeparture(parts: DepartureParts, name: string, outcome: 'arrived' | 'stayed'): Promise<DepartureOutcome> {
  let release: Release;
  try {
    release = await parts.lock(name);
  } catch (e) {
    if (isCapstanError(e) && e.code === 'CAP-E1000' && outcome === 'arrived') return 'moved';
    throw e;
  }
  try {
    const rec = await parts.records.read(name);
    if (!rec?.departure) {
      if (!rec && outcome === 'arrived') return 'moved';
      if (rec && outcome === 'stayed' && observe(rec, (await parts.runc.state(name))?.status, false).state === 'Active') return 'stayed';
      throw new CapstanError('CAP-E1006', `${name} is not relocating away from this host`);
    }
    return await finishDeparture(parts, rec, outcome);
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
    private readonly parts: DepartureParts,
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
    await this.parts.records.write(this.rec);
    if (this.dep.method === 'stopAndCopy') this.settle('arrived');
  }

  async delivered(): Promise<void> {
    const { name } = this.rec.spec;
    if (this.dep.method !== 'postCopy') throw new CapstanError('CAP-E1006', `${name}: only a post-copy delivers memory after the arrival runs`);
    if (this.dep.step === 'delivered') return;
    if (this.dep.step !== 'committed' || this.verdict) throw new CapstanError('CAP-E1006', `${name}: ${this.verdict ? 'the relocation was aborted' : 'commit() comes first'}`);
    this.dep.step = 'delivered';
    await this.parts.records.write(this.rec);
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
    return finishDeparture(this.parts, this.rec, await this.decision);
  }

  /** Freezes, detaches and dumps; on failure the WPAR runs again (or is Broken when even that fails). */
  private async dump(): Promise<void> {
    const { parts, rec } = this;
    const { spec } = rec;
    const { dep } = this;
    const paths = parts.layout.wpar(spec.name);
    const work = paths.relocation;
    try {
      const runc = await parts.withCriu();
      await rm(work, { recursive: true, force: true });
      await Promise.all([mkdir(work, { recursive: true }), makeStateDir(dep.dir)]);
      const overRunc = await criuConfigByRunc(paths.config, paths.criuConfig);
      const criuConf = overRunc ? paths.criuConfig : join(work, 'criu.conf');
      const lazy = dep.method === 'postCopy';
      await writeCriuConfig(criuConf, lazy ? { at: dep.pageServer, overRunc } : undefined);
      // From here on nothing in the WPAR runs (taken before the pause: an upper bound).
      this.frozenAt = Date.now();
      await parts.runc.pause(spec.name);
      if (hasNetns(spec)) await detachInterfaces(parts.layout.netns(spec.name), spec.interfaces);
      const pageServer = `${dep.pageServer.host}:${dep.pageServer.port}`;
      const args = runc.checkpointArgs(spec.name, criuImages(dep.dir), work,
        !lazy ? { pageServer } : overRunc ? { statusFd: 3 } : { pageServer, lazyPages: true, statusFd: 3 });
      dep.pid = spawnDetached(RUNNER, RUNNER_SCRIPT, args, {
        CAPSTAN_READY: join(work, READY),
        CAPSTAN_LOG: join(work, RUNC_LOG),
        CAPSTAN_STATUS: join(work, STATUS),
        ...(overRunc ? {} : { CRIU_CONFIG_FILE: criuConf }),
      });
      await parts.records.write(rec);
      // Nothing in the WPAR runs: its layer is saved while CRIU dumps the processes.
      const layer = usesOverlay(spec) ? packLayer(paths.upper, join(dep.dir, LAYER_FILE)) : undefined;
      const [memory] = await Promise.allSettled([dumpDone(work, dep, DUMP_TIMEOUT_MS), layer]);
      await layer;
      if (memory.status === 'rejected') throw memory.reason;
      await writeManifest(dep.dir, { spec, mode: 'kill', relocation: dep.method, ...(usesOverlay(spec) ? { layer: LAYER_FILE } : {}) });
      dep.step = 'dumped';
      await parts.records.write(rec);
    } catch (e) {
      await stayHere(parts, rec).catch((why: unknown) => broken(parts, rec, `relocate-out: ${message(e)}; and it could not run here again: ${message(why)}`));
      throw e;
    } finally {
      // CRIU read it when the dump began; a later checkpoint must not find it.
      await rm(paths.criuConfig, { force: true });
    }
  }
}

/** Carries out the verdict on a departure (the WPAR locked); a failure leaves it Broken with the reason. */
async function finishDeparture(parts: DepartureParts, rec: WparRecord, outcome: 'arrived' | 'stayed'): Promise<DepartureOutcome> {
  try {
    if (outcome === 'stayed') {
      await stayHere(parts, rec);
      return 'stayed';
    }
    await leave(parts, rec);
    return 'moved';
  } catch (e) {
    if (rec.state === 'Broken') throw e;
    // A refusal changes nothing; anything else leaves the WPAR Broken with the reason.
    if (isCapstanError(e) && e.code === 'CAP-E1006') throw e;
    await broken(parts, rec, `relocate-out: ${message(e)}`);
    throw e;
  }
}

/** Whether the copy here may still run on: the arrival copy never ran, or (post-copy) was stopped without all its memory. */
function mayStay(dep: DepartureRecord): boolean {
  return dep.step === 'dumping' || dep.step === 'dumped' || (dep.step === 'committed' && dep.method === 'postCopy');
}

/** The arrival copy runs with all of its memory: this one goes, once CRIU let go of it. */
async function leave(parts: DepartureParts, rec: WparRecord): Promise<void> {
  const dep = rec.departure as DepartureRecord;
  const { name } = rec.spec;
  const work = parts.layout.wpar(name).relocation;
  if (dep.step === 'dumping') await dumpDone(work, dep, DUMP_TIMEOUT_MS);
  const last = dep.method === 'postCopy' ? 'delivered' : 'committed';
  if (dep.step !== last) {
    dep.step = last;
    await parts.records.write(rec);
  }
  // The arrival has everything: CRIU only has its session to close.
  if (!(await checkpointEnds(work, dep, LET_GO_MS)) && dep.pid) killDetached(dep.pid);
  const container = await parts.runc.state(name);
  await parts.endContainer(name, 0, rec.runId, container?.status);
  await releaseResources(parts.layout, parts.runc, rec.spec);
  await removeWparFiles(parts.layout, rec.spec, false);
}

/** The arrival copy never ran: this one runs again, as it was. */
async function stayHere(parts: DepartureParts, rec: WparRecord): Promise<void> {
  const dep = rec.departure as DepartureRecord;
  const { spec } = rec;
  const paths = parts.layout.wpar(spec.name);
  const work = paths.relocation;
  if (!mayStay(dep)) throw new CapstanError('CAP-E1006', `${spec.name}: the arrival copy runs; the copy here was released`);
  await letGo(work, dep);
  const status = (await parts.runc.state(spec.name))?.status;
  if (status !== 'paused' && status !== 'running') throw new CapstanError('CAP-E1008', `the processes of ${spec.name} are gone (${status ?? 'no container'})`);
  if (hasNetns(spec)) await createWparNetns(parts.layout.netns(spec.name), spec.interfaces, { defaultBridge: parts.defaultBridge });
  if (status === 'paused') await parts.runc.resume(spec.name);
  rec.state = 'Active';
  delete rec.departure;
  delete rec.operation;
  delete rec.brokenReason;
  await parts.records.write(rec);
  // Images without their memory are no checkpoint: nothing may restart from them. (The CRIU
  // configuration is left by a dump whose agent died.)
  await Promise.all([discardCheckpoint(dep.dir), rm(work, { recursive: true, force: true }), rm(paths.criuConfig, { force: true })]);
}

/**
 * Makes CRIU give the processes back. Mid-dump it must finish by itself: killed there, it
 * could leave its parasite in a process. Post-copy, it then waits for the arrival's first
 * request: a connection that ends at once closes its session, and it leaves the processes as
 * they were. Should the arrival be fetching already, or CRIU not end, CRIU is killed: its
 * dump is done, so it only holds the frozen processes.
 */
async function letGo(work: string, dep: DepartureRecord): Promise<void> {
  if (!dep.pid) return;
  const now = await waitInDir(work, DUMP_TIMEOUT_MS, POLL_MS, async (polled) => {
    if ((await exitStatusIn(join(work, STATUS))) !== undefined) return 'ended';
    if (dep.method === 'postCopy' && (await served(work))) return 'serving';
    return polled && !(await runnerReports(work, dep)) ? 'ended' : undefined;
  });
  if (now === undefined) throw new CapstanError('CAP-E1009', `runc checkpoint did not end within ${DUMP_TIMEOUT_MS / 1000} s`);
  if (now === 'ended') return;
  await poke(dep.pageServer);
  if (!(await checkpointEnds(work, dep, LET_GO_MS))) killDetached(dep.pid);
}

function poke(at: PageEndpoint): Promise<void> {
  return new Promise((resolve) => {
    const sk = connect(at.port, at.host, () => sk.end());
    sk.on('error', () => resolve());
    sk.on('close', () => resolve());
  });
}

async function served(work: string): Promise<boolean> {
  return ((await stat(join(work, READY)).catch(() => undefined))?.size ?? 0) > 0;
}

/**
 * Waits until the dump is done: post-copy, CRIU serves memory (the status fd); stop-and-copy,
 * runc checkpoint ended well. Throws with runc's and CRIU's last words when it ended otherwise.
 */
async function dumpDone(work: string, dep: DepartureRecord, ms: number): Promise<void> {
  const outcome = await waitInDir(work, ms, POLL_MS, async (polled) => {
    if (dep.method === 'postCopy' && (await served(work))) return 'done';
    const status = await exitStatusIn(join(work, STATUS));
    if (status === 0 && dep.method === 'stopAndCopy') return 'done';
    if (status !== undefined) return `runc checkpoint exited with ${status}`;
    if (polled && !(await runnerReports(work, dep))) return 'runc checkpoint vanished';
    return undefined;
  });
  if (outcome === 'done') return;
  const why = [await tail(join(work, RUNC_LOG), 3), await tail(join(work, 'dump.log'), 5)].filter(Boolean).join('\n');
  throw new CapstanError('CAP-E1009', `${outcome ?? `the dump took over ${ms / 1000} s`}: ${why}`);
}

/** Whether runc checkpoint ended (or vanished) within `ms`. */
async function checkpointEnds(work: string, dep: DepartureRecord, ms: number): Promise<boolean> {
  const ended = await waitInDir(work, ms, POLL_MS, async (polled) => {
    if ((await exitStatusIn(join(work, STATUS))) !== undefined) return true;
    return polled && !(await runnerReports(work, dep)) ? true : undefined;
  });
  return ended ?? false;
}

/** Whether runc checkpoint still runs or has said how it ended (it writes that before it is gone). */
async function runnerReports(work: string, dep: DepartureRecord): Promise<boolean> {
  if (dep.pid && (await detachedAlive(dep.pid, RUNNER))) return true;
  return (await exitStatusIn(join(work, STATUS))) !== undefined;
}

async function broken(parts: DepartureParts, rec: WparRecord, reason: string): Promise<void> {
  rec.state = 'Broken';
  rec.brokenReason = reason;
  delete rec.operation;
  await parts.records.write(rec);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// The partition engine: runs the WPARs of this host through runc, checkpoints and restarts
// them with CRIU. Every method is idempotent where the seed allows it; a refusal changes
// nothing; a failure while changing an existing WPAR leaves it Broken with the reason.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { Value } from 'typebox/value';
import { CapstanError, isCapstanError } from '../../api/errors.js';
import type { MemoryMethod } from '../../api/relocation.js';
import { WparSpec } from '../../api/wpar.js';
import { run } from '../exec.js';
import { announce, createWparNetns, deleteWparNetns, netnsPath } from '../net/index.js';
import { allSettledOrThrow } from './concurrently.js';
import { findCriu } from './criu.js';
import { writeJsonAtomic } from './json-file.js';
import { engineRootFromEnv, engineScopeFromEnv, Layout } from './layout.js';
import { isLocked, lockWithin, type Release } from './lock.js';
import { buildConfig, currentHardLimits, linuxResources, resourcesFor, runcDefaultConfig } from './oci-config.js';
import { writeOperationLog, type LogLevel } from './op-log.js';
import { observe, recordedStatus } from './reconcile.js';
import { RecordStore, type AppliedResources, type EngineState, type ExitRecord, type WparRecord } from './records.js';
import { pagesArrived, receivePages, startLazyPages, stopLazyPages, type ArrivalOptions, type PageReceiver, type PageReceiverOptions } from './relocate-in.js';
import { relocateOut, settleDeparture, type Departure, type DepartureOptions, type DepartureOutcome, type DepartureParts } from './relocate-out.js';
import { attachInterfaces, checkMethod, detachedAlive, killDetached, writeCriuConfig, type PageEndpoint } from './relocate.js';
import { mountOverlay, packLayer, unpackLayer } from './rootfs.js';
import { Runc, type RuncStatus, type WparStats } from './runc.js';
import { containerPid, startSupervised, supervisorStatus } from './start-supervised.js';
import {
  checkLogFile,
  checkNewStateDir,
  criuImages,
  LAYER_FILE,
  makeStateDir,
  readCheckpoint,
  writeManifest,
  type CheckpointManifest,
  type CheckpointMode,
} from './state-dir.js';
import { hasNetns, HOST_IMAGE, releaseResources, removeWparDir, removeWparFiles, settleEnded, usesOverlay } from './teardown.js';
import { waitInDir } from './wait.js';
import { sliceCpuCeiling } from '../host/cgroups.js';

/** Where root file systems come from (the image store). */
export interface RootfsSource {
  rootfs(image: string): string | Promise<string>;
}

export interface EngineOptions {
  /** Default: $CAPSTAN_ENGINE_ROOT or /var/lib/capstan/engine. */
  root?: string;
  /** Default: $CAPSTAN_ENGINE_SCOPE or none (see Layout). */
  scope?: string;
  /** The host bridge for interfaces that name none. */
  defaultBridge: string;
  images: RootfsSource;
}

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

export interface CheckpointOptions {
  /** The state directory; may be omitted for a WPAR frozen with a directory (chkptwpar -f -d). */
  dir?: string;
  mode: CheckpointMode;
  logFile?: string;
  logLevel?: LogLevel;
}

export interface RestartOptions {
  dir: string;
  paused?: boolean;
  /** Run with the WPAR name once restarted and paused; must exit with a status above 100. */
  userCommand?: string;
  logFile?: string;
  logLevel?: LogLevel;
}

export interface RestartResult {
  info: WparInfo;
  userCommandStatus?: number;
}

export interface Arrival {
  /** The WPAR as it runs here. */
  info: WparInfo;
  /** Epoch ms when its processes were resumed here: the end of the frozen time. */
  resumedAt: number;
  /**
   * Resolves once all of its memory is here (at once for stop-and-copy); rejects when it was
   * stopped as Broken because its memory stopped coming (see pages-reaper.ts).
   */
  pagesArrived: Promise<void>;
}

export type { CheckpointMode, ExitRecord, WparStats };

const STOP_GRACE_MS = 10_000;
const END_TIMEOUT_MS = 15_000;
/** A container's end is reported by its supervisor at once; runc is asked this often in case there is none. */
const END_POLL_MS = 100;
/** How long an operation waits for a WPAR's lock before reporting it busy. */
const LOCK_WAIT_MS = 3_000;

/** What a container is restored from. */
interface RestoreFrom {
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

/** Refusals carry engine codes; anything else that escapes an operation is a runtime failure. */
function asEngineError(e: unknown): CapstanError {
  return isCapstanError(e) ? e : new CapstanError('CAP-E1008', e instanceof Error ? e.message : String(e));
}

/** The record as observed with its container in `status` (see reconcile.ts). */
function seenAs(rec: WparRecord, status: RuncStatus | undefined): WparRecord {
  const seen = observe(rec, status, false);
  rec.state = seen.state;
  if (seen.brokenReason) rec.brokenReason = seen.brokenReason;
  return rec;
}

type Check = (rec: WparRecord) => 'done' | void | Promise<'done' | void>;
/** Gets the container's status the operation was decided on. */
type Act = (rec: WparRecord, status: RuncStatus | undefined) => Promise<'gone' | void>;

export class Engine extends EventEmitter {
  readonly layout: Layout;
  private readonly records: RecordStore;
  private readonly runc: Runc;
  private readonly departures: DepartureParts;
  private criuRunc?: Promise<Runc>;
  /** Arrivals whose network namespace prepareArrival made, by name: their interfaces (JSON). */
  private readonly preparedArrivals = new Map<string, string>();
  private exitWatcher?: FSWatcher;
  private readonly reportedExits = new Set<string>();

  constructor(private readonly opts: EngineOptions) {
    super();
    this.layout = new Layout(opts.root ?? engineRootFromEnv(), opts.scope ?? engineScopeFromEnv());
    this.records = new RecordStore(this.layout);
    this.runc = new Runc(this.layout.runcRoot);
    this.departures = {
      layout: this.layout,
      records: this.records,
      runc: this.runc,
      defaultBridge: opts.defaultBridge,
      withCriu: () => this.withCriu(),
      lock: (name) => this.lock(name),
      endContainer: (name, graceMs, runId, status) => this.endContainer(name, graceMs, runId, status),
    };
    // 'exit' listeners get the exit records of application WPARs as they appear.
    this.on('newListener', (event: string) => {
      if (event === 'exit') void this.watchExits();
    });
  }

  // ---- queries ------------------------------------------------------------------------

  async get(name: string): Promise<WparInfo | undefined> {
    const rec = await this.records.read(name);
    if (!rec) return undefined;
    // The lock after runc: a supervisor takes it as soon as its container has ended.
    const container = await this.runc.state(name);
    return this.describe(rec, container, await isLocked(this.layout.wpar(name).lock));
  }

  async list(): Promise<WparInfo[]> {
    const containers = new Map((await this.runc.list()).map((c) => [c.id, c]));
    const found = await Promise.all((await this.records.names()).map((n) => this.records.read(n)));
    return Promise.all(
      found
        .filter((r): r is WparRecord => !!r)
        .map(async (r) => this.describe(r, containers.get(r.spec.name), await isLocked(this.layout.wpar(r.spec.name).lock))),
    );
  }

  /** Current usage of a running WPAR. */
  async stats(name: string): Promise<WparStats> {
    if (!(await this.runc.state(name))) throw new CapstanError('CAP-E1000', name);
    return this.runc.stats(name);
  }

  /** Exit records of application WPARs whose command ended, until cleared. */
  exits(): Promise<ExitRecord[]> {
    return this.records.exits();
  }

  clearExit(name: string): Promise<void> {
    return this.records.clearExit(name);
  }

  /** Waits for an application WPAR to end; undefined when it went away without an exit status (stopped, checkpointed). */
  async waitExit(name: string): Promise<ExitRecord | undefined> {
    for (;;) {
      const exit = await this.records.readExit(name);
      if (exit) return exit;
      if (!(await this.records.read(name))) return this.records.readExit(name);
      await sleep(100);
    }
  }

  /** Stops watching for exits. */
  close(): void {
    this.exitWatcher?.close();
    this.exitWatcher = undefined;
  }

  // ---- lifecycle ----------------------------------------------------------------------

  async create(input: WparSpec, opts: { start?: boolean } = {}): Promise<WparInfo> {
    const spec = this.normalize(input);
    const lower = await this.lowerRootfs(spec);
    const existing = await this.records.read(spec.name);
    if (existing) {
      if (!isDeepStrictEqual(existing.spec, spec)) throw new CapstanError('CAP-E1010', spec.name);
      if (opts.start && spec.type === 'system') return this.start(spec.name);
      return this.mustGet(spec.name);
    }
    const rec: WparRecord = {
      spec,
      state: 'Transitional',
      operation: 'create',
      createdAt: new Date().toISOString(),
      resources: await this.plannedResources(spec),
    };
    await this.fresh(rec, async () => {
      if (spec.type === 'system') await this.adoptPreservedLayer(spec.name);
      if (spec.type === 'application' || opts.start) {
        await this.launch(rec, lower);
        rec.state = 'Active';
      } else {
        rec.state = 'Defined';
      }
    });
    return this.mustGet(spec.name);
  }

  async start(name: string): Promise<WparInfo> {
    await this.operate(name, 'start', (rec) => {
      if (rec.spec.type !== 'system') throw new CapstanError('CAP-E0203', 'only system WPARs are started');
      if (rec.state === 'Active') return 'done';
      if (rec.state !== 'Defined') throw this.badState(rec, 'start');
    }, async (rec) => {
      await this.launch(rec, await this.lowerRootfs(rec.spec));
      rec.state = 'Active';
    });
    return this.mustGet(name);
  }

  /**
   * Changes a deployed WPAR's definition: anything but its name, type and image while it is
   * Defined (taken at its next start), only its resource controls while it is Active
   * (applied at once through runc).
   */
  async modify(name: string, input: WparSpec): Promise<WparInfo> {
    const spec = this.normalize(input);
    let from: EngineState = 'Defined';
    await this.operate(name, 'modify', (rec) => {
      if (spec.name !== name || spec.type !== rec.spec.type || spec.image !== rec.spec.image) {
        throw new CapstanError('CAP-E1006', `${name}: the name, type and image of a deployed WPAR do not change`);
      }
      if (rec.state !== 'Defined' && rec.state !== 'Active') throw this.badState(rec, 'modify');
      if (rec.state === 'Active' && !isDeepStrictEqual({ ...rec.spec, resources: spec.resources }, spec)) {
        throw new CapstanError('CAP-E1006', `${name} is Active: only its resource controls change while it runs`);
      }
      if (isDeepStrictEqual(rec.spec, spec)) return 'done';
      from = rec.state;
    }, async (rec) => {
      const resources = await this.plannedResources(spec);
      if (from === 'Active') await this.runc.update(name, linuxResources(resources));
      rec.resources = resources;
      rec.spec = spec;
      rec.state = from;
    });
    return this.mustGet(name);
  }

  /** System WPARs go back to Defined; application WPARs are gone. */
  async stop(name: string, opts: { force?: boolean } = {}): Promise<WparInfo | undefined> {
    await this.operate(name, 'stop', (rec) => {
      if (rec.state === 'Defined') return 'done';
      if ((rec.state === 'Paused' || rec.state === 'Frozen') && !opts.force) throw this.badState(rec, 'stop without force');
    }, (rec, status) => this.end(rec, opts.force ? 0 : STOP_GRACE_MS, status));
    return this.get(name);
  }

  async remove(name: string, opts: { preserveFs?: boolean } = {}): Promise<void> {
    if (!(await this.records.read(name))) return;
    await this.operate(name, 'remove', () => undefined, async (rec, status) => {
      await this.stopRelocationHelpers(rec);
      await this.endContainer(name, 0, rec.runId, status);
      await releaseResources(this.layout, this.runc, rec.spec);
      await removeWparFiles(this.layout, rec.spec, opts.preserveFs ?? false);
      return 'gone';
    });
  }

  // ---- checkpoint and restart ---------------------------------------------------------

  /** chkptwpar -f: stops every process with the cgroup freezer, saving nothing (yet). */
  async freeze(name: string, opts: { dir?: string } = {}): Promise<WparInfo> {
    const rec = await this.operate(name, 'freeze', async (rec) => {
      this.mustBeCheckpointable(rec);
      if (rec.state === 'Frozen') return 'done';
      if (rec.state !== 'Active') throw this.badState(rec, 'freeze');
      if (opts.dir) await checkNewStateDir(opts.dir);
    }, async (rec) => {
      await this.runc.pause(name); // refuses a container that is not running: see operate
      rec.state = 'Frozen';
      if (opts.dir) rec.freezeStateDir = opts.dir;
    }, { singleRuncStep: true });
    return this.settledInfo(name, rec, 'paused');
  }

  async checkpoint(name: string, opts: CheckpointOptions): Promise<WparInfo | undefined> {
    // An application WPAR that exited (its exit record kept) says so, also when it ended while this waited for its lock.
    const exited = async (e: unknown): Promise<never> => {
      if (isCapstanError(e) && e.code === 'CAP-E1000' && (await this.records.readExit(name))) throw new CapstanError('CAP-E1014', name);
      throw e;
    };
    let dir = opts.dir;
    const settled = await this.operate(name, 'checkpoint', async (rec) => {
      this.mustBeCheckpointable(rec);
      if (!['Active', 'Frozen', 'Paused'].includes(rec.state)) throw this.badState(rec, 'checkpoint');
      dir ??= rec.freezeStateDir;
      if (!dir) throw new CapstanError('CAP-E1003', 'no state directory given');
      await checkNewStateDir(dir);
      if (opts.logFile) await checkLogFile(opts.logFile);
    }, async (rec, status) => {
      await this.dump(rec, dir as string, opts, status === 'running');
      delete rec.freezeStateDir;
      if (opts.mode === 'kill') return this.end(rec, 0, 'paused'); // dump leaves it frozen
      if (opts.mode === 'continue') await this.runc.resume(name);
      rec.state = opts.mode === 'pause' ? 'Paused' : 'Active';
    }).catch(exited);
    if (!settled) return undefined;
    const left: Record<CheckpointMode, RuncStatus | undefined> = { kill: undefined, pause: 'paused', continue: 'running' };
    return this.settledInfo(name, settled, left[opts.mode]);
  }

  async resume(name: string): Promise<WparInfo> {
    const rec = await this.operate(name, 'resume', (rec) => {
      if (rec.state !== 'Paused' && rec.state !== 'Frozen') throw this.badState(rec, 'resume');
    }, async (rec) => {
      await this.runc.resume(name); // refuses a container that is not paused: see operate
      delete rec.freezeStateDir;
      rec.state = 'Active';
    }, { singleRuncStep: true });
    return this.settledInfo(name, rec, 'running');
  }

  /** killwpar: ends the processes of a paused or frozen WPAR (like a forced stop). */
  async kill(name: string): Promise<WparInfo | undefined> {
    await this.operate(name, 'kill', (rec) => {
      if (rec.state !== 'Paused' && rec.state !== 'Frozen') throw this.badState(rec, 'kill');
    }, (rec, status) => this.end(rec, 0, status));
    return this.get(name);
  }

  /**
   * Recreates a WPAR from a state directory: into the Defined system WPAR of that name when
   * there is one, else from the spec saved with the checkpoint (so any engine root will do).
   */
  async restart(name: string, opts: RestartOptions): Promise<RestartResult> {
    const manifest = await readCheckpoint(opts.dir);
    if (manifest.spec.name !== name) {
      throw new CapstanError('CAP-E1000', `the state directory holds WPAR ${manifest.spec.name}, not ${name}`);
    }
    if (opts.logFile) await checkLogFile(opts.logFile);
    const existing = await this.records.read(name);
    let rec: WparRecord | undefined;
    if (existing) {
      rec = await this.operate(name, 'restart', (rec) => {
        if (rec.spec.type !== 'system' || rec.state !== 'Defined') {
          throw new CapstanError('CAP-E1001', `${name} is ${rec.state}; only a Defined system WPAR can be restarted into`);
        }
        this.mustBeCheckpointable(rec);
      }, async (rec) => {
        await this.restore(rec, manifest, opts);
      });
    } else {
      const spec = this.normalize(manifest.spec);
      const made: WparRecord = { spec, state: 'Transitional', operation: 'restart', createdAt: new Date().toISOString(), resources: await this.plannedResources(spec) };
      await this.fresh(made, async () => {
        await this.restore(made, manifest, opts);
      });
      rec = made;
    }
    const result: RestartResult = { info: await this.settledInfo(name, rec, opts.paused ? 'paused' : 'running') };
    if (opts.paused && opts.userCommand) {
      const r = await run('/bin/sh', ['-c', `${opts.userCommand} "$1"`, 'restartwpar-user-command', name]);
      if (r.code <= 100) {
        await this.kill(name);
        throw new CapstanError('CAP-E1012', `${opts.userCommand} exited with ${r.code}`);
      }
      result.userCommandStatus = r.code;
    }
    return result;
  }

  // ---- live relocation (the handshake between the two engines is in relocate.ts) ------

  /**
   * Departure: freezes the Active WPAR, detaches its network and dumps it into `opts.dir`
   * (memory as `opts.method` says); the frozen copy stays until the arrival copy runs with
   * all its memory (commit(), and for post-copy delivered()) or comes back to life (abort()).
   */
  relocateOut(name: string, opts: DepartureOptions): Promise<Departure> {
    return relocateOut(this.departures, name, opts);
  }

  /**
   * Departure whose driver is gone (the agent died mid-way): 'arrived' once the arrival copy
   * runs with all its memory removes the copy here; 'stayed' (the arrival copy never ran, or
   * lost its post-copy memory source) lets it run here again. Idempotent.
   */
  settleRelocation(name: string, outcome: 'arrived' | 'stayed'): Promise<DepartureOutcome> {
    return settleDeparture(this.departures, name, outcome);
  }

  /** Stop-and-copy arrival, before the departure dumps: a CRIU page server that writes the memory into `opts.dir`. */
  async receivePages(name: string, opts: PageReceiverOptions): Promise<PageReceiver> {
    if (await this.records.read(name)) throw new CapstanError('CAP-E1010', name);
    return receivePages(opts);
  }

  /**
   * Arrival, before the departure freezes: makes the WPAR's network namespace (its interfaces
   * off their bridges) and checks its image and CRIU, which relocateIn would otherwise do
   * while the WPAR is frozen. relocateIn(spec.name) takes the namespace over; cancelArrival()
   * removes it when none follows. A namespace prepared by an engine that is gone is not
   * lost: relocateIn completes it again.
   */
  async prepareArrival(input: WparSpec, method: MemoryMethod): Promise<void> {
    await checkMethod(method);
    const spec = this.normalize(input);
    if (await this.records.read(spec.name)) throw new CapstanError('CAP-E1010', spec.name);
    await Promise.all([this.lowerRootfs(spec), runcDefaultConfig()]);
    if (hasNetns(spec)) await createWparNetns(this.layout.netns(spec.name), spec.interfaces, { defaultBridge: this.opts.defaultBridge, detached: true });
    this.preparedArrivals.set(spec.name, JSON.stringify(spec.interfaces));
  }

  /** Undoes prepareArrival when no relocateIn took the WPAR (a WPAR of that name that exists is left alone). */
  async cancelArrival(name: string): Promise<void> {
    this.preparedArrivals.delete(name);
    if (!(await this.records.read(name))) await deleteWparNetns(this.layout.netns(name));
  }

  /**
   * Arrival: the WPAR runs here from the departure's images in `opts.dir`, with its writable
   * layer, address (announced) and open TCP connections. Post-copy: it runs at once, its
   * memory following from `opts.pageSource`. A failure leaves nothing here.
   */
  async relocateIn(name: string, opts: ArrivalOptions): Promise<Arrival> {
    const method = await checkMethod(opts.method);
    if (method === 'postCopy' && !opts.pageSource) throw new CapstanError('CAP-E0001', 'post-copy needs a pageSource');
    const manifest = await readCheckpoint(opts.dir, { relocation: method });
    if (manifest.spec.name !== name) throw new CapstanError('CAP-E1000', `the state directory holds WPAR ${manifest.spec.name}, not ${name}`);
    if (await this.records.read(name)) throw new CapstanError('CAP-E1010', name);
    const spec = this.normalize(manifest.spec);
    const rec: WparRecord = { spec, state: 'Transitional', operation: 'relocate-in', createdAt: new Date().toISOString(), resources: await this.plannedResources(spec) };
    const netnsReady = this.preparedArrivals.get(name) === JSON.stringify(spec.interfaces) && !!(await stat(netnsPath(this.layout.netns(name))).catch(() => undefined));
    this.preparedArrivals.delete(name);
    let resumedAt = 0;
    await this.fresh(rec, async () => {
      resumedAt = await this.restore(rec, manifest, { dir: opts.dir }, { ...(method === 'postCopy' ? { pageSource: opts.pageSource } : {}), netnsReady });
    });
    const token = rec.arrivingPages?.token;
    const arrived = token ? pagesArrived(this.layout, this.records, name, token) : Promise.resolve();
    arrived.catch(() => undefined);
    return { info: await this.settledInfo(name, rec, 'running'), resumedAt, pagesArrived: arrived };
  }

  // ---- internals ----------------------------------------------------------------------

  private normalize(input: WparSpec): WparSpec {
    const spec = Value.Default(WparSpec, structuredClone(input)) as WparSpec;
    const error = Value.Errors(WparSpec, spec)[0];
    if (error) throw new CapstanError('CAP-E0001', `${error.instancePath || 'spec'} ${error.message}`);
    if (spec.type === 'application' && !spec.command) throw new CapstanError('CAP-E0205');
    return spec;
  }

  private async lowerRootfs(spec: WparSpec): Promise<string> {
    if (spec.image === HOST_IMAGE) {
      if (spec.type === 'system') throw new CapstanError('CAP-E1007', 'a system WPAR needs an image of its own');
      return '/';
    }
    try {
      const dir = await this.opts.images.rootfs(spec.image);
      if ((await stat(dir)).isDirectory()) return dir;
    } catch {
      // reported below as an unknown image
    }
    throw new CapstanError('CAP-E1007', spec.image);
  }

  /** What runc will be asked to enforce, known before the first start. */
  private async plannedResources(spec: WparSpec): Promise<AppliedResources> {
    return resourcesFor(spec, (await runcDefaultConfig()).process.capabilities?.bounding ?? [], await sliceCpuCeiling(this.layout.cgroupParent));
  }

  private async mustGet(name: string): Promise<WparInfo> {
    const info = await this.get(name);
    if (!info) throw new CapstanError('CAP-E1000', name);
    return info;
  }

  private describe(rec: WparRecord, container: { status: RuncStatus; pid?: number } | undefined, busy: boolean): WparInfo {
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

  /**
   * The WPAR as an operation just left it, without asking runc again: the record it wrote, the
   * container status it brought about and the pid runc wrote when the container started.
   */
  private async settledInfo(name: string, rec: WparRecord | undefined, status: RuncStatus | undefined): Promise<WparInfo> {
    if (!rec) throw new CapstanError('CAP-E1000', name);
    if (!status) return this.describe(rec, undefined, false);
    const pid = containerPid(this.layout, name);
    return this.describe(rec, { status, ...(pid ? { pid } : {}) }, false);
  }

  private badState(rec: WparRecord, action: string): CapstanError {
    return new CapstanError('CAP-E1006', `cannot ${action} ${rec.spec.name}: it is ${rec.state}`);
  }

  private mustBeCheckpointable(rec: WparRecord): void {
    if (!rec.spec.checkpointable) throw new CapstanError('CAP-E1002', rec.spec.name);
    // Its memory is not all here: CRIU would dump pages that never came.
    if (rec.arrivingPages) throw new CapstanError('CAP-E1001', `${rec.spec.name} is still receiving its memory from its last relocation`);
  }

  /** Ends what a relocation left running for a WPAR being removed (a CRIU that dumps or serves it, a lazy-pages daemon). */
  private async stopRelocationHelpers(rec: WparRecord): Promise<void> {
    if (rec.departure?.pid && (await detachedAlive(rec.departure.pid, 'capstan-departure'))) killDetached(rec.departure.pid);
    if (rec.arrivingPages) stopLazyPages(rec);
  }

  /**
   * Runs one operation on an existing WPAR under its lock. `check` sees the observed state
   * and refuses (changing nothing) or says 'done' (nothing to do); `act` runs with the WPAR
   * Transitional and returns 'gone' when it removed the WPAR. A failure in `act` leaves the
   * WPAR Broken with the reason. Resolves with the record as the operation left it.
   *
   * With `singleRuncStep`, act is one runc command that itself refuses, changing nothing, a
   * container that is not as recorded (pause one that is not running, resume one that is not
   * paused), and whose effect runc's state shows. So runc need not be asked first: only a
   * successful act is taken from such a try, any other outcome is decided again on runc's
   * view, the record put back. And no Transitional record is needed before it: after a crash
   * in between, observe() reads the outcome back from runc (paused or running).
   */
  private async operate(
    name: string,
    operation: string,
    check: Check,
    act: Act,
    opts: { singleRuncStep?: boolean } = {},
  ): Promise<WparRecord | undefined> {
    const release = await this.lock(name);
    try {
      const saved = await this.records.read(name);
      if (!saved) throw new CapstanError('CAP-E1000', name);
      if (opts.singleRuncStep) {
        const settled = await this.onRecord(name, saved, operation, check, act);
        if (settled !== 'ask runc') return settled;
      }
      const status = (await this.runc.state(name))?.status;
      const rec = seenAs(saved, status);
      if ((await check(rec)) === 'done') return rec;
      return await this.perform(rec, operation, act, status, !opts.singleRuncStep);
    } finally {
      await release();
    }
  }

  /** Takes the WPAR's lock, or refuses: unknown WPAR, or busy. */
  private async lock(name: string): Promise<Release> {
    // A WPAR that does not exist has no directory to lock in.
    const release = await lockWithin(this.layout.wpar(name).lock, LOCK_WAIT_MS).catch(() => undefined);
    if (!release) {
      if (!(await this.records.read(name))) throw new CapstanError('CAP-E1000', name);
      throw new CapstanError('CAP-E1001', `${name} is busy`);
    }
    return release;
  }

  /** The operation decided on the record alone (see operate); 'ask runc' when it cannot be, the record then as it was. */
  private async onRecord(name: string, saved: WparRecord, operation: string, check: Check, act: Act): Promise<WparRecord | undefined | 'ask runc'> {
    const recorded = recordedStatus(saved.state);
    if (!recorded) return 'ask runc';
    const rec = seenAs(structuredClone(saved), recorded);
    // Only act's runc command confirms the record: a refusal or 'done' is decided on runc's view.
    if (!(await Promise.resolve(rec).then(check).then((v) => v !== 'done', () => false))) return 'ask runc';
    let misread = false;
    const confirmed: Act = async (r, s) => {
      try {
        return await act(r, s);
      } catch (e) {
        // Where the record was right about the container, the failure stands.
        misread = (await this.runc.state(name))?.status !== recorded;
        throw e;
      }
    };
    try {
      return await this.perform(rec, operation, confirmed, recorded, false);
    } catch (e) {
      if (!misread) throw e;
      await this.records.write(saved);
      return 'ask runc';
    }
  }

  /**
   * Runs `act` with the WPAR Transitional (recorded first where a crash could otherwise not be
   * told apart: see operate) and records how it settled (undefined: gone); a failure leaves it
   * Broken with the reason.
   */
  private async perform(rec: WparRecord, operation: string, act: Act, status: RuncStatus | undefined, recordTransitional = true): Promise<WparRecord | undefined> {
    rec.state = 'Transitional';
    rec.operation = operation;
    if (recordTransitional) await this.records.write(rec);
    try {
      if ((await act(rec, status)) === 'gone') return undefined;
      delete rec.operation;
      delete rec.brokenReason;
      if (rec.state === 'Transitional') throw new Error(`${operation} did not settle the state`);
      await this.records.write(rec);
      return rec;
    } catch (e) {
      const err = asEngineError(e);
      rec.state = 'Broken';
      rec.brokenReason = `${operation}: ${err.message}`;
      delete rec.operation;
      await this.records.write(rec);
      throw err;
    }
  }

  /** Makes a new WPAR under its lock; on failure removes every trace of it. */
  private async fresh(rec: WparRecord, act: () => Promise<void>): Promise<void> {
    const { spec } = rec;
    const paths = this.layout.wpar(spec.name);
    await mkdir(paths.dir, { recursive: true });
    const release = await lockWithin(paths.lock, LOCK_WAIT_MS);
    if (!release) throw new CapstanError('CAP-E1001', `${spec.name} is being created`);
    try {
      await this.records.clearExit(spec.name);
      await this.records.write(rec);
      await act();
      delete rec.operation;
      await this.records.write(rec);
    } catch (e) {
      await this.runc.state(spec.name).then((st) => this.endContainer(spec.name, 0, rec.runId, st?.status)).catch(() => undefined);
      await releaseResources(this.layout, this.runc, spec).catch(() => undefined);
      await removeWparDir(this.layout, spec.name);
      throw asEngineError(e);
    } finally {
      await release();
    }
  }

  /** A system WPAR made again under the name of one removed with preserveFs takes its old layer back. */
  private async adoptPreservedLayer(name: string): Promise<void> {
    const kept = this.layout.preserved(name);
    await rename(kept, this.layout.wpar(name).upper).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  /** Prepares root file system, network and bundle, then runs (or restores) the container under a supervisor. */
  private async launch(rec: WparRecord, lower: string, restoreFrom?: RestoreFrom): Promise<void> {
    const { spec } = rec;
    const paths = this.layout.wpar(spec.name);
    const nsName = this.layout.netns(spec.name);
    let nsPath = hasNetns(spec) && restoreFrom?.netnsReady ? netnsPath(nsName) : undefined;
    // Root file system, network and bundle directory do not depend on each other.
    await allSettledOrThrow([
      usesOverlay(spec)
        ? (restoreFrom?.layer ? unpackLayer(restoreFrom.layer, paths.upper) : Promise.resolve()).then(() => mountOverlay(lower, paths.upper, paths.work, paths.rootfs))
        : undefined,
      hasNetns(spec) && !nsPath
        // A restore's connections must see no packet before their sockets exist: attached after it.
        ? createWparNetns(nsName, spec.interfaces, { defaultBridge: this.opts.defaultBridge, detached: !!restoreFrom }).then((p) => (nsPath = p))
        : undefined,
      mkdir(paths.bundle, { recursive: true }),
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
      cpuCeilingCores: await sliceCpuCeiling(this.layout.cgroupParent),
      cgroupParent: this.layout.cgroupParent,
    });
    rec.resources = resources;
    rec.runId = randomUUID();
    delete rec.exitStatus;
    await writeJsonAtomic(paths.config, config);
    await this.records.write(rec);
    if (restoreFrom) {
      const runc = await this.withCriu();
      const args = runc.restoreArgs(spec.name, paths.bundle, paths.pidFile, restoreFrom.images, restoreFrom.work, { lazyPages: !!restoreFrom.lazyPages });
      const giveUp = await restoreFrom.lazyPages;
      await startSupervised(this.layout, spec.name, rec.runId, args, { criuLog: join(restoreFrom.work, 'restore.log'), giveUp });
      if (hasNetns(spec)) await attachInterfaces(this.layout.netns(spec.name), spec.interfaces, this.opts.defaultBridge);
    } else {
      await startSupervised(this.layout, spec.name, rec.runId, this.runc.runArgs(spec.name, paths.bundle, paths.pidFile));
    }
  }

  private withCriu(): Promise<Runc> {
    this.criuRunc ??= findCriu().then(
      (criu) => new Runc(this.layout.runcRoot, criu.path),
      (e: unknown) => {
        this.criuRunc = undefined;
        throw new CapstanError('CAP-E1013', e instanceof Error ? e.message : String(e));
      },
    );
    return this.criuRunc;
  }

  /**
   * Writes a complete checkpoint: the processes are frozen first, so the dump and the
   * writable layer saved beside it agree; they stay frozen for the caller to resume or end.
   */
  private async dump(rec: WparRecord, dir: string, opts: CheckpointOptions, wasRunning: boolean): Promise<void> {
    const { spec } = rec;
    const paths = this.layout.wpar(spec.name);
    const runc = await this.withCriu();
    const created = await makeStateDir(dir);
    const work = await mkdtemp(join(paths.dir, 'checkpoint-'));
    let outcome = 'failed';
    try {
      if (wasRunning) await this.runc.pause(spec.name);
      // Nothing in the WPAR runs now: its layer can be saved while CRIU dumps the processes.
      await allSettledOrThrow([
        runc.checkpoint(spec.name, criuImages(dir), work),
        usesOverlay(spec) ? packLayer(paths.upper, join(dir, LAYER_FILE)) : undefined,
      ]);
      await writeManifest(dir, { spec, mode: opts.mode, ...(usesOverlay(spec) ? { layer: LAYER_FILE } : {}) });
      outcome = 'done';
    } catch (e) {
      // Leave no partial checkpoint behind, and let the processes carry on.
      await rm(created ? dir : criuImages(dir), { recursive: true, force: true });
      await rm(join(dir, LAYER_FILE), { force: true });
      if (wasRunning) await this.runc.resume(spec.name).catch(() => undefined);
      throw e;
    } finally {
      if (opts.logFile) {
        await writeOperationLog(opts.logFile, opts.logLevel ?? 'error', `checkpoint of ${spec.name} to ${dir} (${opts.mode}): ${outcome}`, join(work, 'dump.log'));
      }
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Restarts the WPAR from a state directory, or from a relocation's images: post-copy, its
   * memory comes from `pageSource` as it runs. Resolves with the epoch ms its processes
   * were let run (or paused).
   */
  private async restore(rec: WparRecord, manifest: CheckpointManifest, opts: RestartOptions, relocation?: { pageSource?: PageEndpoint; netnsReady?: boolean }): Promise<number> {
    const { spec } = rec;
    const paths = this.layout.wpar(spec.name);
    await this.records.clearExit(spec.name);
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
        from.lazyPages = startLazyPages(this.layout, this.records, rec, from.images, work, relocation.pageSource);
        from.lazyPages.catch(() => undefined);
      }
      await this.launch(rec, await this.lowerRootfs(spec), from);
      outcome = 'done';
    } catch (e) {
      await from.lazyPages?.catch(() => undefined);
      stopLazyPages(rec);
      throw e;
    } finally {
      if (opts.logFile) {
        await writeOperationLog(opts.logFile, opts.logLevel ?? 'error', `restart of ${spec.name} from ${opts.dir}: ${outcome}`, join(work, 'restore.log'));
      }
      // The lazy-pages daemon still works there (it removes it once all memory came).
      if (!relocation?.pageSource) await rm(work, { recursive: true, force: true });
      // CRIU read it when the restore began; a later checkpoint must not find it.
      await rm(paths.criuConfig, { force: true });
    }
    // A checkpoint taken frozen may come back frozen (CRIU restores the freezer state). A
    // relocation's always is: resumed without asking runc first, on the way to running.
    if (relocation) {
      await this.runc.resume(spec.name).catch(async (e: unknown) => {
        if ((await this.runc.state(spec.name))?.status !== 'running') throw e;
      });
    } else {
      const frozen = (await this.runc.state(spec.name))?.status === 'paused';
      if (opts.paused && !frozen) await this.runc.pause(spec.name);
      if (!opts.paused && frozen) await this.runc.resume(spec.name);
    }
    const resumedAt = Date.now();
    if (spec.interfaces.length > 0) await announce(this.layout.netns(spec.name));
    rec.state = opts.paused ? 'Paused' : 'Active';
    return resumedAt;
  }

  /** Ends the container (in `status`, as the operation found it) and settles the WPAR: system → Defined, application → gone. */
  private async end(rec: WparRecord, graceMs: number, status: RuncStatus | undefined): Promise<'gone' | void> {
    await this.endContainer(rec.spec.name, graceMs, rec.runId, status);
    await releaseResources(this.layout, this.runc, rec.spec);
    await settleEnded(this.layout, this.records, rec);
    return rec.spec.type === 'application' ? 'gone' : undefined;
  }

  /** Asks the processes of the container of run `runId`, in `status`, to end (SIGTERM), then kills them. */
  private async endContainer(name: string, graceMs: number, runId: string | undefined, status: RuncStatus | undefined): Promise<void> {
    if (!status || status === 'stopped') return;
    if (graceMs > 0 && status === 'running') {
      await this.runc.kill(name, 'TERM');
      if (await this.waitEnded(name, runId, graceMs)) return;
    }
    await this.runc.kill(name, 'KILL');
    if (!(await this.waitEnded(name, runId, END_TIMEOUT_MS))) throw new CapstanError('CAP-E1008', `${name} did not end`);
  }

  /** Whether the container ended within `ms`: its supervisor says so at once; runc is asked now and then, in case none will. */
  private async waitEnded(name: string, runId: string | undefined, ms: number): Promise<boolean> {
    const ended = await waitInDir(this.layout.wpar(name).dir, ms, END_POLL_MS, async (polled) => {
      if (runId && (await supervisorStatus(this.layout, name, runId))) return true;
      if (!polled) return undefined;
      const st = await this.runc.state(name);
      if (!st || st.status === 'stopped') return true;
      // runc thaws a frozen cgroup to deliver a signal; should it still be frozen, thaw it so the processes can die.
      if (st.status === 'paused') await this.runc.resume(name);
      return undefined;
    });
    return ended ?? false;
  }

  private async watchExits(): Promise<void> {
    if (this.exitWatcher) return;
    await mkdir(this.layout.exitsDir, { recursive: true });
    const scan = async (): Promise<void> => {
      for (const exit of await this.records.exits()) {
        const key = `${exit.name}@${exit.endedAt}`;
        if (this.reportedExits.has(key)) continue;
        this.reportedExits.add(key);
        this.emit('exit', exit);
      }
    };
    this.exitWatcher = watch(this.layout.exitsDir, () => void scan());
    this.exitWatcher.unref();
    await scan();
  }
}

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
import { WparSpec } from '../../api/wpar.js';
import { run } from '../exec.js';
import { announce, createWparNetns } from '../net/index.js';
import { findCriu } from './criu.js';
import { writeJsonAtomic } from './json-file.js';
import { engineRootFromEnv, Layout, netnsName } from './layout.js';
import { isLocked, lockWithin } from './lock.js';
import { buildConfig, currentHardLimits, resourcesFor, runcDefaultConfig } from './oci-config.js';
import { writeOperationLog, type LogLevel } from './op-log.js';
import { observe } from './reconcile.js';
import { RecordStore, type AppliedResources, type EngineState, type ExitRecord, type WparRecord } from './records.js';
import { mountOverlay, packLayer, unpackLayer } from './rootfs.js';
import { Runc, type RuncState, type WparStats } from './runc.js';
import { startSupervised } from './start-supervised.js';
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

/** Where root file systems come from (the image store). */
export interface RootfsSource {
  rootfs(image: string): string | Promise<string>;
}

export interface EngineOptions {
  /** Default: $CAPSTAN_ENGINE_ROOT or /var/lib/capstan/engine. */
  root?: string;
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

export type { CheckpointMode, ExitRecord, WparStats };

const STOP_GRACE_MS = 10_000;
const END_TIMEOUT_MS = 15_000;
/** How long an operation waits for a WPAR's lock before reporting it busy. */
const LOCK_WAIT_MS = 3_000;

/** Refusals carry engine codes; anything else that escapes an operation is a runtime failure. */
function asEngineError(e: unknown): CapstanError {
  return isCapstanError(e) ? e : new CapstanError('CAP-E1008', e instanceof Error ? e.message : String(e));
}

export class Engine extends EventEmitter {
  readonly layout: Layout;
  private readonly records: RecordStore;
  private readonly runc: Runc;
  private criuRunc?: Promise<Runc>;
  private exitWatcher?: FSWatcher;
  private readonly reportedExits = new Set<string>();

  constructor(private readonly opts: EngineOptions) {
    super();
    this.layout = new Layout(opts.root ?? engineRootFromEnv());
    this.records = new RecordStore(this.layout);
    this.runc = new Runc(this.layout.runcRoot);
    // 'exit' listeners get the exit records of application WPARs as they appear.
    this.on('newListener', (event: string) => {
      if (event === 'exit') void this.watchExits();
    });
  }

  // ---- queries ------------------------------------------------------------------------

  async get(name: string): Promise<WparInfo | undefined> {
    const rec = await this.records.read(name);
    if (!rec) return undefined;
    return this.describe(rec, await this.runc.state(name));
  }

  async list(): Promise<WparInfo[]> {
    const containers = new Map((await this.runc.list()).map((c) => [c.id, c]));
    const found = await Promise.all((await this.records.names()).map((n) => this.records.read(n)));
    return Promise.all(found.filter((r): r is WparRecord => !!r).map((r) => this.describe(r, containers.get(r.spec.name))));
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

  /** System WPARs go back to Defined; application WPARs are gone. */
  async stop(name: string, opts: { force?: boolean } = {}): Promise<WparInfo | undefined> {
    await this.operate(name, 'stop', (rec) => {
      if (rec.state === 'Defined') return 'done';
      if ((rec.state === 'Paused' || rec.state === 'Frozen') && !opts.force) throw this.badState(rec, 'stop without force');
    }, (rec) => this.end(rec, opts.force ? 0 : STOP_GRACE_MS));
    return this.get(name);
  }

  async remove(name: string, opts: { preserveFs?: boolean } = {}): Promise<void> {
    if (!(await this.records.read(name))) return;
    await this.operate(name, 'remove', () => undefined, async (rec) => {
      await this.endContainer(name, 0);
      await releaseResources(this.layout, this.runc, rec.spec);
      await removeWparFiles(this.layout, rec.spec, opts.preserveFs ?? false);
      return 'gone';
    });
  }

  // ---- checkpoint and restart ---------------------------------------------------------

  /** chkptwpar -f: stops every process with the cgroup freezer, saving nothing (yet). */
  async freeze(name: string, opts: { dir?: string } = {}): Promise<WparInfo> {
    await this.operate(name, 'freeze', async (rec) => {
      this.mustBeCheckpointable(rec);
      if (rec.state === 'Frozen') return 'done';
      if (rec.state !== 'Active') throw this.badState(rec, 'freeze');
      if (opts.dir) await checkNewStateDir(opts.dir);
    }, async (rec) => {
      await this.runc.pause(name);
      rec.state = 'Frozen';
      if (opts.dir) rec.freezeStateDir = opts.dir;
    });
    return this.mustGet(name);
  }

  async checkpoint(name: string, opts: CheckpointOptions): Promise<WparInfo | undefined> {
    if (!(await this.records.read(name)) && (await this.records.readExit(name))) {
      throw new CapstanError('CAP-E1014', name);
    }
    let dir = opts.dir;
    await this.operate(name, 'checkpoint', async (rec) => {
      this.mustBeCheckpointable(rec);
      if (!['Active', 'Frozen', 'Paused'].includes(rec.state)) throw this.badState(rec, 'checkpoint');
      dir ??= rec.freezeStateDir;
      if (!dir) throw new CapstanError('CAP-E1003', 'no state directory given');
      await checkNewStateDir(dir);
      if (opts.logFile) await checkLogFile(opts.logFile);
    }, async (rec) => {
      await this.dump(rec, dir as string, opts);
      delete rec.freezeStateDir;
      if (opts.mode === 'kill') return this.end(rec, 0);
      if (opts.mode === 'continue') await this.runc.resume(name);
      rec.state = opts.mode === 'pause' ? 'Paused' : 'Active';
    });
    return this.get(name);
  }

  async resume(name: string): Promise<WparInfo> {
    await this.operate(name, 'resume', (rec) => {
      if (rec.state !== 'Paused' && rec.state !== 'Frozen') throw this.badState(rec, 'resume');
    }, async (rec) => {
      await this.runc.resume(name);
      delete rec.freezeStateDir;
      rec.state = 'Active';
    });
    return this.mustGet(name);
  }

  /** killwpar: ends the processes of a paused or frozen WPAR (like a forced stop). */
  async kill(name: string): Promise<WparInfo | undefined> {
    await this.operate(name, 'kill', (rec) => {
      if (rec.state !== 'Paused' && rec.state !== 'Frozen') throw this.badState(rec, 'kill');
    }, (rec) => this.end(rec, 0));
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
    if (existing) {
      await this.operate(name, 'restart', (rec) => {
        if (rec.spec.type !== 'system' || rec.state !== 'Defined') {
          throw new CapstanError('CAP-E1001', `${name} is ${rec.state}; only a Defined system WPAR can be restarted into`);
        }
        this.mustBeCheckpointable(rec);
      }, (rec) => this.restore(rec, manifest, opts));
    } else {
      const spec = this.normalize(manifest.spec);
      const rec: WparRecord = { spec, state: 'Transitional', operation: 'restart', createdAt: new Date().toISOString(), resources: await this.plannedResources(spec) };
      await this.fresh(rec, () => this.restore(rec, manifest, opts));
    }
    const result: RestartResult = { info: await this.mustGet(name) };
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
    return resourcesFor(spec, (await runcDefaultConfig()).process.capabilities?.bounding ?? []);
  }

  private async mustGet(name: string): Promise<WparInfo> {
    const info = await this.get(name);
    if (!info) throw new CapstanError('CAP-E1000', name);
    return info;
  }

  private describe(rec: WparRecord, container: RuncState | undefined): Promise<WparInfo> {
    return isLocked(this.layout.wpar(rec.spec.name).lock).then((busy) => {
      const seen = observe(rec, container?.status, busy);
      const live = container && container.status !== 'stopped' ? container.pid : undefined;
      return {
        name: rec.spec.name,
        spec: rec.spec,
        state: seen.state,
        ...(live ? { pid: live } : {}),
        ...(rec.exitStatus !== undefined ? { exitStatus: rec.exitStatus } : {}),
        ...(seen.brokenReason ? { brokenReason: seen.brokenReason } : {}),
        resources: rec.resources,
        createdAt: rec.createdAt,
      };
    });
  }

  private badState(rec: WparRecord, action: string): CapstanError {
    return new CapstanError('CAP-E1006', `cannot ${action} ${rec.spec.name}: it is ${rec.state}`);
  }

  private mustBeCheckpointable(rec: WparRecord): void {
    if (!rec.spec.checkpointable) throw new CapstanError('CAP-E1002', rec.spec.name);
  }

  /**
   * Runs one operation on an existing WPAR under its lock. `check` sees the observed state
   * and refuses (changing nothing) or says 'done' (nothing to do); `act` runs with the WPAR
   * Transitional and returns 'gone' when it removed the WPAR. A failure in `act` leaves the
   * WPAR Broken with the reason.
   */
  private async operate(
    name: string,
    operation: string,
    check: (rec: WparRecord) => 'done' | void | Promise<'done' | void>,
    act: (rec: WparRecord) => Promise<'gone' | void>,
  ): Promise<void> {
    const lock = this.layout.wpar(name).lock;
    if (!(await this.records.read(name))) throw new CapstanError('CAP-E1000', name);
    const release = await lockWithin(lock, LOCK_WAIT_MS).catch(() => undefined);
    if (!release) {
      if (!(await this.records.read(name))) throw new CapstanError('CAP-E1000', name);
      throw new CapstanError('CAP-E1001', `${name} is busy`);
    }
    try {
      const rec = await this.records.read(name);
      if (!rec) throw new CapstanError('CAP-E1000', name);
      const seen = observe(rec, (await this.runc.state(name))?.status, false);
      rec.state = seen.state;
      if (seen.brokenReason) rec.brokenReason = seen.brokenReason;
      if ((await check(rec)) === 'done') return;
      rec.state = 'Transitional';
      rec.operation = operation;
      await this.records.write(rec);
      try {
        if ((await act(rec)) === 'gone') return;
        delete rec.operation;
        delete rec.brokenReason;
        if (rec.state === 'Transitional') throw new Error(`${operation} did not settle the state`);
        await this.records.write(rec);
      } catch (e) {
        const err = asEngineError(e);
        rec.state = 'Broken';
        rec.brokenReason = `${operation}: ${err.message}`;
        delete rec.operation;
        await this.records.write(rec);
        throw err;
      }
    } finally {
      await release();
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
      await this.endContainer(spec.name, 0).catch(() => undefined);
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
  private async launch(rec: WparRecord, lower: string, restoreFrom?: { images: string; work: string }): Promise<void> {
    const { spec } = rec;
    const paths = this.layout.wpar(spec.name);
    if (usesOverlay(spec)) await mountOverlay(lower, paths.upper, paths.work, paths.rootfs);
    const netnsPath = hasNetns(spec)
      ? await createWparNetns(netnsName(spec.name), spec.interfaces, { defaultBridge: this.opts.defaultBridge })
      : undefined;
    const { config, resources } = buildConfig(await runcDefaultConfig(), {
      spec,
      rootfs: usesOverlay(spec) ? paths.rootfs : lower,
      // Application WPARs see their root read-only, except checkpointable ones: CRIU's restore
      // pivots through a temporary directory it makes in the root. Their writes still land
      // only in the WPAR's own layer.
      readonlyRoot: spec.type === 'application' && !(spec.checkpointable && usesOverlay(spec)),
      netnsPath,
      hardLimits: await currentHardLimits(),
    });
    await mkdir(paths.bundle, { recursive: true });
    await writeJsonAtomic(paths.config, config);

    rec.resources = resources;
    rec.runId = randomUUID();
    delete rec.exitStatus;
    await this.records.write(rec);
    if (restoreFrom) {
      const runc = await this.withCriu();
      const args = runc.restoreArgs(spec.name, paths.bundle, paths.pidFile, restoreFrom.images, restoreFrom.work);
      await startSupervised(this.layout, spec.name, rec.runId, args, join(restoreFrom.work, 'restore.log'));
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
   * writable layer saved after it agree; they stay frozen for the caller to resume or end.
   */
  private async dump(rec: WparRecord, dir: string, opts: CheckpointOptions): Promise<void> {
    const { spec } = rec;
    const paths = this.layout.wpar(spec.name);
    const runc = await this.withCriu();
    const wasRunning = (await this.runc.state(spec.name))?.status === 'running';
    const created = await makeStateDir(dir);
    const work = await mkdtemp(join(paths.dir, 'checkpoint-'));
    let outcome = 'failed';
    try {
      if (wasRunning) await this.runc.pause(spec.name);
      await runc.checkpoint(spec.name, criuImages(dir), work);
      if (usesOverlay(spec)) await packLayer(paths.upper, join(dir, LAYER_FILE));
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

  private async restore(rec: WparRecord, manifest: CheckpointManifest, opts: RestartOptions): Promise<void> {
    const { spec } = rec;
    const paths = this.layout.wpar(spec.name);
    if (manifest.layer) await unpackLayer(join(opts.dir, manifest.layer), paths.upper);
    await this.records.clearExit(spec.name);
    const work = await mkdtemp(join(paths.dir, 'restore-'));
    let outcome = 'failed';
    try {
      await this.launch(rec, await this.lowerRootfs(spec), { images: criuImages(opts.dir), work });
      outcome = 'done';
    } finally {
      if (opts.logFile) {
        await writeOperationLog(opts.logFile, opts.logLevel ?? 'error', `restart of ${spec.name} from ${opts.dir}: ${outcome}`, join(work, 'restore.log'));
      }
      await rm(work, { recursive: true, force: true });
    }
    // A checkpoint taken frozen comes back frozen (CRIU restores the freezer state).
    const frozen = (await this.runc.state(spec.name))?.status === 'paused';
    if (opts.paused && !frozen) await this.runc.pause(spec.name);
    if (!opts.paused && frozen) await this.runc.resume(spec.name);
    if (spec.interfaces.length > 0) await announce(netnsName(spec.name));
    rec.state = opts.paused ? 'Paused' : 'Active';
  }

  /** Ends the container and settles the WPAR: system → Defined, application → gone. */
  private async end(rec: WparRecord, graceMs: number): Promise<'gone' | void> {
    await this.endContainer(rec.spec.name, graceMs);
    await releaseResources(this.layout, this.runc, rec.spec);
    await settleEnded(this.layout, this.records, rec);
    return rec.spec.type === 'application' ? 'gone' : undefined;
  }

  /** Asks the processes to end (SIGTERM), then kills them. */
  private async endContainer(name: string, graceMs: number): Promise<void> {
    const st = await this.runc.state(name);
    if (!st || st.status === 'stopped') return;
    if (graceMs > 0 && st.status === 'running') {
      await this.runc.kill(name, 'TERM');
      if (await this.waitEnded(name, graceMs)) return;
    }
    await this.runc.kill(name, 'KILL');
    // runc thaws a frozen cgroup to deliver the signal; should it still be frozen, thaw it so the processes can die.
    if ((await this.runc.state(name))?.status === 'paused') await this.runc.resume(name);
    if (!(await this.waitEnded(name, END_TIMEOUT_MS))) throw new CapstanError('CAP-E1008', `${name} did not end`);
  }

  private async waitEnded(name: string, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const st = await this.runc.state(name);
      if (!st || st.status === 'stopped') return true;
      await sleep(20);
    }
    return false;
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

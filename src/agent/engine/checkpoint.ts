// Checkpoint and restart (chkptwpar, restartwpar, killwpar): freeze, checkpoint into a state
// directory, resume or kill the held processes, and restart from a state directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CapstanError, isCapstanError } from '../../api/errors.js';
import { run } from '../exec.js';
import { allSettledOrThrow } from './concurrently.js';
import { endWpar } from './container-end.js';
import type { EngineContext } from './context.js';
import { newRecord, normalize } from './definition.js';
import { getInfo, settledInfo, type WparInfo } from './info.js';
import { writeOperationLog, type LogLevel } from './op-log.js';
import { fresh, operate } from './operation.js';
import type { WparRecord } from './records.js';
import { restore, type RestartOptions } from './restore.js';
import { packLayer } from './rootfs.js';
import type { RuncStatus } from './runc.js';
import { checkLogFile, checkNewStateDir, criuImages, LAYER_FILE, makeStateDir, readCheckpoint, writeManifest, type CheckpointMode } from './state-dir.js';
import { settleSessions } from './sessions.js';
import { badState, mustBeCheckpointable, refusal, settledState } from './state-rules.js';
import { dropPauseCheckpoint, usesOverlay } from './teardown.js';

export interface CheckpointOptions {
  /**
   * The state directory; may be omitted for a WPAR frozen with a directory (chkptwpar -f -d),
   * and by a pause, whose checkpoint the engine then keeps until resume (WparPaths.pauseCheckpoint).
   */
  dir?: string;
  mode: CheckpointMode;
  logFile?: string;
  logLevel?: LogLevel;
  /** End the WPAR's open sessions first, telling their users this; without it they refuse the checkpoint. */
  endSessions?: string;
}

export interface RestartResult {
  info: WparInfo;
  userCommandStatus?: number;
}

/** chkptwpar -f: stops every process with the cgroup freezer, saving nothing (yet). */
export async function freeze(ctx: EngineContext, name: string, opts: { dir?: string } = {}): Promise<WparInfo> {
  const rec = await operate(ctx, name, 'freeze', async (rec) => {
    mustBeCheckpointable(rec);
    if (rec.state === 'Frozen') return 'done';
    if (refusal('freeze', rec)) throw badState(rec, 'freeze');
    if (opts.dir) await checkNewStateDir(opts.dir);
    // Frozen with a session open, its terminal would hang, and the checkpoint to follow fail.
    await settleSessions(ctx, name);
  }, async (rec) => {
    await ctx.runc.pause(name); // refuses a container that is not running: see operate
    rec.state = settledState('freeze', rec.spec);
    if (opts.dir) rec.freezeStateDir = opts.dir;
  }, { singleRuncStep: true });
  return settledInfo(ctx, name, rec, 'paused');
}

export async function checkpoint(ctx: EngineContext, name: string, opts: CheckpointOptions): Promise<WparInfo | undefined> {
  // An application WPAR that exited (its exit record kept) says so, also when it ended while this waited for its lock.
  const exited = async (e: unknown): Promise<never> => {
    if (isCapstanError(e) && e.code === 'CAP-E1000' && (await ctx.records.readExit(name))) throw new CapstanError('CAP-E1014', name);
    throw e;
  };
  let dir = opts.dir;
  const kept = ctx.layout.wpar(name).pauseCheckpoint;
  const settled = await operate(ctx, name, 'checkpoint', async (rec) => {
    mustBeCheckpointable(rec);
    if (refusal('checkpoint', rec)) throw badState(rec, 'checkpoint');
    dir ??= rec.freezeStateDir ?? (opts.mode === 'pause' ? kept : undefined);
    if (!dir) throw new CapstanError('CAP-E1003', 'no state directory given');
    if (dir !== kept) await checkNewStateDir(dir);
    if (opts.logFile) await checkLogFile(opts.logFile);
    await settleSessions(ctx, name, opts.endSessions);
  }, async (rec, status) => {
    // One left by a pause that never settled (the agent died) is replaced.
    if (dir === kept) await dropPauseCheckpoint(ctx.layout, name);
    await dump(ctx, rec, dir as string, opts, status === 'running');
    delete rec.freezeStateDir;
    if (opts.mode === 'kill') return endWpar(ctx, rec, 0, 'paused'); // dump leaves it frozen
    if (opts.mode === 'continue') await ctx.runc.resume(name);
    rec.state = opts.mode === 'pause' ? 'Paused' : 'Active';
  }).catch(exited);
  if (!settled) return undefined;
  const left: Record<CheckpointMode, RuncStatus | undefined> = { kill: undefined, pause: 'paused', continue: 'running' };
  return settledInfo(ctx, name, settled, left[opts.mode]);
}

export async function resume(ctx: EngineContext, name: string): Promise<WparInfo> {
  const rec = await operate(ctx, name, 'resume', (rec) => {
    if (refusal('resume', rec)) throw badState(rec, 'resume');
  }, async (rec) => {
    await ctx.runc.resume(name); // refuses a container that is not paused: see operate
    await dropPauseCheckpoint(ctx.layout, name);
    delete rec.freezeStateDir;
    rec.state = settledState('resume', rec.spec);
  }, { singleRuncStep: true });
  return settledInfo(ctx, name, rec, 'running');
}

/**
 * killwpar: ends the processes of a paused WPAR (like a forced stop). Not of a frozen one:
 * the seed resumes or checkpoints those, and its killwpar answers "not paused".
 */
export async function kill(ctx: EngineContext, name: string): Promise<WparInfo | undefined> {
  await operate(ctx, name, 'kill', (rec) => {
    if (refusal('endProcesses', rec)) throw badState(rec, 'kill');
  }, (rec, status) => endWpar(ctx, rec, 0, status));
  return getInfo(ctx, name);
}

/**
 * Recreates a WPAR from a state directory: into the Defined system WPAR of that name when
 * there is one, else from the spec saved with the checkpoint (so any engine root will do).
 */
export async function restart(ctx: EngineContext, name: string, opts: RestartOptions): Promise<RestartResult> {
  const manifest = await readCheckpoint(opts.dir, name);
  if (opts.logFile) await checkLogFile(opts.logFile);
  await ctx.assertPolicy(normalize(manifest.spec));
  const existing = await ctx.records.read(name);
  let rec: WparRecord | undefined;
  if (existing) {
    rec = await operate(ctx, name, 'restart', (rec) => {
      // Restarting into a WPAR starts it: the start rule says which (a Defined system WPAR).
      if (refusal('start', rec)) {
        throw new CapstanError('CAP-E1001', `${name} is ${rec.state}; only a Defined system WPAR can be restarted into`);
      }
      mustBeCheckpointable(rec);
    }, async (rec) => {
      await restore(ctx, rec, manifest, opts);
    });
  } else {
    const spec = normalize(manifest.spec);
    const made = await newRecord(ctx, spec, 'restart');
    await fresh(ctx, made, async () => {
      await restore(ctx, made, manifest, opts);
    });
    rec = made;
  }
  const result: RestartResult = { info: await settledInfo(ctx, name, rec, opts.paused ? 'paused' : 'running') };
  if (opts.paused && opts.userCommand) {
    const r = await run('/bin/sh', ['-c', `${opts.userCommand} "$1"`, 'restartwpar-user-command', name]);
    if (r.code <= 100) {
      await kill(ctx, name);
      throw new CapstanError('CAP-E1012', `${opts.userCommand} exited with ${r.code}`);
    }
    result.userCommandStatus = r.code;
  }
  return result;
}

/**
 * Writes a complete checkpoint: the processes are frozen first, so the dump and the
 * writable layer saved beside it agree; they stay frozen for the caller to resume or end.
 */
async function dump(ctx: EngineContext, rec: WparRecord, dir: string, opts: CheckpointOptions, wasRunning: boolean): Promise<void> {
  const { spec } = rec;
  const paths = ctx.layout.wpar(spec.name);
  const runc = await ctx.withCriu();
  const created = await makeStateDir(dir);
  const work = await mkdtemp(join(paths.dir, 'checkpoint-'));
  let outcome = 'failed';
  try {
    if (wasRunning) await ctx.runc.pause(spec.name);
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
    if (wasRunning) await ctx.runc.resume(spec.name).catch(() => undefined);
    throw e;
  } finally {
    if (opts.logFile) {
      await writeOperationLog(opts.logFile, opts.logLevel ?? 'error', `checkpoint of ${spec.name} to ${dir} (${opts.mode}): ${outcome}`, join(work, 'dump.log'));
    }
    await rm(work, { recursive: true, force: true });
  }
}

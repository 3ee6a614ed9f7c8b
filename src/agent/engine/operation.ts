// The frame of every engine operation on a WPAR: take its lock, observe its state, check
// (refuse, or find nothing to do), act with the WPAR Transitional, and record how it settled;
// a failure while changing an existing WPAR leaves it Broken with the reason.
import { mkdir } from 'node:fs/promises';
import { CapstanError, isCapstanError } from '../../api/errors.js';
import { endContainer } from './container-end.js';
import type { EngineContext } from './context.js';
import { isLocked, lockWithin, type Release } from './lock.js';
import { observe, recordedStatus } from './reconcile.js';
import type { WparRecord } from './records.js';
import type { RuncStatus } from './runc.js';
import { releaseResources, removeWparDir } from './teardown.js';

/** How long an operation waits for a WPAR's lock before reporting it busy. */
const LOCK_WAIT_MS = 3_000;

export type Check = (rec: WparRecord) => 'done' | void | Promise<'done' | void>;
/** Gets the container's status the operation was decided on. */
export type Act = (rec: WparRecord, status: RuncStatus | undefined) => Promise<'gone' | void>;

/** Refusals carry engine codes; anything else that escapes an operation is a runtime failure. */
export function asEngineError(e: unknown): CapstanError {
  return isCapstanError(e) ? e : new CapstanError('CAP-E1008', e instanceof Error ? e.message : String(e));
}

/** The record as observed with its container in `status` (see reconcile.ts). */
function seenAs(rec: WparRecord, status: RuncStatus | undefined): WparRecord {
  const seen = observe(rec, status, false);
  rec.state = seen.state;
  if (seen.brokenReason) rec.brokenReason = seen.brokenReason;
  return rec;
}

/** Whether a live process holds the WPAR's lock (an operation or a supervisor at work). */
export function isBusy(ctx: EngineContext, name: string): Promise<boolean> {
  return isLocked(ctx.layout.wpar(name).lock);
}

/** Takes the WPAR's lock, or refuses: unknown WPAR (CAP-E1000), or busy (CAP-E1001). */
export async function lock(ctx: EngineContext, name: string): Promise<Release> {
  // A WPAR that does not exist has no directory to lock in.
  const release = await lockWithin(ctx.layout.wpar(name).lock, LOCK_WAIT_MS).catch(() => undefined);
  if (!release) {
    if (!(await ctx.records.read(name))) throw new CapstanError('CAP-E1000', name);
    throw new CapstanError('CAP-E1001', `${name} is busy`);
  }
  return release;
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
export async function operate(
  ctx: EngineContext,
  name: string,
  operation: string,
  check: Check,
  act: Act,
  opts: { singleRuncStep?: boolean } = {},
): Promise<WparRecord | undefined> {
  const release = await lock(ctx, name);
  try {
    const saved = await ctx.records.read(name);
    if (!saved) throw new CapstanError('CAP-E1000', name);
    if (opts.singleRuncStep) {
      const settled = await onRecord(ctx, name, saved, operation, check, act);
      if (settled !== 'ask runc') return settled;
    }
    const status = (await ctx.runc.state(name))?.status;
    const rec = seenAs(saved, status);
    if ((await check(rec)) === 'done') return rec;
    return await perform(ctx, rec, operation, act, status, !opts.singleRuncStep);
  } finally {
    await release();
  }
}

/** The operation decided on the record alone (see operate); 'ask runc' when it cannot be, the record then as it was. */
async function onRecord(ctx: EngineContext, name: string, saved: WparRecord, operation: string, check: Check, act: Act): Promise<WparRecord | undefined | 'ask runc'> {
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
      misread = (await ctx.runc.state(name))?.status !== recorded;
      throw e;
    }
  };
  try {
    return await perform(ctx, rec, operation, confirmed, recorded, false);
  } catch (e) {
    if (!misread) throw e;
    await ctx.records.write(saved);
    return 'ask runc';
  }
}

/**
 * Runs `act` with the WPAR Transitional (recorded first where a crash could otherwise not be
 * told apart: see operate) and records how it settled (undefined: gone); a failure leaves it
 * Broken with the reason.
 */
async function perform(ctx: EngineContext, rec: WparRecord, operation: string, act: Act, status: RuncStatus | undefined, recordTransitional = true): Promise<WparRecord | undefined> {
  rec.state = 'Transitional';
  rec.operation = operation;
  if (recordTransitional) await ctx.records.write(rec);
  try {
    if ((await act(rec, status)) === 'gone') return undefined;
    delete rec.operation;
    delete rec.brokenReason;
    if (rec.state === 'Transitional') throw new Error(`${operation} did not settle the state`);
    await ctx.records.write(rec);
    return rec;
  } catch (e) {
    const err = asEngineError(e);
    rec.state = 'Broken';
    rec.brokenReason = `${operation}: ${err.message}`;
    delete rec.operation;
    await ctx.records.write(rec);
    throw err;
  }
}

/** Makes a new WPAR under its lock; on failure removes every trace of it. */
export async function fresh(ctx: EngineContext, rec: WparRecord, act: () => Promise<void>): Promise<void> {
  const { spec } = rec;
  const paths = ctx.layout.wpar(spec.name);
  await mkdir(paths.dir, { recursive: true });
  const release = await lockWithin(paths.lock, LOCK_WAIT_MS);
  if (!release) throw new CapstanError('CAP-E1001', `${spec.name} is being created`);
  try {
    await ctx.records.clearExit(spec.name);
    await ctx.records.write(rec);
    await act();
    delete rec.operation;
    await ctx.records.write(rec);
  } catch (e) {
    await ctx.runc.state(spec.name).then((st) => endContainer(ctx, spec.name, 0, rec.runId, st?.status)).catch(() => undefined);
    await releaseResources(ctx.layout, ctx.runc, spec).catch(() => undefined);
    await removeWparDir(ctx.layout, spec.name);
    throw asEngineError(e);
  } finally {
    await release();
  }
}

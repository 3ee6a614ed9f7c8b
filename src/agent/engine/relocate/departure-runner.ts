// The departure's `runc checkpoint`, run in a detached shell that outlives the agent and
// reports through files in the WPAR's relocation directory, and the waits on it.
import { stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { CapstanError } from '../../../api/errors.js';
import type { DepartureRecord } from '../records.js';
import { tail } from '../start-supervised.js';
import { waitInDir } from '../wait.js';
import { detachedAlive, exitStatusIn, killDetached, spawnDetached } from './detached.js';
import type { PageEndpoint } from './transport.js';

/** Files of the detached `runc checkpoint` in the relocation directory. */
const RUNNER = 'capstan-departure';
const STATUS = 'checkpoint-status.json';
const READY = 'pages-served-from-here';
const RUNC_LOG = 'checkpoint.log';
/** A dump of a large WPAR to a slow page server may take minutes; one that takes longer is stuck. */
export const DUMP_TIMEOUT_MS = 30 * 60_000;
/** How long an aborted post-copy may take to let go of its processes before CRIU is killed. */
export const LET_GO_MS = 10_000;
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

/**
 * Starts `runc args…` detached in `work`; where runc does not hand CRIU its configuration
 * (see criuConfigByRunc), CRIU finds `criuConfig` through $CRIU_CONFIG_FILE. Returns its pid.
 */
export function spawnCheckpoint(work: string, args: string[], criuConfig?: string): number {
  return spawnDetached(RUNNER, RUNNER_SCRIPT, args, {
    CAPSTAN_READY: join(work, READY),
    CAPSTAN_LOG: join(work, RUNC_LOG),
    CAPSTAN_STATUS: join(work, STATUS),
    ...(criuConfig ? { CRIU_CONFIG_FILE: criuConfig } : {}),
  });
}

/**
 * Makes CRIU give the processes back. Mid-dump it must finish by itself: killed there, it
 * could leave its parasite in a process. Post-copy, it then waits for the arrival's first
 * request: a connection that ends at once closes its session, and it leaves the processes as
 * they were. Should the arrival be fetching already, or CRIU not end, CRIU is killed: its
 * dump is done, so it only holds the frozen processes.
 */
export async function letGo(work: string, dep: DepartureRecord): Promise<void> {
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
export async function dumpDone(work: string, dep: DepartureRecord, ms: number): Promise<void> {
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
export async function checkpointEnds(work: string, dep: DepartureRecord, ms: number): Promise<boolean> {
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

/** Ends the departure's runc checkpoint if it still runs (its WPAR is being removed). */
export async function stopCheckpoint(dep: DepartureRecord): Promise<void> {
  if (dep.pid && (await detachedAlive(dep.pid, RUNNER))) killDetached(dep.pid);
}

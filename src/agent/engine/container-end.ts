// Ending a WPAR's container: asked to end (SIGTERM), then killed, and the WPAR settled.
import { CapstanError } from '../../api/errors.js';
import type { EngineContext } from './context.js';
import type { WparRecord } from './records.js';
import type { RuncStatus } from './runc.js';
import { supervisorStatus } from './start-supervised.js';
import { releaseResources, settleEnded } from './teardown.js';
import { waitInDir } from './wait.js';

const END_TIMEOUT_MS = 15_000;
/** A container's end is reported by its supervisor at once; runc is asked this often in case there is none. */
const END_POLL_MS = 100;

/** Ends the container (in `status`, as the operation found it) and settles the WPAR: system → Defined, application → gone. */
export async function endWpar(ctx: EngineContext, rec: WparRecord, graceMs: number, status: RuncStatus | undefined): Promise<'gone' | void> {
  await endContainer(ctx, rec.spec.name, graceMs, rec.runId, status);
  await releaseResources(ctx.layout, ctx.runc, rec.spec);
  await settleEnded(ctx.layout, ctx.records, rec);
  return rec.spec.type === 'application' ? 'gone' : undefined;
}

/** Asks the processes of the container of run `runId`, in `status`, to end (SIGTERM), then kills them. */
export async function endContainer(ctx: EngineContext, name: string, graceMs: number, runId: string | undefined, status: RuncStatus | undefined): Promise<void> {
  if (!status || status === 'stopped') return;
  if (graceMs > 0 && status === 'running') {
    await ctx.runc.kill(name, 'TERM');
    if (await waitEnded(ctx, name, runId, graceMs)) return;
  }
  await ctx.runc.kill(name, 'KILL');
  if (!(await waitEnded(ctx, name, runId, END_TIMEOUT_MS))) throw new CapstanError('CAP-E1008', `${name} did not end`);
}

/** Whether the container ended within `ms`: its supervisor says so at once; runc is asked now and then, in case none will. */
async function waitEnded(ctx: EngineContext, name: string, runId: string | undefined, ms: number): Promise<boolean> {
  const ended = await waitInDir(ctx.layout.wpar(name).dir, ms, END_POLL_MS, async (polled) => {
    if (runId && (await supervisorStatus(ctx.layout, name, runId))) return true;
    if (!polled) return undefined;
    const st = await ctx.runc.state(name);
    if (!st || st.status === 'stopped') return true;
    // runc thaws a frozen cgroup to deliver a signal; should it still be frozen, thaw it so the processes can die.
    if (st.status === 'paused') await ctx.runc.resume(name);
    return undefined;
  });
  return ended ?? false;
}

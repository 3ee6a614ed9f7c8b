// The post-copy part of a relocation's arrival (the handshake is in transport.ts): the
// lazy-pages daemon that fetches the memory from the departure while the WPAR already runs
// here. The restore itself is restore.ts's, started by arrival.ts.
//
// The daemon runs in a detached shell that outlives the agent; when it ends, that shell
// writes its exit status and runs pages-reaper.ts, which records that all memory came, or
// stops the WPAR as Broken when it stopped coming: with pages missing it can only go wrong.
// An engine waiting for the memory (pagesArrived) does the same as soon as it sees the
// status, whichever comes first.
import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CapstanError } from '../../../api/errors.js';
import { processAlive } from '../../exec.js';
import { findCriu } from '../criu.js';
import type { Layout } from '../layout.js';
import { waitLock } from '../lock.js';
import { RecordStore, type WparRecord } from '../records.js';
import { Runc } from '../runc.js';
import { engineScript, tail } from '../start-supervised.js';
import { waitInDir } from '../wait.js';
import { exitStatusIn, killDetached, spawnDetached } from './detached.js';
import { validateEndpoint, type PageEndpoint } from './transport.js';

const LAZY_RUNNER = 'capstan-lazy-pages';
const LAZY_READY = 'lazy-pages-ready';
const LAZY_STATUS = 'lazy-pages-status.json';
const LAZY_LOG = 'lazy-pages.log';
/** The daemon only reads a few images before it listens. */
const LAZY_START_MS = 30_000;
const POLL_MS = 200;

/**
 * `criu lazy-pages …` (the arguments after the reaper's), with its status fd 3 on
 * $CAPSTAN_READY; once it ends, its exit status goes to $CAPSTAN_STATUS and to the reaper
 * (the first $1 arguments).
 */
const LAZY_SCRIPT = `
reaper=("\${@:2:$1}"); shift "$(($1 + 1))"
"$@" 3>"$CAPSTAN_READY"
status=$?
printf '%d\\n' "$status" > "$CAPSTAN_STATUS"
exec "\${reaper[@]}" "$status"
`;

/**
 * Starts the lazy-pages daemon that serves the restore waiting in `work` from the departure
 * at `source`, recorded in `rec` (written) so that its reaper finds the WPAR. Resolves once
 * it listens for the restore, with what tells why the restore will never complete (the
 * daemon ended before it).
 */
export async function startLazyPages(layout: Layout, records: RecordStore, rec: WparRecord, images: string, work: string, source: PageEndpoint): Promise<() => Promise<string | undefined>> {
  validateEndpoint(source, 'pageSource');
  const criu = (await findCriu()).path;
  const token = randomUUID();
  rec.arrivingPages = { token, pid: 0 };
  await records.write(rec);
  const reaper = engineScript('relocate/pages-reaper', [layout.root, rec.spec.name, token]);
  const ready = join(work, LAZY_READY);
  rec.arrivingPages.pid = spawnDetached(LAZY_RUNNER, LAZY_SCRIPT, [
    String(reaper.length), ...reaper,
    criu, 'lazy-pages', '--page-server', '--address', source.host, '--port', String(source.port),
    '--images-dir', images, '--work-dir', work, '-o', LAZY_LOG, '--status-fd', '3',
  ], { CAPSTAN_READY: ready, CAPSTAN_STATUS: join(work, LAZY_STATUS), CAPSTAN_ENGINE_SCOPE: layout.scope });
  await records.write(rec);
  const { pid } = rec.arrivingPages;
  const listening = await waitInDir(work, LAZY_START_MS, POLL_MS, async () => {
    if (((await stat(ready).catch(() => undefined))?.size ?? 0) > 0) return true;
    return processAlive(pid) ? undefined : false;
  });
  if (!listening) {
    stopLazyPages(rec);
    throw new CapstanError('CAP-E1009', `criu lazy-pages did not start: ${await tail(join(work, LAZY_LOG), 5)}`);
  }
  return async () => {
    const status = await exitStatusIn(join(work, LAZY_STATUS));
    return status === undefined ? undefined : `criu lazy-pages ended (status ${status}) before the restore did: ${await tail(join(work, LAZY_LOG), 3)}`;
  };
}

/** Ends a lazy-pages daemon whose restore will not come (its reaper does not run). */
export function stopLazyPages(rec: WparRecord): void {
  if (rec.arrivingPages?.pid) killDetached(rec.arrivingPages.pid);
  delete rec.arrivingPages;
}

/**
 * Resolves once all memory came; rejects when the WPAR was stopped Broken for want of it, or
 * went away. Settles the record itself as soon as the daemon's status is there.
 */
export async function pagesArrived(layout: Layout, records: RecordStore, name: string, token: string): Promise<void> {
  const paths = layout.wpar(name);
  for (;;) {
    const outcome = await waitInDir(paths.relocation, 60_000, POLL_MS, async (polled) => {
      const rec = await records.read(name);
      if (!rec) return `${name} went away`;
      const pending = rec.arrivingPages?.token === token ? rec.arrivingPages : undefined;
      if (!pending) return rec.state === 'Broken' ? (rec.brokenReason ?? 'Broken') : 'done';
      const status = await exitStatusIn(join(paths.relocation, LAZY_STATUS));
      if (status !== undefined) {
        await settleArrival(layout, name, token, status);
        return undefined;
      }
      // The daemon's shell writes the status, then becomes its reaper (same pid).
      if (polled && !processAlive(pending.pid)) return `the lazy-pages daemon of ${name} vanished without a report`;
      return undefined;
    });
    if (outcome === 'done') return;
    if (outcome !== undefined) throw new CapstanError('CAP-E1009', outcome);
  }
}

/**
 * Records how the memory transfer of the arrival `token` ended (the daemon's exit status):
 * all memory came, or the WPAR is stopped as Broken. Done by whoever sees it first: the
 * daemon's reaper or an engine waiting for the memory; a no-op for the other.
 */
export async function settleArrival(layout: Layout, name: string, token: string, status: number): Promise<void> {
  const records = new RecordStore(layout);
  const paths = layout.wpar(name);
  let release;
  try {
    release = await waitLock(paths.lock);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // the WPAR was removed meanwhile
    throw e;
  }
  try {
    const rec = await records.read(name);
    if (rec?.arrivingPages?.token !== token) return;
    delete rec.arrivingPages;
    if (status === 0) {
      await records.write(rec);
      await rm(paths.relocation, { recursive: true, force: true });
      return;
    }
    // Faults on the pages that never came would now read zeros: the WPAR must not run on.
    rec.state = 'Broken';
    rec.brokenReason = `post-copy: its memory stopped coming from the departure host before all of it arrived (criu lazy-pages exited with ${status}: ${await tail(join(paths.relocation, LAZY_LOG), 2)}); it was stopped, since it could only run on with pages missing`;
    // Its supervisor then leaves the end of the container to this record.
    delete rec.runId;
    delete rec.operation;
    await records.write(rec);
    await new Runc(layout.runcRoot).kill(name, 'KILL').catch(() => undefined);
  } finally {
    await release();
  }
}

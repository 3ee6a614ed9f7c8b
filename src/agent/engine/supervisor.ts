// The last part of a WPAR run's supervisor (see start-supervised.ts): the supervising shell
// runs it once runc has ended, to settle the WPAR.
//
//   node supervisor.js <engineRoot> <wparName> <runId> <runc's exit status> [locked]
//
// The engine's scope comes in $CAPSTAN_ENGINE_SCOPE.
// "locked": the shell took the WPAR's lock for this process already.
import { Layout } from './layout.js';
import { heldLock, waitLock } from './lock.js';
import { RecordStore } from './records.js';
import { Runc } from './runc.js';
import { releaseResources, settleEnded } from './teardown.js';

async function main(): Promise<void> {
  const [root, name, runId, status, locked] = process.argv.slice(2);
  if (!root || !name || !runId || !status) throw new Error('usage: supervisor <root> <name> <runId> <status> [locked]');
  await reap(new Layout(root, process.env.CAPSTAN_ENGINE_SCOPE ?? ''), name, runId, Number(status), locked === 'locked');
}

/** Settles the WPAR after its container ended, unless an engine operation already did (another runId). */
async function reap(layout: Layout, name: string, runId: string, status: number, locked: boolean): Promise<void> {
  const records = new RecordStore(layout);
  const lock = layout.wpar(name).lock;
  let release;
  try {
    release = locked ? heldLock(lock) : await waitLock(lock);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // the WPAR was removed meanwhile
    throw e;
  }
  try {
    const rec = await records.read(name);
    if (!rec || rec.runId !== runId) return;
    await releaseResources(layout, new Runc(layout.runcRoot), rec.spec);
    await settleEnded(layout, records, rec, { status });
  } finally {
    await release();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

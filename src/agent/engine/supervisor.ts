// The supervisor of one WPAR run: a detached process (its own session) that runs
// `runc run` or `runc restore` in the foreground, so that someone waits for the WPAR's
// command and learns its exit status, even when the process that started it is gone.
//
//   node supervisor.js <engineRoot> <wparName> <runId> <runc arguments…>
//
// The container's stdin/stdout/stderr are real pipes (made by bash): runc records them at
// checkpoint and CRIU can reattach pipes at restore, which it cannot do for the socket
// pairs Node would make. Output is appended to the WPAR's output.log.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { Layout } from './layout.js';
import { writeJsonAtomic } from './json-file.js';
import { waitLock } from './lock.js';
import { RecordStore } from './records.js';
import { Runc } from './runc.js';
import { releaseResources, settleEnded } from './teardown.js';

const PIPELINE = ': | runc "$@" 2>&1 | cat >> "$CAPSTAN_OUTPUT"; exit "${PIPESTATUS[1]}"';

async function main(): Promise<void> {
  const [root, name, runId, ...runcArgs] = process.argv.slice(2);
  if (!root || !name || !runId || runcArgs.length === 0) throw new Error('usage: supervisor <root> <name> <runId> <runc args…>');
  const layout = new Layout(root);
  const paths = layout.wpar(name);

  const child = spawn('bash', ['-c', PIPELINE, 'capstan-supervisor', ...runcArgs], {
    stdio: 'ignore',
    env: { ...process.env, CAPSTAN_OUTPUT: paths.output },
  });
  const status = await new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
  await writeJsonAtomic(paths.supervisorStatus, { runId, status }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e; // an engine operation already removed the WPAR
  });
  await reap(layout, name, runId, status);
}

/** Settles the WPAR after its container ended, unless an engine operation already did (another runId). */
async function reap(layout: Layout, name: string, runId: string, status: number): Promise<void> {
  const records = new RecordStore(layout);
  let release;
  try {
    release = await waitLock(layout.wpar(name).lock);
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

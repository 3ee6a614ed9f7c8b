// Starts a supervisor (supervisor.ts) for a WPAR run and waits until runc reports the
// container's process started, or the run failed before that.
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { extname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CapstanError } from '../../api/errors.js';
import { readJsonIfExists } from './json-file.js';
import type { Layout } from './layout.js';

// Restoring hundreds of MiB can take a while; a stuck runc must not hang the engine forever.
const START_TIMEOUT_MS = 120_000;

/** Under tsx (tests, benchmarks) the supervisor is a .ts file and node needs the loader. */
function supervisorCommand(): string[] {
  const ext = extname(fileURLToPath(import.meta.url));
  const script = fileURLToPath(new URL(`./supervisor${ext}`, import.meta.url));
  return ext === '.ts' ? ['--import', 'tsx', script] : [script];
}

async function tail(path: string, lines = 12): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Runs `runc <runcArgs>` under a new detached supervisor. Resolves once the container's
 * process exists (the pid file runc writes); throws CAP-E1008 with runc's (and, when given,
 * CRIU's) last words when it ended before that.
 */
export async function startSupervised(
  layout: Layout,
  name: string,
  runId: string,
  runcArgs: string[],
  criuLog?: string,
): Promise<void> {
  const paths = layout.wpar(name);
  await Promise.all([rm(paths.pidFile, { force: true }), rm(paths.supervisorStatus, { force: true })]);
  const child = spawn(process.execPath, [...supervisorCommand(), layout.root, name, runId, ...runcArgs], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if ((await readFile(paths.pidFile, 'utf8').catch(() => '')).trim()) return;
    const ended = await readJsonIfExists<{ runId: string; status: number }>(paths.supervisorStatus);
    if (ended?.runId === runId) {
      const why = [await tail(paths.output), criuLog ? await tail(criuLog) : ''].filter(Boolean).join('\n');
      throw new CapstanError('CAP-E1008', `${name} did not start (status ${ended.status}): ${why}`);
    }
    await sleep(10);
  }
  throw new CapstanError('CAP-E1008', `${name} did not start within ${START_TIMEOUT_MS / 1000} s`);
}

// Scripts that outlive the agent (a departure's runc checkpoint, an arrival's lazy-pages
// daemon): started in a session of their own, they report through files.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { CapstanError } from '../../../api/errors.js';
import { processAlive } from '../../exec.js';
import { readJsonIfExists } from '../json-file.js';

/**
 * Starts `bash -c script name args…` in a session of its own that outlives the agent; the
 * script reports through files. Resolves with its pid (= its process group).
 */
export function spawnDetached(name: string, script: string, args: string[], env: NodeJS.ProcessEnv): number {
  const child = spawn('bash', ['-c', script, name, ...args], { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
  child.unref();
  if (!child.pid) throw new CapstanError('CAP-E1008', `could not start ${name}`);
  return child.pid;
}

/** Whether the detached script `name` started as `pid` still runs (not another process that took its pid). */
export async function detachedAlive(pid: number, name: string): Promise<boolean> {
  if (!processAlive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').includes(name);
}

/** Kills a detached script and everything it started (its process group). */
export function killDetached(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The exit status a detached script wrote to `file`, undefined while it has not. */
export async function exitStatusIn(file: string): Promise<number | undefined> {
  const s = await readJsonIfExists<number>(file).catch(() => undefined);
  return typeof s === 'number' ? s : undefined;
}

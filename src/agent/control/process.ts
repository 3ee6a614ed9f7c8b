// The agent as a background process: its pid file, start (detached, logging to its
// directory), stop, and the status file the running agent keeps up to date.
import { spawn } from 'node:child_process';
import { openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CapstanError } from '../../api/errors.js';
import { processAlive } from '../exec.js';
import type { AgentFiles } from './config.js';

export interface AgentStatus {
  pid: number;
  /** connected: the control channel is up; revoked: the manager refused this agent's certificate. */
  channel: 'connecting' | 'connected' | 'revoked';
  since: string;
  lastError?: string;
  /** Reports waiting for the manager. */
  buffered: number;
}

export function runningPid(files: AgentFiles): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(files.pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
}

export function writeStatus(files: AgentFiles, status: AgentStatus): void {
  const file = join(files.dir, 'status.json');
  writeFileSync(`${file}.tmp`, JSON.stringify(status));
  renameSync(`${file}.tmp`, file);
}

export function readStatus(files: AgentFiles): AgentStatus | undefined {
  try {
    return JSON.parse(readFileSync(join(files.dir, 'status.json'), 'utf8')) as AgentStatus;
  } catch {
    return undefined;
  }
}

/** Starts `capstan agent run` in the background with this agent directory; resolves once it runs. */
export async function startAgentProcess(files: AgentFiles): Promise<number> {
  files.settings();
  const running = runningPid(files);
  if (running !== undefined) throw new CapstanError('CAP-E0608', `pid ${running}`);
  const log = openSync(files.logFile, 'a', 0o600);
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'agent', 'run'], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, CAPSTAN_AGENT_DIR: files.dir },
  });
  child.unref();
  // A minute: an agent starting on a loaded host (its TypeScript loaded, its slice enforced) may take a while.
  for (let i = 0; i < 600; i++) {
    if (runningPid(files) === child.pid) return child.pid!;
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  throw new CapstanError('CAP-E0609', `it did not start: see ${files.logFile}`);
}

/** Stops the running agent (SIGTERM, then SIGKILL after the grace period). WPARs keep running. */
export async function stopAgentProcess(files: AgentFiles, graceMs = 15_000): Promise<number> {
  const pid = runningPid(files);
  if (pid === undefined) throw new CapstanError('CAP-E0609');
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processAlive(pid) && Date.now() < deadline) await sleep(100);
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  while (processAlive(pid)) await sleep(50);
  rmSync(files.pidFile, { force: true });
  return pid;
}

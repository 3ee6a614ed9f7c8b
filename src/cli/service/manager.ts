// The manager as a service: `capstan manager start|stop|restart|status`. Through systemd when
// its unit is installed for the data directory (and systemd runs); otherwise on its own: the
// manager is started detached, logging to <data-dir>/manager.log, and found again by the pid
// file it keeps in its data directory (manager.pid) and the record of where it answers
// (manager.run.json). Either way, start waits until the HTTPS port answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CapstanError } from '../../api/errors.js';
import { API_PREFIX } from '../../api/paths.js';
import { processAlive } from '../../agent/exec.js';
import { recordedDatabase, shownDatabase } from '../../manager/config.js';
import { readRunRecord, runningManager, type RunRecord } from '../../manager/pidfile.js';
import { formatUptime, logTail } from './show.js';
import { systemctl, unitMainPid } from './systemd.js';
import { MANAGER_STOP_SECONDS, MANAGER_UNIT } from './units.js';

/** How long start waits for the manager to answer (a first start migrates and makes its keys). */
export const START_LIMIT_MS = 90_000;
/** How long stop waits after SIGTERM before SIGKILL (systemd's own limit is the same). */
export const STOP_LIMIT_MS = MANAGER_STOP_SECONDS * 1000;
/** Lines of the log shown when the manager did not start. */
const TAIL_LINES = 20;

export const managerLog = (dataDir: string): string => join(dataDir, 'manager.log');

export interface ManagerStatus {
  state: 'running' | 'starting' | 'stopped';
  pid: number | null;
  url: string | null;
  startedAt: string | null;
  uptimeSeconds: number | null;
  /** The database it runs with (or, stopped, the one it last ran with), without a password. */
  database: string | null;
  dbKind: string | null;
  dataDir: string;
  log: string;
  /** How it is started and stopped here. */
  service: 'systemd' | 'pid-file';
  /** Inside `capstan up` (with the local agent), not `capstan manager run`. */
  up: boolean;
}

export function managerStatus(dataDir: string, systemd: boolean, now = Date.now()): ManagerStatus {
  const pid = runningManager(dataDir);
  const record = pid !== undefined ? readRunRecord(dataDir, pid) : undefined;
  let database: string | null = record?.database ?? null;
  if (!record) {
    try {
      const last = recordedDatabase(dataDir);
      database = last ? shownDatabase(last.location) : null;
    } catch {
      database = null;
    }
  }
  return {
    state: pid === undefined ? 'stopped' : record ? 'running' : 'starting',
    pid: pid ?? null,
    url: record?.url ?? null,
    startedAt: record?.startedAt ?? null,
    uptimeSeconds: record ? Math.max(0, Math.round((now - Date.parse(record.startedAt)) / 1000)) : null,
    database,
    dbKind: record?.dbKind ?? null,
    dataDir,
    log: managerLog(dataDir),
    service: systemd ? 'systemd' : 'pid-file',
    up: record ? record.args === null : false,
  };
}

export function statusFields(s: ManagerStatus): [string, string][] {
  return [
    ['manager', s.state === 'stopped' ? 'stopped' : `${s.state} (pid ${s.pid}${s.up ? ', inside capstan up' : ''})`],
    ...(s.url ? [['url', s.url] as [string, string]] : []),
    ...(s.uptimeSeconds !== null ? [['uptime', formatUptime(s.uptimeSeconds)] as [string, string]] : []),
    ['database', s.database ? `${s.database}${s.dbKind ? ` (${s.dbKind})` : s.state === 'stopped' ? ' (the one it last ran with)' : ''}` : '-'],
    ['data dir', s.dataDir],
    ['log', s.log],
    ['service', s.service === 'systemd' ? `systemd (${MANAGER_UNIT})` : 'pid file (manager.pid in the data directory)'],
  ];
}

/** Whether the manager of this record answers on its HTTPS port (its health route). */
export function answers(r: RunRecord, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({
      host: r.localAddress, port: r.port, path: `${API_PREFIX}/health`, method: 'GET',
      // Only whether it answers: its certificate is checked by the commands that talk to it.
      rejectUnauthorized: false, timeout: timeoutMs,
    }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** The log from `offset` on: what this start wrote. */
function logSince(file: string, offset: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = statSync(file).size;
    const from = Math.max(offset, size - 64 * 1024);
    const buf = Buffer.alloc(Math.max(0, size - from));
    readSync(fd, buf, 0, buf.length, from);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export interface Started {
  pid: number;
  url: string;
  log: string;
}

/**
 * Starts the manager in the background and resolves once its HTTPS port answers; CAP-E1035
 * with the end of its log if it exits first or does not answer within START_LIMIT_MS.
 */
export async function startManagerService(o: { dataDir: string; runArgs: string[]; systemd: boolean }): Promise<Started> {
  const running = runningManager(o.dataDir);
  if (running !== undefined) {
    const r = readRunRecord(o.dataDir, running);
    throw new CapstanError('CAP-E1033', `pid ${running}${r ? `, ${r.url}` : ''} (${o.dataDir})`);
  }
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const log = managerLog(o.dataDir);
  const offset = sizeOf(log);
  let child: ChildProcess | undefined;
  if (o.systemd) {
    await systemctl('start', MANAGER_UNIT);
  } else {
    const fd = openSync(log, 'a', 0o600);
    try {
      child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'manager', 'run', ...o.runArgs], {
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    child.unref();
  }
  const failed = (why: string): CapstanError => {
    const tail = logTail(logSince(log, offset), TAIL_LINES);
    return new CapstanError('CAP-E1035', `${why}; ${tail.length ? `the end of ${log}:\n  ${tail.join('\n  ')}` : `${log} says nothing`}`);
  };
  const deadline = Date.now() + START_LIMIT_MS;
  while (Date.now() < deadline) {
    const pid = runningManager(o.dataDir);
    const record = pid !== undefined ? readRunRecord(o.dataDir, pid) : undefined;
    if (record && (child === undefined || record.pid === child.pid) && (await answers(record))) return { pid: record.pid, url: record.url, log };
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw failed(`it exited (${child.exitCode !== null ? `status ${child.exitCode}` : child.signalCode})`);
    }
    if (o.systemd && pid === undefined && (await systemctl('is-failed', MANAGER_UNIT).then(() => true, () => false))) {
      throw failed(`${MANAGER_UNIT} failed (systemctl status ${MANAGER_UNIT})`);
    }
    await sleep(200);
  }
  const pid = child?.pid ?? runningManager(o.dataDir);
  throw failed(`it did not answer within ${START_LIMIT_MS / 1000} s${pid !== undefined && processAlive(pid) ? ` (it still runs as pid ${pid}: capstan manager stop ends it)` : ''}`);
}

/**
 * Stops the manager: SIGTERM (it stops cleanly: tasks under way resume at its next start),
 * then SIGKILL if it has not ended within STOP_LIMIT_MS. CAP-E1034 if none runs.
 */
export async function stopManagerService(o: { dataDir: string; systemd: boolean; onKill?: (pid: number) => void; limitMs?: number }): Promise<{ pid: number; killed: boolean }> {
  const pid = runningManager(o.dataDir);
  if (pid === undefined) throw new CapstanError('CAP-E1034', o.dataDir);
  if (o.systemd && (await unitMainPid(MANAGER_UNIT)) === pid) {
    // systemd signals it, waits its own limit (the same) and kills it if need be.
    await systemctl('stop', MANAGER_UNIT);
    while (processAlive(pid)) await sleep(100);
    return { pid, killed: false };
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + (o.limitMs ?? STOP_LIMIT_MS);
  while (processAlive(pid) && Date.now() < deadline) await sleep(100);
  if (!processAlive(pid)) return { pid, killed: false };
  o.onKill?.(pid);
  process.kill(pid, 'SIGKILL');
  while (processAlive(pid)) await sleep(50);
  return { pid, killed: true };
}

// systemd, where it runs: whether it does (it is PID 1: /run/systemd/system exists), whether
// a Capstan unit is installed for a given directory, and systemctl.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CapstanError } from '../../api/errors.js';
import { run } from '../../agent/exec.js';
import { AGENT_UNIT, agentUnit, MANAGER_UNIT, managerUnit, UNIT_DIR, unitEnvironment } from './units.js';

export function systemdRuns(): boolean {
  return existsSync('/run/systemd/system');
}

/** Whether `unit` is installed and runs on `dir` (given to it by the environment variable `env`). */
export function unitServes(unit: string, env: string, dir: string): boolean {
  let text: string;
  try {
    text = readFileSync(join(UNIT_DIR, unit), 'utf8');
  } catch {
    return false;
  }
  const served = unitEnvironment(text, env);
  return served !== undefined && resolve(served) === resolve(dir);
}

/** Whether the manager on `dataDir` is started and stopped through systemd here. */
export function managerUnitFor(dataDir: string): boolean {
  return systemdRuns() && unitServes(MANAGER_UNIT, 'CAPSTAN_DATA_DIR', dataDir);
}

/** Whether the agent in `agentDir` is started and stopped through systemd here. */
export function agentUnitFor(agentDir: string): boolean {
  return systemdRuns() && unitServes(AGENT_UNIT, 'CAPSTAN_AGENT_DIR', agentDir);
}

/** `systemctl ARGS`; CAP-E1036 with its message if it fails. */
export async function systemctl(...args: string[]): Promise<string> {
  const r = await run('systemctl', args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new CapstanError('CAP-E1036', `systemctl ${args.join(' ')}: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
  return r.stdout;
}

/** The unit's main process, if it runs. */
export async function unitMainPid(unit: string): Promise<number | undefined> {
  const out = await systemctl('show', '--property=MainPID', '--value', unit).catch(() => '0');
  const pid = Number(out.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Writes both units for these directories (the data directory and agent directory made if
 * missing: systemd opens their log files) and has systemd read them. Neither is enabled or
 * started here: `capstan manager start`, or `systemctl enable --now capstan-manager`, does that.
 */
export async function installUnits(o: { node: string; cli: string; dataDir: string; agentDir: string }): Promise<string[]> {
  if (!systemdRuns()) throw new CapstanError('CAP-E1037');
  const written: string[] = [];
  for (const [unit, text, dir] of [
    [MANAGER_UNIT, managerUnit({ node: o.node, cli: o.cli, dataDir: o.dataDir }), o.dataDir],
    [AGENT_UNIT, agentUnit({ node: o.node, cli: o.cli, agentDir: o.agentDir }), o.agentDir],
  ] as const) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(UNIT_DIR, unit);
    let old = '';
    try {
      old = readFileSync(file, 'utf8');
    } catch {
      // not installed yet
    }
    if (old === text) continue;
    writeFileSync(`${file}.tmp`, text, { mode: 0o644 });
    renameSync(`${file}.tmp`, file);
    written.push(file);
  }
  if (written.length > 0) await systemctl('daemon-reload');
  return written;
}

// The systemd units of the manager and the agent, as text: pure, so what they say is tested
// without systemd. `capstan manager install-units` (run by scripts/setup.sh where systemd
// runs) writes them; `capstan manager start` and `capstan agent start` use them when one is
// installed for the data (agent) directory they are asked about.
import { isAbsolute } from 'node:path';

export const MANAGER_UNIT = 'capstan-manager.service';
export const AGENT_UNIT = 'capstan-agent.service';
/** Where the units are installed. */
export const UNIT_DIR = '/etc/systemd/system';
/** How long systemd lets the manager stop cleanly before it kills it (its tasks resume at the next start). */
export const MANAGER_STOP_SECONDS = 60;
/** How long systemd lets the agent stop (its WPARs keep running either way). */
export const AGENT_STOP_SECONDS = 30;

/**
 * The paths a unit names are written as they are: no quoting, no escaping, so none may hold
 * anything systemd would read differently (spaces, quotes, %, $, backslashes).
 */
const PLAIN_PATH = /^\/[A-Za-z0-9._/@+,~-]*$/;

export function checkUnitPath(path: string, what: string): string {
  if (!isAbsolute(path) || !PLAIN_PATH.test(path)) {
    throw new Error(`${what} ${JSON.stringify(path)} cannot be written into a systemd unit: it must be an absolute path of letters, digits and . _ / @ + , ~ - only`);
  }
  return path;
}

export interface UnitPaths {
  /** The node binary. */
  node: string;
  /** The built CLI (dist/cli/main.js). */
  cli: string;
}

function header(): string {
  return '# Written by `capstan manager install-units` (scripts/setup.sh): it is rewritten there, edit a drop-in instead.\n';
}

/** The manager's unit: `capstan manager run` on this data directory (its options in <data-dir>/manager.json). */
export function managerUnit(p: UnitPaths & { dataDir: string }): string {
  const node = checkUnitPath(p.node, 'the node binary');
  const cli = checkUnitPath(p.cli, 'the capstan CLI');
  const dataDir = checkUnitPath(p.dataDir, 'the data directory');
  return header() + `[Unit]
Description=Capstan manager (HTTPS API, task engine, web console)
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
Type=simple
Environment=CAPSTAN_DATA_DIR=${dataDir}
ExecStart=${node} ${cli} manager run
StandardOutput=append:${dataDir}/manager.log
StandardError=inherit
UMask=0077
# SIGTERM stops it cleanly (tasks under way resume at the next start); after this it is killed.
KillMode=mixed
TimeoutStopSec=${MANAGER_STOP_SECONDS}
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
`;
}

/** The agent's unit: `capstan agent run` on this agent directory, once it is configured. */
export function agentUnit(p: UnitPaths & { agentDir: string }): string {
  const node = checkUnitPath(p.node, 'the node binary');
  const cli = checkUnitPath(p.cli, 'the capstan CLI');
  const agentDir = checkUnitPath(p.agentDir, 'the agent directory');
  return header() + `[Unit]
Description=Capstan agent (this host's WPARs, for its manager)
After=network-online.target
Wants=network-online.target
ConditionPathExists=${agentDir}/agent.json

[Service]
Type=simple
Environment=CAPSTAN_AGENT_DIR=${agentDir}
ExecStart=${node} ${cli} agent run
ExecReload=/bin/kill -HUP $MAINPID
StandardOutput=append:${agentDir}/agent.log
StandardError=inherit
# Only the agent is stopped: the WPARs it started keep running (as with capstan agent stop).
KillMode=process
TimeoutStopSec=${AGENT_STOP_SECONDS}
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
`;
}

/** The value a unit gives an environment variable (Environment=NAME=value), if it does. */
export function unitEnvironment(text: string, name: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = /^\s*Environment\s*=\s*"?([^"]*)"?\s*$/.exec(line);
    if (m?.[1]?.startsWith(`${name}=`)) return m[1].slice(name.length + 1);
  }
  return undefined;
}

// `capstan agent`: the seed's configure-agent and wparagent on this host (configure, run,
// start, stop, restart, status, log level), and the manager's view of its agents.
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { DEFAULT_AGENT_PORT } from '../../api/agents.js';
import { routes } from '../../api/routes/index.js';
import { CapstanError } from '../../api/errors.js';
import { AgentFiles, agentDirFromEnv, LOG_LEVELS, type AgentLogLevel } from '../../agent/control/config.js';
import { readStatus, runningPid, startAgentProcess, stopAgentProcess } from '../../agent/control/process.js';
import { processAlive } from '../../agent/exec.js';
import { hostNetworkOf } from '../../agent/host-engine.js';
import { DEFAULT_BRIDGE_ADDRESS, subnetOf } from '../../agent/net/host-network.js';
import { validateIfname } from '../../agent/net/names.js';
import { UsageError } from '../local/command.js';
import { formatFields, formatTable, note, print, printJson, when } from '../output.js';
import { exitFor, remote } from '../remote/context.js';
import { EXIT } from '../remote/exit-codes.js';
import { ask } from '../remote/prompt.js';
import { agentUnitFor, systemctl, unitMainPid } from '../service/systemd.js';
import { AGENT_UNIT } from '../service/units.js';

interface ConfigureOpts {
  hostname: string;
  pubport: number;
  agentport: number;
  force?: boolean;
  name?: string;
  address?: string;
  fingerprint?: string;
  passwordFile?: string;
  wait?: number;
  dir?: string;
}

const files = (o: { dir?: string }): AgentFiles => new AgentFiles(o.dir ?? agentDirFromEnv());

/** Local agent commands: their failures map to exit codes like remote ones. */
function local<O>(fn: (o: O & { json?: boolean; dir?: string }, args: unknown[]) => Promise<void>) {
  return async (...params: unknown[]): Promise<void> => {
    const cmd = params.at(-1) as Command;
    const o = cmd.optsWithGlobals() as O & { json?: boolean; dir?: string };
    try {
      await fn(o, cmd.processedArgs);
    } catch (e) {
      process.exitCode = exitFor(e, o.json === true);
    }
  };
}

async function registrationPassword(o: ConfigureOpts): Promise<string> {
  if (process.env.CAPSTAN_REGISTRATION_PASSWORD) return process.env.CAPSTAN_REGISTRATION_PASSWORD;
  if (o.passwordFile) {
    return readFileSync(o.passwordFile, 'utf8').trim();
  }
  if (!process.stdin.isTTY) throw new UsageError('no registration password: give --password-file or $CAPSTAN_REGISTRATION_PASSWORD');
  return ask('Agent registration password: ', true);
}

/** How long `capstan agent start` waits for the agent under systemd (as without it: a loaded host may be slow). */
const SYSTEMD_START_LIMIT_MS = 60_000;

/**
 * Starts the agent: through systemd where its unit is installed for this directory (and
 * systemd runs), else as a detached process; resolves with its pid once it runs.
 */
async function startAgent(f: AgentFiles, o: { systemd?: boolean }): Promise<number> {
  if (o.systemd === false || !agentUnitFor(f.dir)) return startAgentProcess(f);
  f.settings();
  const running = runningPid(f);
  if (running !== undefined) throw new CapstanError('CAP-E0608', `pid ${running}`);
  await systemctl('start', AGENT_UNIT);
  const deadline = Date.now() + SYSTEMD_START_LIMIT_MS;
  while (Date.now() < deadline) {
    const pid = runningPid(f);
    if (pid !== undefined) return pid;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new CapstanError('CAP-E0609', `it did not start: see ${f.logFile} and systemctl status ${AGENT_UNIT}`);
}

/** Stops the agent: through systemd if it runs under its unit, else by signal. Its WPARs keep running. */
async function stopAgent(f: AgentFiles): Promise<number> {
  const pid = runningPid(f);
  if (pid !== undefined && agentUnitFor(f.dir) && (await unitMainPid(AGENT_UNIT)) === pid) {
    await systemctl('stop', AGENT_UNIT);
    while (processAlive(pid)) await new Promise((r) => setTimeout(r, 100));
    return pid;
  }
  return stopAgentProcess(f);
}

export function agentCommands(program: Command): void {
  const agent = program.command('agent').description("This host's agent (the seed's configure-agent and wparagent), and the manager's agents")
    .option('--dir <dir>', 'the agent directory (default: $CAPSTAN_AGENT_DIR or /etc/capstan/agent)');

  agent.command('configure').description('Register this host with a manager; fails if unreachable, wrong password, already configured, or the port is taken')
    .requiredOption('--hostname <host>', "the manager's host name or address (the seed's -hostname)")
    .option('--pubport <port>', "the manager's HTTPS port", Number, 14443)
    .option('--agentport <port>', "this agent's port", Number, DEFAULT_AGENT_PORT)
    .option('--force', 'leave the manager this agent is configured for (it is asked to unregister it) and register with this one')
    .option('--name <name>', "this system's name in the manager (default: the host name)")
    .option('--address <address>', 'the address to listen on and be reached at (default: the one that reaches the manager)')
    .option('--fingerprint <sha256>', "refuse a manager whose certificate has another SHA-256 fingerprint")
    .option('--password-file <file>', 'read the registration password from a file (else $CAPSTAN_REGISTRATION_PASSWORD, else a prompt)')
    .option('--wait <seconds>', "how long to wait for an administrator when the name is a registered agent's (default 600)", Number)
    .action(local<ConfigureOpts>(async (o) => {
      const { configureAgent } = await import('../../agent/control/configure.js');
      const s = await configureAgent(files(o), {
        managerHost: o.hostname, managerPort: o.pubport, agentPort: o.agentport, password: await registrationPassword(o),
        ...(o.force ? { force: true } : {}), ...(o.name ? { name: o.name } : {}), ...(o.address ? { host: o.address } : {}),
        ...(o.fingerprint ? { fingerprint: o.fingerprint } : {}),
        ...(o.wait !== undefined ? { approvalWaitMs: o.wait * 1000 } : {}),
        onWaiting: (key) => note(`a registered agent already has this name: waiting for an administrator (capstan agent requests, capstan agent approve NAME); this agent's key: ${key}`),
        onLeft: (left) => note(left.unregistered
          ? `unregistered from the manager it leaves, ${left.manager} (its system stays there, Offline)`
          : `warning: the manager it leaves, ${left.manager}, could not unregister it (${left.reason}); its registration there stays until an administrator removes the system`),
      });
      if (o.json) printJson(s);
      else note(`registered as ${s.systemName} (${s.systemId}) with ${s.managerHost}:${s.managerPort}; start it with: capstan agent start`);
    }));

  agent.command('run').description('Run the agent in the foreground (what start runs in the background)')
    .action(local<Record<string, never>>(async (o) => {
      const f = files(o);
      if (runningPid(f) !== undefined) throw new CapstanError('CAP-E0608', `pid ${runningPid(f)}`);
      // Loaded here: only the agent process itself needs the engine.
      const { Agent } = await import('../../agent/daemon.js');
      const a = new Agent(f, pino({ level: 'info' }));
      await a.start();
      process.on('SIGHUP', () => a.reloadLogLevel());
      await new Promise<void>((resolve) => {
        const stop = (): void => void a.stop().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    }));

  agent.command('start').description('Start the agent in the background: through systemd (capstan-agent.service) where it is installed for this directory')
    .option('--no-systemd', 'run it apart from systemd even where its unit is installed for this directory')
    .action(local<{ systemd?: boolean }>(async (o) => {
      const pid = await startAgent(files(o), o);
      note(`agent started (pid ${pid}); log: ${files(o).logFile}`);
    }));

  agent.command('stop').description('Stop the agent (its WPARs keep running)')
    .action(local<Record<string, never>>(async (o) => {
      note(`agent stopped (pid ${await stopAgent(files(o))})`);
    }));

  agent.command('restart').description('Stop the agent if it runs, then start it')
    .option('--no-systemd', 'run it apart from systemd even where its unit is installed for this directory')
    .action(local<{ systemd?: boolean }>(async (o) => {
      const f = files(o);
      if (runningPid(f) !== undefined) await stopAgent(f);
      note(`agent started (pid ${await startAgent(f, o)})`);
    }));

  agent.command('status').description('Whether the agent is configured and running, and its connection to the manager')
    .action(local<Record<string, never>>(async (o) => {
      const f = files(o);
      const settings = f.configured() ? f.settings() : undefined;
      const pid = runningPid(f);
      const status = pid !== undefined ? readStatus(f) : undefined;
      const view = {
        configured: settings !== undefined,
        running: pid !== undefined,
        ...(pid !== undefined ? { pid } : {}),
        service: agentUnitFor(f.dir) ? `systemd (${AGENT_UNIT})` : 'pid file',
        ...(settings ? { manager: `${settings.managerHost}:${settings.managerPort}`, system: settings.systemName, systemId: settings.systemId, agentPort: settings.agentPort, logLevel: settings.logLevel } : {}),
        ...(status ? { channel: status.channel, since: status.since, buffered: status.buffered, ...(status.lastError ? { lastError: status.lastError } : {}) } : {}),
      };
      if (o.json) printJson(view);
      else print(formatFields(Object.entries(view).map(([k, v]) => [k, k === 'since' ? when(String(v)) : String(v)])));
      if (!settings) process.exitCode = EXIT.notFound;
      else if (pid === undefined) process.exitCode = EXIT.conflict;
    }));

  agent.command('log-level').description('Change the running agent\'s logging level without a restart')
    .argument('<level>', LOG_LEVELS.join(', '))
    .action(local<Record<string, never>>(async (o, [level]) => {
      if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`level must be one of ${LOG_LEVELS.join(', ')}`);
      const f = files(o);
      f.saveSettings({ ...f.settings(), logLevel: level as AgentLogLevel });
      const pid = runningPid(f);
      if (pid !== undefined) process.kill(pid, 'SIGHUP');
      note(`log level ${level}${pid !== undefined ? '' : ' (applies when the agent starts)'}`);
    }));

  agent.command('shared-state').description('Show or set the state directory this host shares with others (same path on each, e.g. NFS): relocations between hosts that share one pass their images through it')
    .argument('[dir]', 'an absolute path; none: agent-to-agent transfer only')
    .action(local<Record<string, never>>(async (o, [dir]) => {
      const f = files(o);
      const settings = f.settings();
      if (typeof dir !== 'string') {
        if (o.json) printJson({ sharedStateDir: settings.sharedStateDir ?? null });
        else note(settings.sharedStateDir ?? 'none');
        return;
      }
      if (dir !== 'none' && !isAbsolute(dir)) throw new UsageError('the shared state directory must be an absolute path');
      const { sharedStateDir: _old, ...rest } = settings;
      f.saveSettings(dir === 'none' ? rest : { ...rest, sharedStateDir: dir });
      note(`shared state directory: ${dir}${runningPid(f) !== undefined ? ' (applies when the agent restarts: capstan agent restart)' : ''}`);
    }));

  agent.command('network').description("Show or set this host's WPAR network: its bridge, the host's address on it (the WPARs' gateway) and NAT to its uplinks; the agent applies it at start")
    .option('--bridge <name>', 'the bridge WPAR interfaces hang off (default capstan0)')
    .option('--address <cidr>', `the host's address on the bridge, e.g. ${DEFAULT_BRIDGE_ADDRESS}; none: leave the bridge unaddressed`)
    .option('--nat', "masquerade the bridge's subnet to the host's uplinks, so WPARs reach beyond the host")
    .option('--no-nat', 'no NAT (the default): WPARs reach only the bridge')
    .action(local<{ bridge?: string; address?: string; nat?: boolean }>(async (o) => {
      const f = files(o);
      let settings = f.settings();
      const changing = o.bridge !== undefined || o.address !== undefined || o.nat !== undefined;
      if (changing) {
        if (o.bridge !== undefined) validateIfname(o.bridge, 'bridge');
        if (o.address !== undefined && o.address !== 'none') subnetOf(o.address);
        settings = {
          ...settings,
          ...(o.bridge !== undefined ? { bridge: o.bridge } : {}),
          ...(o.address !== undefined ? { bridgeAddress: o.address === 'none' ? null : o.address } : {}),
          ...(o.nat !== undefined ? { nat: o.nat } : {}),
        };
        f.saveSettings(settings);
      }
      const n = hostNetworkOf(settings);
      if (o.json) printJson(n);
      else {
        note(`bridge ${n.bridge}, host address ${n.address ?? 'none'}, NAT ${n.nat ? 'on' : 'off'}`);
        if (changing && runningPid(f) !== undefined) note('applies when the agent restarts: capstan agent restart');
      }
    }));

  agent.command('list').description("The manager's agents: certificate, state, connection")
    .action(remote(async ({ client, json }) => {
      const agents = await client.call(routes.agents.list);
      if (json) printJson(agents);
      else print(formatTable(['System', 'State', 'Connected', 'Port', 'Certificate', 'Expires'], agents.map((a) => [a.systemName, a.state, a.connected ? 'yes' : 'no', a.agentPort, a.certificateSerial.slice(0, 16), when(a.certificateExpiresAt)])));
    }));

  agent.command('requests').description("Registrations under the name of a system whose agent is registered: waiting for a decision, or decided")
    .action(remote(async ({ client, json }) => {
      const requests = await client.call(routes.agents.requests);
      if (json) printJson(requests);
      else print(formatTable(['System', 'State', 'From', 'Host', 'Port', 'Key', 'Requested', 'Decided by'], requests.map((r) => [r.systemName, r.state, r.source, r.host, r.agentPort, r.keyFingerprint, when(r.requestedAt), r.decidedBy ?? ''])));
    }));

  for (const [verb, route, outcome] of [
    ['approve', routes.agents.approve, 'approved: when the new agent asks again, it takes the system over and the old agent is revoked'],
    ['refuse', routes.agents.refuse, 'refused: the registered agent stays'],
  ] as const) {
    agent.command(`${verb} <name>`).description(verb === 'approve'
      ? 'Approve the registration waiting under NAME (compare its key with the one the new agent printed)'
      : 'Refuse the registration waiting under NAME')
      .action(remote(async ({ client, json, args }) => {
        const r = await client.call(route, { params: { name: String(args[0]) } });
        if (json) printJson(r);
        else note(`${r.systemName} from ${r.source}: ${outcome}`);
      }));
  }

  agent.command('password').description('Show the registration password agents configure with, or set a new one')
    .option('--set', 'set a new one (prompted, or from $CAPSTAN_REGISTRATION_PASSWORD)')
    .action(remote<{ set?: boolean }>(async ({ client, json, opts }) => {
      if (opts.set) {
        const password = process.env.CAPSTAN_REGISTRATION_PASSWORD ?? (await ask('New registration password: ', true));
        await client.call(routes.agents.setRegistrationPassword, { body: { password } });
        note('registration password changed');
        return;
      }
      const { password } = await client.call(routes.agents.registrationPassword);
      if (json) printJson({ password });
      else print(password);
    }));
}

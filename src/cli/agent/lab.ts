// `capstan lab`: test hosts on this machine (see src/agent/lab/lab.ts), each with its own
// agent registered to the manager you are logged in to.
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_AGENT_PORT } from '../../api/agents.js';
import { CapstanError } from '../../api/errors.js';
import { routes } from '../../api/routes/index.js';
import type { SystemView } from '../../api/systems.js';
import { hostEngine } from '../../agent/host-engine.js';
import { run, runOk } from '../../agent/exec.js';
import { createLabHost, deleteLabBridgeIfUnused, deleteLabHost, existingLabHosts, inLabHost, LAB, labHost, type LabHost } from '../../agent/lab/lab.js';
import { ApiError, fingerprintOf, type ApiClient } from '../../client/api-client.js';
import { UsageError } from '../local/command.js';
import { formatTable, note, print, printJson } from '../output.js';
import { remote } from '../remote/context.js';

/** This CLI's entry point, from source (tsx) or built: not process.argv[1], which is a test's file when a test calls in. */
const CLI_MAIN = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../main.ts' : '../main.js', import.meta.url));

/** This CLI, as a command line another process can run. */
function self(args: string[]): string[] {
  return [process.execPath, ...process.execArgv, CLI_MAIN, ...args];
}

async function inHost(h: LabHost, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const [cmd, ...rest] = inLabHost(h, self(args));
  return (await runOk(cmd!, rest, { env })).stdout;
}

async function waitFor(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new CapstanError('CAP-E0605', `timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function systemState(client: ApiClient, name: string): Promise<SystemView | undefined> {
  try {
    return await client.call(routes.systems.get, { params: { id: name } });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  }
}

/** Brings lab hosts 1..n up (those already up are left as they are) and waits until they are Online. */
export async function labUp(client: ApiClient, managerUrl: string, certificate: string | undefined, n: number): Promise<LabHost[]> {
  const port = Number(new URL(managerUrl).port || 443);
  const { password } = await client.call(routes.agents.registrationPassword);
  const hosts: LabHost[] = [];
  for (let i = 1; i <= n; i++) {
    const h = labHost(i);
    hosts.push(h);
    await createLabHost(h);
    const status = JSON.parse(await inHost(h, ['--json', 'agent', 'status']).catch(() => '{}')) as { configured?: boolean; running?: boolean };
    if (!status.configured) {
      await inHost(h, [
        'agent', 'configure', '--hostname', LAB.gateway, '--pubport', String(port), '--agentport', String(DEFAULT_AGENT_PORT),
        '--name', h.name, '--address', h.address, ...(certificate ? ['--fingerprint', fingerprintOf(certificate)] : []),
      ], { CAPSTAN_REGISTRATION_PASSWORD: password });
    }
    if (!status.running) await inHost(h, ['agent', 'start']);
  }
  for (const h of hosts) await waitFor(`${h.name} to be Online`, 30_000, async () => (await systemState(client, h.name))?.state === 'Online');
  return hosts;
}

/**
 * Takes lab hosts down: their WPARs are removed (the manager sees them go), the agents stop,
 * the systems are removed from the manager (revoking the agents), and the namespaces go.
 */
export async function labDown(client: ApiClient | undefined, hosts: LabHost[]): Promise<void> {
  for (const h of hosts) {
    const { engine } = hostEngine({ engineRoot: h.engineRoot, bridge: LAB.hostBridge });
    for (const w of await engine.list().catch(() => [])) {
      const [cmd, ...rest] = inLabHost(h, self(['rmwpar', '-F', w.name]));
      await run(cmd!, rest);
    }
    if (client) {
      // The agent reports the removals; the system can only be removed once none is left on it.
      await waitFor(`${h.name} to report its WPARs gone`, 15_000, async () => ((await systemState(client, h.name).catch(() => undefined))?.wparCount ?? 0) === 0)
        .catch(() => note(`capstan: ${h.name} still has WPARs in the manager`));
    }
    await run(...splitCmd(inLabHost(h, self(['agent', 'stop']))));
    if (client) {
      const system = await systemState(client, h.name).catch(() => undefined);
      if (system) {
        // Definitions the manager still places there (the agent may have gone before reporting) are let go.
        await client.call(routes.systems.remove, { params: { id: h.name } }).catch((e: unknown) => note(`capstan: could not remove ${h.name} from the manager: ${(e as Error).message}`));
      }
    }
    await deleteLabHost(h);
  }
  await deleteLabBridgeIfUnused();
}

function splitCmd(argv: string[]): [string, string[]] {
  return [argv[0]!, argv.slice(1)];
}

export function labCommands(program: Command): void {
  const lab = program.command('lab').description(`Test hosts on this machine: network namespaces on the ${LAB.bridge} bridge (${LAB.gateway}/${LAB.prefix}), each with an agent`);

  lab.command('up').description('Bring up lab hosts 1..N, registered to the manager you are logged in to')
    .requiredOption('--hosts <n>', 'how many', Number)
    .action(remote<{ hosts: number }>(async ({ client, json, opts }) => {
      if (!Number.isInteger(opts.hosts) || opts.hosts < 1 || opts.hosts > LAB.maxHosts) throw new UsageError(`--hosts must be 1..${LAB.maxHosts}`);
      const hosts = await labUp(client, client.profile.url, client.profile.certificate, opts.hosts);
      if (json) printJson(hosts);
      else print(formatTable(['System', 'Address', 'Namespace'], hosts.map((h) => [h.name, h.address, h.netns])));
    }));

  lab.command('down').description('Take every lab host down: its WPARs, agent, system in the manager, namespace')
    .action(remote(async ({ client }) => {
      const hosts = await existingLabHosts();
      await labDown(client, hosts);
      note(`${hosts.length} lab host(s) down`);
    }));

  lab.command('list').description('The lab hosts on this machine')
    .action(async (_o: unknown, cmd: Command) => {
      const hosts = await existingLabHosts();
      if (cmd.optsWithGlobals().json) printJson(hosts);
      else print(formatTable(['System', 'Address', 'Namespace', 'Agent dir'], hosts.map((h) => [h.name, h.address, h.netns, h.agentDir])));
    });

  lab.command('exec').description('Run a command on lab host N (its network namespace and engine), e.g. capstan lab exec 1 -- mkwpar -n w1')
    .argument('<n>', 'host number', Number)
    .argument('<command...>', 'the command and its arguments')
    .action(async (n: number, argv: string[]) => {
      const [cmd, ...rest] = inLabHost(labHost(n), argv);
      const r = await run(cmd!, rest);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      process.exitCode = r.code;
    });
}

// WPARs through the manager: definitions (create, clone, modify, delete) and actions on the
// system they are deployed on. The WPAR-defining flags are mkwpar's own, so a definition
// reads the same locally and through the manager.
import { Command, Option } from 'commander';
import { describePrivilege, privilegesOf } from '../../../api/privileges.js';
import { consoleCommand } from './console.js';
import { routes } from '../../../api/routes/index.js';
import type { TaskView } from '../../../api/tasks.js';
import { WPAR_STATES, type WparState } from '../../../api/wpar-states.js';
import { WPAR_SORT_KEYS, type ModifyWparRequest, type WparSortKey, type WparSpec, type WparStateAction, type WparType, type WparView } from '../../../api/wpar.js';
import { UsageError } from '../../local/command.js';
import { addSpecOptions, parseInterfaces, parseMounts, parsePrivileges, parseResources, specFromFlags, type SpecFlags } from '../../local/spec-options.js';
import { formatFields, formatTable, print, printJson, when } from '../../output.js';
import { readJsonFile, remote, type Ctx } from '../context.js';
import { finishTask, waitOption, type WaitOptions } from '../follow-task.js';

function address(w: Pick<WparSpec, 'interfaces'>): string {
  return w.interfaces.map((i) => `${i.address}/${i.prefix}`).join(',');
}

function showWpar(w: WparView): string {
  const r = w.resources;
  return formatFields([
    ['Name', w.name], ['ID', w.id], ['Type', w.type], ['State', w.state], ['Reason', w.stateReason],
    ['System', w.system?.name], ['Group', w.group.name], ['Hostname', w.hostname ?? w.name], ['Image', w.image],
    ['Command', w.command?.join(' ')], ['Interfaces', w.interfaces.map((i) => `${i.address}/${i.prefix}${i.gateway ? ` gw ${i.gateway}` : ''}${i.bridge ? ` on ${i.bridge}` : ''}`).join(', ')],
    ['Mounts', w.mounts.map((m) => `${m.target} ← ${m.source} (${m.type}${m.readOnly ? ', ro' : ''})`).join(', ')],
    ['CPU shares', r.cpuShares], ['CPU limit', r.cpuLimit === undefined ? undefined : `${r.cpuLimit} cores`],
    ['Memory limit', r.memoryLimitMiB === undefined ? undefined : `${r.memoryLimitMiB} MiB`], ['Process limit', r.processLimit],
    ['Checkpointable', w.checkpointable], ['Privileges', w.privileges?.join(',') ?? 'host default'],
    ['Privileged fields', privilegesOf(w).map(describePrivilege).join('; ') || 'none'],
    ['Privileges accepted', w.privilegesUnaccepted ? 'no: found on its system; not deployed elsewhere until a WPARAdministrator accepts them' : undefined],
    ['Exit status', w.exitStatus],
    ['Busy (task)', w.busyTaskId], ['Created', when(w.createdAt)], ['Updated', when(w.updatedAt)],
  ]);
}

/** Flags the user typed (not defaults), so a modification names only what changes. */
function given(cmd: Command, name: string): boolean {
  return cmd.getOptionValueSource(name) === 'cli';
}

async function modifyBody(ctx: Ctx<SpecFlags & { group?: string; notCheckpointable?: boolean; command?: string[] }>, cmd: Command, ref: string): Promise<ModifyWparRequest> {
  const o = ctx.opts;
  const body: ModifyWparRequest = {};
  if (given(cmd, 'hostname')) body.hostname = o.hostname;
  if (given(cmd, 'image')) body.image = o.image;
  if (given(cmd, 'network')) body.interfaces = parseInterfaces(o.network);
  if (given(cmd, 'mounts')) body.mounts = parseMounts(o.mounts);
  if (given(cmd, 'security')) body.privileges = parsePrivileges(o.security) ?? null;
  if (o.checkpointable) body.checkpointable = true;
  if (o.notCheckpointable) body.checkpointable = false;
  if (o.group) body.group = o.group;
  if (o.command) body.command = o.command;
  if (given(cmd, 'resources')) {
    // -R names the controls that change; the others keep their values.
    const current = await ctx.client.call(routes.wpars.get, { params: { id: ref } });
    body.resources = { ...current.resources, ...parseResources(o.resources) };
  }
  if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give one of -h -e -N -R -M -S -c --not-checkpointable --group --command');
  return body;
}

const STATE_ACTIONS: [WparStateAction, string, string][] = [
  ['start', 'start', 'Start a deployed system WPAR'],
  ['stop', 'stop', 'Stop a WPAR (system: → Defined; application: → Undeployed)'],
  ['pause', 'pause', 'Pause a checkpointable WPAR (checkpoint and hold its processes)'],
  ['freeze', 'freeze', 'Freeze a checkpointable WPAR (quiesce its processes)'],
  ['resume', 'resume', 'Resume a Paused or Frozen WPAR'],
  ['endProcesses', 'end', 'End the processes of a Paused WPAR (the seed\'s killwpar)'],
];

export function wparCommands(program: Command): void {
  const wpar = program.command('wpar').description('Workload partitions: definitions, deployment and actions');
  consoleCommand(wpar);
  const done = (verb: string) => (t: TaskView): string => `${t.target?.name ?? 'WPAR'} ${verb}`;

  wpar.command('list').description('List WPARs')
    .addOption(new Option('--state <state...>', 'only these states').choices(WPAR_STATES))
    .addOption(new Option('--type <type>', 'system or application').choices(['system', 'application']))
    .option('--system <system>', 'only WPARs deployed on this system')
    .option('--group <group>', 'only this WPAR group')
    .addOption(new Option('--sort <key>', 'sort by').choices(WPAR_SORT_KEYS).default('name'))
    .option('--desc', 'sort descending')
    .option('--limit <n>', 'at most this many', Number)
    .action(remote<{ state?: WparState[]; type?: WparType; system?: string; group?: string; sort: WparSortKey; desc?: boolean; limit?: number }>(async ({ client, opts, json }) => {
      const page = await client.call(routes.wpars.list, {
        query: { state: opts.state, type: opts.type, system: opts.system, group: opts.group, sort: opts.sort, order: opts.desc ? 'desc' : 'asc', limit: opts.limit },
      });
      if (json) return printJson(page);
      print(formatTable(['Name', 'State', 'Type', 'System', 'Group', 'Address', 'Ckpt'],
        page.items.map((w) => [w.name, w.state, w.type, w.system?.name, w.group.name, address(w), w.checkpointable])));
      if (page.total > page.items.length) process.stderr.write(`${page.items.length} of ${page.total} shown (--limit)\n`);
    }));

  wpar.command('show').description('Show a WPAR').argument('<name>', 'name or id')
    .action(remote(async ({ client, args, json }) => {
      const w = await client.call(routes.wpars.get, { params: { id: String(args[0]) } });
      if (json) printJson(w);
      else print(showWpar(w));
    }));

  waitOption(addSpecOptions(wpar.command('create').helpOption('--help', 'show this help')
    .description('Define a WPAR; with --system, deploy it there too. Arguments after -- are its command (application) or init (system)')
    .argument('<name>', 'WPAR name')
    .argument('[command...]', 'command and arguments')
    .addOption(new Option('-t, --type <type>', 'system or application').choices(['system', 'application']).default('system'))
    .option('-f, --file <spec.json>', 'take the definition from a JSON file (flags override its name)')
    .option('--group <group>', 'WPAR group (default: the default group)')
    .option('--system <system>', 'deploy on this system right away')
    .option('-s, --start', 'with --system: start a system WPAR once deployed')))
    .action(remote<SpecFlags & WaitOptions & { type: 'system' | 'application'; file?: string; group?: string; system?: string; start?: boolean }>(async (ctx) => {
      const { opts, args } = ctx;
      const name = String(args[0]);
      // The manager checks a file's definition against its schema.
      const spec = opts.file ? { ...(readJsonFile(opts.file) as WparSpec), name } : specFromFlags(name, opts.type, opts, args[1] as string[]);
      const task = await ctx.client.call(routes.wpars.create, {
        body: {
          ...spec,
          ...(opts.group ? { group: opts.group } : {}),
          ...(opts.system ? { system: opts.system, start: opts.start ?? false } : {}),
        },
      });
      return finishTask(ctx, task, done(opts.system ? 'created and deployed' : 'defined'));
    }));

  waitOption(wpar.command('clone').description('Define a WPAR from an existing one as template')
    .argument('<template>', 'the WPAR to copy (name or id)')
    .argument('<name>', 'the new WPAR\'s name')
    .option('-h, --hostname <name>', 'its host name').helpOption('--help', 'show this help')
    .option('--address <ip...>', 'new addresses, one per interface of the template, in order')
    .option('--group <group>', 'its WPAR group (default: the template\'s)'))
    .action(remote<WaitOptions & { hostname?: string; address?: string[]; group?: string }>(async (ctx) => {
      const { opts, args } = ctx;
      const task = await ctx.client.call(routes.wpars.clone, {
        params: { id: String(args[0]) },
        body: { name: String(args[1]), ...(opts.hostname ? { hostname: opts.hostname } : {}), ...(opts.address ? { addresses: opts.address } : {}), ...(opts.group ? { group: opts.group } : {}) },
      });
      return finishTask(ctx, task, done('defined'));
    }));

  const modify = waitOption(addSpecOptions(wpar.command('modify').helpOption('--help', 'show this help')
    .description('Change a WPAR: anything while Undeployed, what its state allows once deployed')
    .argument('<name>', 'name or id')
    .option('--not-checkpointable', 'make it not checkpointable')
    .option('--group <group>', 'move it to this WPAR group')
    .option('--command <arg...>', 'its command (application) or init (system)')));
  modify.action(remote<SpecFlags & WaitOptions & { group?: string; notCheckpointable?: boolean; command?: string[] }>(async (ctx) => {
    const ref = String(ctx.args[0]);
    const task = await ctx.client.call(routes.wpars.modify, { params: { id: ref }, body: await modifyBody(ctx, modify, ref) });
    return finishTask(ctx, task, done('modified'));
  }));

  waitOption(wpar.command('deploy').description('Deploy an Undeployed WPAR on a system').argument('<name>', 'name or id')
    .requiredOption('--system <system>', 'the system to deploy on')
    .option('-s, --start', 'start a system WPAR once deployed (application WPARs always start)'))
    .action(remote<WaitOptions & { system: string; start?: boolean }>(async (ctx) => {
      const task = await ctx.client.call(routes.wpars.deploy, { params: { id: String(ctx.args[0]) }, body: { system: ctx.opts.system, start: ctx.opts.start ?? false } });
      return finishTask(ctx, task, done('deployed'));
    }));

  for (const [action, verb, description] of STATE_ACTIONS) {
    waitOption(wpar.command(verb).description(description).argument('<name>', 'name or id'))
      .action(remote<WaitOptions>(async (ctx) => {
        const task = await ctx.client.call(routes.wpars[action], { params: { id: String(ctx.args[0]) } });
        return finishTask(ctx, task, (t) => `${t.target?.name ?? 'WPAR'}: ${action} done`);
      }));
  }

  waitOption(wpar.command('remove').description('Remove a WPAR from its system (the definition stays, Undeployed)').argument('<name>', 'name or id')
    .option('--preserve-fs', 'system WPARs: keep the root file system for a later deployment')
    .option('--delete-definition', 'also delete the definition'))
    .action(remote<WaitOptions & { preserveFs?: boolean; deleteDefinition?: boolean }>(async (ctx) => {
      const task = await ctx.client.call(routes.wpars.remove, {
        params: { id: String(ctx.args[0]) },
        body: { preserveFileSystems: ctx.opts.preserveFs ?? false, deleteDefinition: ctx.opts.deleteDefinition ?? false },
      });
      return finishTask(ctx, task, done('removed'));
    }));

  wpar.command('accept-privileges').description('Accept the privileged fields of a WPAR found on its system with them (WPARAdministrator)').argument('<name>', 'name or id')
    .action(remote(async ({ client, args, json }) => {
      const w = await client.call(routes.wpars.acceptPrivileges, { params: { id: String(args[0]) } });
      if (json) printJson(w);
      else print(showWpar(w));
    }));

  waitOption(wpar.command('delete').description('Delete a WPAR: remove it from its system if deployed, and its definition').argument('<name>', 'name or id'))
    .action(remote<WaitOptions>(async (ctx) => finishTask(ctx, await ctx.client.call(routes.wpars.delete, { params: { id: String(ctx.args[0]) } }), done('deleted'))));
}

// Managed systems, relocation domains and WPAR groups: each has the same five commands
// (list, show, create, modify, remove) over the same five routes, described once here; a
// system's removal also says what becomes of its WPARs.
import { Option, type Command } from 'commander';
import type { HostProfile } from '../../../api/agents.js';
import type { Page } from '../../../api/resources.js';
import type { SystemWparChoice } from '../../../api/systems.js';
import type { CallInput, ResultOf, RouteDefinition } from '../../../api/route-definition.js';
import { routes } from '../../../api/routes/index.js';
import type { InventoryRouteSet } from '../../../api/routes/inventory.js';
import type { ApiClient } from '../../../client/api-client.js';
import { UsageError } from '../../local/command.js';
import { formatFields, formatTable, note, print, printJson, when, type Cell } from '../../output.js';
import { readJsonFile, remote } from '../context.js';
import { finishTask, waitOption, type WaitOptions } from '../follow-task.js';

type Opts = Record<string, string | boolean | undefined>;

interface Field {
  flag: string;
  description: string;
  /** The request property it sets; the flag's own name when absent. */
  key?: string;
  /** Turns the flag's text into the property's value. */
  parse?: (value: string) => unknown;
}

interface Resource<T extends InventoryRouteSet, V = ResultOf<T['get']>> {
  noun: string;
  routes: T;
  /** The words users of the seed know for adding and removing one. */
  verbs: { create: string; remove: string };
  columns: [string, (v: V) => Cell][];
  fields(v: V): [string, Cell][];
  /** Flags of create beyond the name (required ones first). */
  createFields: (Field & { required?: boolean })[];
  modifyFields: Field[];
  listFilters?: Field[];
  /** Its own remove command, when removing one takes more than its name. */
  removeCommand?: (top: Command) => void;
}

function bodyOf(fields: Field[], opts: Opts): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fields) {
    const name = optionName(f.flag);
    const value = opts[name];
    if (value === undefined) continue;
    const key = f.key ?? name;
    const parsed = f.parse && typeof value === 'string' ? f.parse(value) : value;
    // Two flags may fill parts of one object (a domain's allowance).
    const had = body[key];
    body[key] = isObject(had) && isObject(parsed) ? { ...had, ...parsed } : parsed;
  }
  return body;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** commander's attribute name of a flag such as "--new-name <name>". */
function optionName(flag: string): string {
  const long = /--([a-z-]+)/.exec(flag)?.[1] ?? flag;
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function addFields(cmd: Command, fields: (Field & { required?: boolean })[]): Command {
  for (const f of fields) {
    if (f.required) cmd.requiredOption(f.flag, f.description);
    else cmd.option(f.flag, f.description);
  }
  return cmd;
}

function resourceCommands<T extends InventoryRouteSet>(program: Command, r: Resource<T>, description: string): void {
  type V = ResultOf<T['get']>;
  // The table's routes, whichever resource: each request is built from the flags the resource declares.
  const call = async <R extends RouteDefinition>(client: ApiClient, route: R, input: object): Promise<unknown> => (await client.exchange(route, input as CallInput<R>)).body;
  const top = program.command(r.noun).description(description);
  const show = (v: V, json: boolean): void => (json ? printJson(v) : print(formatFields(r.fields(v))));

  addFields(top.command('list').description(`List ${r.noun}s`), r.listFilters ?? [])
    .option('--limit <n>', 'at most this many', Number)
    .action(remote<Opts & { limit?: number }>(async ({ client, opts, json }) => {
      const query = { ...bodyOf(r.listFilters ?? [], opts), ...(opts.limit ? { limit: opts.limit } : {}) };
      const page = (await call(client, r.routes.list, { query })) as Page<V>;
      if (json) return printJson(page);
      print(formatTable(r.columns.map(([h]) => h), page.items.map((v) => r.columns.map(([, f]) => f(v)))));
      if (page.total > page.items.length) note(`${page.items.length} of ${page.total} shown (--limit)`);
    }));

  top.command('show').description(`Show a ${r.noun}`).argument('<name>', 'name or id')
    .action(remote(async ({ client, args, json }) => show((await call(client, r.routes.get, { params: { id: String(args[0]) } })) as V, json)));

  addFields(top.command(r.verbs.create).description(`Create a ${r.noun}`).argument('<name>', `the ${r.noun}'s name`), r.createFields)
    .action(remote<Opts>(async ({ client, args, opts, json }) => {
      const created = (await call(client, r.routes.create, { body: { name: args[0], ...bodyOf(r.createFields, opts) } })) as V;
      show(created, json);
    }));

  addFields(top.command('modify').description(`Change a ${r.noun}`).argument('<name>', 'name or id'), r.modifyFields)
    .action(remote<Opts>(async ({ client, args, opts, json }) => {
      const body = bodyOf(r.modifyFields, opts);
      if (Object.keys(body).length === 0) throw new UsageError(`nothing to change: give one of ${r.modifyFields.map((f) => f.flag.split(' ')[0]).join(', ')}`);
      show((await call(client, r.routes.modify, { params: { id: String(args[0]) }, body })) as V, json);
    }));

  if (r.removeCommand) return r.removeCommand(top);
  top.command(r.verbs.remove).description(`Remove a ${r.noun}`).argument('<name>', 'name or id')
    .action(remote(async ({ client, args }) => {
      await call(client, r.routes.remove, { params: { id: String(args[0]) } });
      note(`${r.noun} ${String(args[0])} removed`);
    }));
}

/** The seed's Remove Managed System, with its choice for the WPARs on the system. */
function systemRemoveCommand(top: Command): void {
  waitOption(top.command('remove').description('Remove a managed system and revoke its agent; with WPARs on it, say what becomes of them')
    .argument('<name>', 'name or id')
    .addOption(new Option('--preserve-wpars', 'keep its WPARs as Undeployed definitions (their copies on the host are left alone, unmanaged)').conflicts('removeWpars'))
    .addOption(new Option('--remove-wpars', 'remove its WPARs from it and delete them, then the system (a task; the system must be Online)').conflicts('preserveWpars')))
    .action(remote<WaitOptions & { preserveWpars?: boolean; removeWpars?: boolean }>(async (ctx) => {
      const name = String(ctx.args[0]);
      const wpars: SystemWparChoice | undefined = ctx.opts.preserveWpars ? 'preserve' : ctx.opts.removeWpars ? 'remove' : undefined;
      const res = await ctx.client.exchange(routes.systems.remove, { params: { id: name }, query: { wpars } });
      if (res.status === 202) {
        return finishTask(ctx, res.body, (t) => {
          const r = t.result as { removed: string[] } | null;
          return `system ${name} removed${r ? ` with its WPARs: ${r.removed.join(', ')}` : ''}`;
        });
      }
      note(`system ${name} removed${wpars === 'preserve' ? '; its WPARs stay as Undeployed definitions' : ''}`);
      return 0;
    }));
}

const rename: Field = { flag: '--new-name <name>', key: 'name', description: 'rename it' };
const describe: Field = { flag: '--description <text>', description: 'what it is for' };
/** "a,b" as a list; "" as none. */
const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter((s) => s !== '');
/** What any WPAR user may give WPARs on the domain's systems; each flag replaces its list. */
const allowanceFields: Field[] = [
  { flag: '--allow-mounts <prefixes>', key: 'allowance', description: 'host paths (comma-separated prefixes; "" for none) WPAR users may bind-mount', parse: (t) => ({ mountSources: list(t) }) },
  { flag: '--allow-capabilities <caps>', key: 'allowance', description: 'capabilities beyond the default set (comma-separated; "" for none) WPAR users may grant', parse: (t) => ({ capabilities: list(t) }) },
];

/** One line for people: what a host profile says about the host. */
function profileSummary(p: HostProfile | null): string {
  if (!p?.cpu) return 'not reported yet';
  return `${p.cpu.cores} x ${p.cpu.model}, ${Math.round(p.memoryBytes / 2 ** 30)} GiB, ${p.os.name}, kernel ${p.kernel}, runc ${p.runc}, CRIU ${p.criu}, cgroup v${p.cgroupVersion}`;
}

export function inventoryCommands(program: Command): void {
  resourceCommands(program, {
    noun: 'system',
    routes: routes.systems,
    verbs: { create: 'add', remove: 'remove' },
    columns: [['Name', (s) => s.name], ['Host', (s) => s.host], ['State', (s) => s.state], ['Domain', (s) => s.domain.name], ['Profile', (s) => s.systemProfile ?? '-'], ['WPARs', (s) => s.wparCount], ['Last seen', (s) => when(s.lastSeenAt)]],
    fields: (s) => [['Name', s.name], ['ID', s.id], ['Host', s.host], ['State', s.state], ['Domain', s.domain.name], ['WPARs', s.wparCount],
      ['Last seen', when(s.lastSeenAt)], ['System profile', s.systemProfile ?? '-'], ['Hardware', profileSummary(s.profile as HostProfile | null)], ['Created', when(s.createdAt)]],
    createFields: [{ flag: '--host <address>', description: 'host name or address of the system', required: true }, { flag: '--domain <domain>', description: 'relocation domain (default: the default one)' }],
    modifyFields: [rename, { flag: '--domain <domain>', description: 'move it to this relocation domain' }],
    listFilters: [{ flag: '--state <state>', description: 'Online, Offline or Unknown' }, { flag: '--domain <domain>', description: 'only this relocation domain' }],
    removeCommand: systemRemoveCommand,
  }, 'Managed systems: the hosts that run WPARs');

  resourceCommands(program, {
    noun: 'domain',
    routes: routes.domains,
    verbs: { create: 'create', remove: 'remove' },
    columns: [['Name', (d) => d.name], ['Default', (d) => d.isDefault], ['Systems', (d) => d.systemCount], ['Description', (d) => d.description]],
    fields: (d) => [['Name', d.name], ['ID', d.id], ['Default', d.isDefault], ['Systems', d.systemCount], ['Description', d.description],
      ['Allowed mount sources', d.allowance.mountSources.join(', ') || 'none'], ['Allowed capabilities', d.allowance.capabilities.join(', ') || 'none'],
      ['Created', when(d.createdAt)]],
    createFields: [describe, ...allowanceFields],
    modifyFields: [rename, describe, ...allowanceFields],
  }, 'Relocation domains: systems that serve the same purpose');

  const policyFile: Field = { flag: '--policy <file>', description: 'relocation policy as JSON (see the API\'s RelocationPolicy)', parse: readJsonFile };
  resourceCommands(program, {
    noun: 'group',
    routes: routes.groups,
    verbs: { create: 'create', remove: 'remove' },
    columns: [['Name', (g) => g.name], ['Default', (g) => g.isDefault], ['WPARs', (g) => g.wparCount], ['Policy', (g) => (g.policy.enabled ? 'enabled' : 'off')], ['Description', (g) => g.description]],
    fields: (g) => [['Name', g.name], ['ID', g.id], ['Default', g.isDefault], ['WPARs', g.wparCount], ['Description', g.description],
      ['Policy', g.policy.enabled ? 'enabled' : 'off'],
      ['Metrics', g.policy.metrics.map((m) => `${m.metric}×${m.weight}`).join(', ')],
      ['Thresholds', `hot above ${g.policy.maxThreshold}%, cold below ${g.policy.minThreshold}%`],
      ['Averaging', `${g.policy.averagingPeriodMinutes} min, trigger after ${g.policy.triggerCount}`],
      ['Created', when(g.createdAt)]],
    createFields: [describe, policyFile],
    modifyFields: [rename, describe, policyFile],
  }, 'WPAR groups and their relocation policies');
}

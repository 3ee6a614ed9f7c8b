// Users and role mappings (the seed's Console User Authority and lwiMapRole): administrators only.
import type { Command } from 'commander';
import { routes } from '../../../api/routes/index.js';
import type { UserView } from '../../../api/users.js';
import type { ApiClient } from '../../../client/api-client.js';
import { UsageError } from '../../local/command.js';
import { formatFields, formatTable, note, print, printJson, when } from '../../output.js';
import { remote } from '../context.js';
import { stdinLine } from '../prompt.js';

const list = (s?: string): string[] | undefined => s?.split(',').map((x) => x.trim()).filter(Boolean);

function showUser(u: UserView): string {
  return formatFields([['Name', u.name], ['ID', u.id], ['Full name', u.fullName], ['Groups', u.groups.join(', ')], ['Disabled', u.disabled],
    ['Must change password', u.mustChangePassword], ['Created', when(u.createdAt)]]);
}

/** The seed's query criteria, each with its route and how to print the answer. */
const QUERIES: Record<string, { arg?: string; run: (client: ApiClient, arg: string) => Promise<{ json: unknown; rows: string[][]; header: string[] }> }> = {
  getRoles: {
    run: async (client) => {
      const roles = await client.call(routes.roles.list);
      return { json: roles, header: ['Role', 'Users', 'Groups'], rows: roles.map((r) => [r.role, r.users.join(','), r.groups.join(',')]) };
    },
  },
  getRolesByUser: {
    arg: 'userName',
    run: async (client, user) => {
      const r = await client.call(routes.roles.ofUser, { params: { name: user } });
      return { json: r, header: ['Role', 'Through group'], rows: r.grants.map((g) => [g.role, g.group ?? '']) };
    },
  },
  getRolesByGroup: {
    arg: 'groupName',
    run: async (client, group) => {
      const r = await client.call(routes.roles.ofGroup, { params: { name: group } });
      return { json: r, header: ['Role'], rows: r.roles.map((x) => [x]) };
    },
  },
  getUsersByRole: {
    arg: 'roleName',
    run: async (client, role) => {
      const r = await client.call(routes.roles.users, { params: { role } });
      return { json: r, header: ['User'], rows: r.users.map((x) => [x]) };
    },
  },
  getGroupsByRole: {
    arg: 'roleName',
    run: async (client, role) => {
      const r = await client.call(routes.roles.groups, { params: { role } });
      return { json: r, header: ['Group'], rows: r.groups.map((x) => [x]) };
    },
  },
};

export function userCommands(program: Command): void {
  const user = program.command('user').description('Users of the manager (administrators only)');

  user.command('list').description('List users').option('--limit <n>', 'at most this many', Number)
    .action(remote<{ limit?: number }>(async ({ client, opts, json }) => {
      const page = await client.call(routes.users.list, { query: { limit: opts.limit } });
      if (json) return printJson(page);
      print(formatTable(['Name', 'Full name', 'Groups', 'Disabled', 'Created'], page.items.map((u) => [u.name, u.fullName, u.groups.join(','), u.disabled, when(u.createdAt)])));
    }));

  user.command('show').description('Show a user').argument('<name>')
    .action(remote(async ({ client, args, json }) => {
      const u = await client.call(routes.users.get, { params: { name: String(args[0]) } });
      if (json) printJson(u);
      else print(showUser(u));
    }));

  user.command('create').description('Create a user; without --password-stdin a one-time password is generated and shown once')
    .argument('<name>')
    .option('--full-name <text>', 'the person\'s name')
    .option('--groups <a,b>', 'user groups (roles can be mapped to groups)')
    .option('--password-stdin', 'read its first password from standard input (it must be changed at first login)')
    .action(remote<{ fullName?: string; groups?: string; passwordStdin?: boolean }>(async ({ client, args, opts, json }) => {
      const created = await client.call(routes.users.create, {
        body: {
          name: String(args[0]),
          ...(opts.fullName ? { fullName: opts.fullName } : {}),
          ...(opts.groups ? { groups: list(opts.groups) } : {}),
          ...(opts.passwordStdin ? { password: await stdinLine('the password') } : {}),
        },
      });
      if (json) return printJson(created);
      print(showUser(created.user));
      if (created.oneTimePassword) note(`one-time password (shown once, to be changed at first login): ${created.oneTimePassword}`);
    }));

  user.command('modify').description('Change a user\'s full name, groups, or disable/enable it').argument('<name>')
    .option('--full-name <text>', 'the person\'s name')
    .option('--groups <a,b>', 'replace its user groups ("" for none)')
    .option('--disable', 'disable it: its sessions end and its API tokens are deleted')
    .option('--enable', 'enable it again')
    .action(remote<{ fullName?: string; groups?: string; disable?: boolean; enable?: boolean }>(async ({ client, args, opts, json }) => {
      if (opts.disable && opts.enable) throw new UsageError('--disable and --enable exclude each other');
      const body = {
        ...(opts.fullName !== undefined ? { fullName: opts.fullName } : {}),
        ...(opts.groups !== undefined ? { groups: list(opts.groups) ?? [] } : {}),
        ...(opts.disable ? { disabled: true } : opts.enable ? { disabled: false } : {}),
      };
      if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give --full-name, --groups, --disable or --enable');
      const u = await client.call(routes.users.modify, { params: { name: String(args[0]) }, body });
      if (json) printJson(u);
      else print(showUser(u));
    }));

  user.command('set-password').description('Set a user\'s password (generated unless --password-stdin); its sessions and API tokens end, and it must be changed at next login').argument('<name>')
    .option('--password-stdin', 'read the password from standard input')
    .action(remote<{ passwordStdin?: boolean }>(async ({ client, args, opts, json }) => {
      const r = await client.call(routes.users.setPassword, { params: { name: String(args[0]) }, body: opts.passwordStdin ? { password: await stdinLine('the password') } : {} });
      if (json) printJson(r);
      else if (r.oneTimePassword) note(`one-time password (shown once): ${r.oneTimePassword}`);
      else note('password set');
    }));

  user.command('delete').description('Delete a user, its sessions, tokens and role mappings').argument('<name>')
    .action(remote(async ({ client, args }) => {
      await client.call(routes.users.remove, { params: { name: String(args[0]) } });
      note(`user ${String(args[0])} deleted`);
    }));

  const role = program.command('role').description('Role mappings, as the seed\'s lwiMapRole (effective at once, no restart)');
  const mapping = (verb: 'add' | 'remove', route: typeof routes.roles.map | typeof routes.roles.unmap, what: string): void => {
    role.command(verb).description(`${what} (lwiMapRole -${verb})`)
      .requiredOption('--role <role>', 'administrator, WPARAdministrator, WPARUser or WPARMonitor')
      .option('--user <a,b>', 'users')
      .option('--group <a,b>', 'user groups')
      .action(remote<{ role: string; user?: string; group?: string }>(async ({ client, opts, json }) => {
        if (!opts.user && !opts.group) throw new UsageError('give --user, --group or both');
        const body = { ...(opts.user ? { users: list(opts.user) } : {}), ...(opts.group ? { groups: list(opts.group) } : {}) };
        const r = await client.call(route, { params: { role: opts.role }, body });
        if (json) printJson(r);
        else print(formatFields([['Role', r.role], ['Users', r.users.join(', ')], ['Groups', r.groups.join(', ')]]));
      }));
  };
  mapping('add', routes.roles.map, 'Map a role to users and user groups');
  mapping('remove', routes.roles.unmap, 'Unmap a role from users and user groups');

  role.command('purge').description('Remove every mapping of a role (lwiMapRole -purge)').requiredOption('--role <role>', 'the role')
    .action(remote<{ role: string }>(async ({ client, opts }) => {
      await client.call(routes.roles.purge, { params: { role: opts.role } });
      note(`every mapping of ${opts.role} removed`);
    }));

  role.command('query').description(`Query the mappings (lwiMapRole -query): ${Object.entries(QUERIES).map(([k, q]) => (q.arg ? `${k} ${q.arg}` : k)).join(' | ')}`)
    .argument('<criteria>', 'the query').argument('[name]', 'the user, group or role it asks about')
    .action(remote(async ({ client, args, json }) => {
      const [criteria, name] = args as [string, string | undefined];
      const q = QUERIES[criteria];
      if (!q) throw new UsageError(`unknown criteria ${criteria}: one of ${Object.keys(QUERIES).join(', ')}`);
      if (q.arg && !name) throw new UsageError(`${criteria} needs a ${q.arg}`);
      const r = await q.run(client, name ?? '');
      if (json) printJson(r.json);
      else print(formatTable(r.header, r.rows));
    }));
}

/**
 * The seed's own syntax, for those who type it from memory:
 * lwiMapRole -add|-remove -role R [-user a,b] [-group g] | -purge -role R | -query CRITERIA [NAME]
 */
export function lwiMapRoleArgs(argv: string[]): string[] {
  const [op, ...rest] = argv;
  if (op === '-query') return ['role', 'query', ...rest];
  if (op !== '-add' && op !== '-remove' && op !== '-purge') throw new UsageError('usage: lwiMapRole -add|-remove -role R [-user a,b] [-group g] | -purge -role R | -query CRITERIA [NAME]');
  return ['role', op.slice(1), ...rest.map((a) => (/^-(role|user|group)$/.test(a) ? `-${a}` : a))];
}

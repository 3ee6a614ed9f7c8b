// Role mappings: the seed's lwiMapRole operations (add, remove, purge) and its queries
// (getRoles, getRolesByUser, getRolesByGroup, getUsersByRole, getGroupsByRole). Roles are
// mapped to users of the built-in store and to user groups (plain names, like OS groups).
import type { Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import { PERMISSION_ROLES, ROLES, type Permission, type Role } from '../../api/roles.js';
import type { GroupRoles, MappingRequest, RoleGroups, RoleUsers, RoleView, UserRoles } from '../../api/users.js';
import type { Database, RoleMappingsTable } from '../db/schema.js';
import { administeredChange, grantsOf, parseRole, sortRoles } from './grants.js';
import { groupsByUser, requireUser, type Db } from './store.js';

type Kind = RoleMappingsTable['principal_type'];
interface Mapping { principal_type: Kind; principal: string }

export class RoleService {
  constructor(private readonly db: Kysely<Database>) {}

  /** getRoles: every role, what it may do, and who is mapped to it. */
  async list(): Promise<RoleView[]> {
    const rows = await this.db.selectFrom('role_mappings').select(['role', 'principal_type', 'principal']).execute();
    return ROLES.map((role) => roleView(role, rows.filter((r) => r.role === role)));
  }

  async get(role: string): Promise<RoleView> {
    return this.view(this.db, parseRole(role));
  }

  /** getUsersByRole: the users mapped to the role themselves (not through a group). */
  async usersOf(role: string): Promise<RoleUsers> {
    const { role: r, users } = await this.get(role);
    return { role: r, users };
  }

  /** getGroupsByRole */
  async groupsOf(role: string): Promise<RoleGroups> {
    const { role: r, groups } = await this.get(role);
    return { role: r, groups };
  }

  /** getRolesByUser: the roles a user holds, and through which mapping. */
  async rolesOfUser(name: string): Promise<UserRoles> {
    const user = await requireUser(this.db, name);
    const groups = (await groupsByUser(this.db, [user.id])).get(user.id) ?? [];
    const grants = await grantsOf(this.db, { name, groups });
    return { user: name, roles: sortRoles(grants.map((g) => g.role)), grants };
  }

  /** getRolesByGroup: the roles mapped to a user group. */
  async rolesOfGroup(group: string): Promise<GroupRoles> {
    const rows = await this.db.selectFrom('role_mappings').select('role')
      .where('principal_type', '=', 'group').where('principal', '=', group).execute();
    return { group, roles: sortRoles(rows.map((r) => r.role)) };
  }

  /** add: maps the role to users (of the store) and groups; existing mappings stay as they are. */
  async add(roleName: string, req: MappingRequest): Promise<RoleView> {
    const role = parseRole(roleName);
    const wanted = mappingsOf(req);
    return this.db.transaction().execute(async (trx) => {
      const users = wanted.filter((m) => m.principal_type === 'user').map((m) => m.principal);
      if (users.length) {
        const known = new Set((await trx.selectFrom('users').select('name').where('name', 'in', users).execute()).map((u) => u.name));
        const unknown = users.filter((u) => !known.has(u));
        if (unknown.length) throw new CapstanError('CAP-E0002', `user ${unknown.join(', ')}`);
      }
      const now = new Date().toISOString();
      await trx.insertInto('role_mappings')
        .values(wanted.map((m) => ({ role, ...m, created_at: now })))
        .onConflict((oc) => oc.doNothing())
        .execute();
      return this.view(trx, role);
    });
  }

  /** remove: takes the role from these users and groups; each must be mapped to it. */
  async remove(roleName: string, req: MappingRequest): Promise<RoleView> {
    const role = parseRole(roleName);
    const wanted = mappingsOf(req);
    return administeredChange(this.db, async (trx) => {
      const mapped = await mappingsOfRole(trx, role);
      const missing = wanted.filter((w) => !mapped.some((m) => m.principal_type === w.principal_type && m.principal === w.principal));
      if (missing.length) {
        throw new CapstanError('CAP-E0002', `${role} is not mapped to ${missing.map((m) => `${m.principal_type} ${m.principal}`).join(', ')}`);
      }
      for (const kind of ['user', 'group'] as const) {
        const names = wanted.filter((w) => w.principal_type === kind).map((w) => w.principal);
        if (names.length) {
          await trx.deleteFrom('role_mappings').where('role', '=', role)
            .where('principal_type', '=', kind).where('principal', 'in', names).execute();
        }
      }
      return this.view(trx, role);
    });
  }

  /** purge: removes every mapping of the role. */
  async purge(roleName: string): Promise<void> {
    const role = parseRole(roleName);
    await administeredChange(this.db, (trx) => trx.deleteFrom('role_mappings').where('role', '=', role).execute());
  }

  private async view(db: Db, role: Role): Promise<RoleView> {
    return roleView(role, await mappingsOfRole(db, role));
  }
}

function mappingsOfRole(db: Db, role: Role): Promise<Mapping[]> {
  return db.selectFrom('role_mappings').select(['principal_type', 'principal']).where('role', '=', role).execute();
}

/** Sorted in code order in JavaScript: the databases' collations differ. */
function roleView(role: Role, mappings: readonly Mapping[]): RoleView {
  const names = (kind: Kind) => mappings.filter((m) => m.principal_type === kind).map((m) => m.principal).sort();
  return { role, permissions: permissionsOf(role), users: names('user'), groups: names('group') };
}

function permissionsOf(role: Role): Permission[] {
  return (Object.entries(PERMISSION_ROLES) as [Permission, readonly Role[]][])
    .filter(([, roles]) => roles.includes(role))
    .map(([permission]) => permission);
}

function mappingsOf(req: MappingRequest): Mapping[] {
  const out: Mapping[] = [
    ...(req.users ?? []).map((principal) => ({ principal_type: 'user' as const, principal })),
    ...(req.groups ?? []).map((principal) => ({ principal_type: 'group' as const, principal })),
  ];
  if (out.length === 0) throw new CapstanError('CAP-E0001', 'name at least one user or group');
  return out;
}

// Role mappings, as the seed's lwiMapRole: add, remove, purge, and its queries. User
// groups live under /user-groups (/groups are WPAR groups). Administrators only.
import { Type } from 'typebox';
import { GroupParams, GroupRoles, MappingRequest, RoleGroups, RoleParams, RoleUsers, RoleView, UserParams, UserRoles } from '../../../api/users.js';
import type { Services } from '../../services.js';
import type { App } from '../types.js';

const tags = ['roles'];
const config = { permission: 'users.manage' } as const;

export async function roleRoutes(app: App, services: Services): Promise<void> {
  const { roles } = services;

  app.get('/roles', {
    config,
    schema: { summary: 'The roles, what each may do, and the users and groups mapped to each (getRoles)', tags, response: { 200: Type.Array(RoleView) } },
  }, async () => roles.list());

  app.get('/roles/:role', {
    config,
    schema: { summary: 'One role, what it may do, and who is mapped to it', tags, params: RoleParams, response: { 200: RoleView } },
  }, async (req) => roles.get(req.params.role));

  app.get('/roles/:role/users', {
    config,
    schema: { summary: 'The users mapped to a role (getUsersByRole)', tags, params: RoleParams, response: { 200: RoleUsers } },
  }, async (req) => roles.usersOf(req.params.role));

  app.get('/roles/:role/groups', {
    config,
    schema: { summary: 'The user groups mapped to a role (getGroupsByRole)', tags, params: RoleParams, response: { 200: RoleGroups } },
  }, async (req) => roles.groupsOf(req.params.role));

  app.post('/roles/:role/mappings', {
    config,
    schema: { summary: 'Map a role to users and user groups (lwiMapRole -add)', tags, params: RoleParams, body: MappingRequest, response: { 200: RoleView } },
  }, async (req) => roles.add(req.params.role, req.body));

  app.delete('/roles/:role/mappings', {
    config,
    schema: { summary: 'Unmap a role from users and user groups (lwiMapRole -remove)', tags, params: RoleParams, body: MappingRequest, response: { 200: RoleView } },
  }, async (req) => roles.remove(req.params.role, req.body));

  app.delete('/roles/:role', {
    config,
    schema: { summary: 'Remove every mapping of a role (lwiMapRole -purge)', tags, params: RoleParams, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    await roles.purge(req.params.role);
    return reply.status(204).send(null);
  });

  app.get('/users/:name/roles', {
    config,
    schema: { summary: 'The roles a user holds, directly or through its groups (getRolesByUser)', tags, params: UserParams, response: { 200: UserRoles } },
  }, async (req) => roles.rolesOfUser(req.params.name));

  app.get('/user-groups/:name/roles', {
    config,
    schema: { summary: 'The roles mapped to a user group (getRolesByGroup)', tags, params: GroupParams, response: { 200: GroupRoles } },
  }, async (req) => roles.rolesOfGroup(req.params.name));
}

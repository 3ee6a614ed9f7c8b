// Role mappings, as the seed's lwiMapRole: add, remove, purge, and its queries. User
// groups live under /user-groups (/groups are WPAR groups). Administrators only.
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import { fromTable } from '../route-options.js';
import type { App } from '../types.js';

export async function roleRoutes(app: App, services: Services): Promise<void> {
  const { roles } = services;
  const r = routes.roles;

  app.route({ ...fromTable(r.list), handler: async () => roles.list() });

  app.route({ ...fromTable(r.get), handler: async (req) => roles.get(req.params.role) });

  app.route({ ...fromTable(r.users), handler: async (req) => roles.usersOf(req.params.role) });

  app.route({ ...fromTable(r.groups), handler: async (req) => roles.groupsOf(req.params.role) });

  app.route({ ...fromTable(r.map), handler: async (req) => roles.add(req.params.role, req.body) });

  app.route({ ...fromTable(r.unmap), handler: async (req) => roles.remove(req.params.role, req.body) });

  app.route({
    ...fromTable(r.purge),
    handler: async (req, reply) => {
      await roles.purge(req.params.role);
      return reply.status(204).send(null);
    },
  });

  app.route({ ...fromTable(r.ofUser), handler: async (req) => roles.rolesOfUser(req.params.name) });

  app.route({ ...fromTable(r.ofGroup), handler: async (req) => roles.rolesOfGroup(req.params.name) });
}

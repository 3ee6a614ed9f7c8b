// The built-in user store (the seed's Console User Authority): administrators only.
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import { fromTable } from '../route-options.js';
import { principalOf, type App } from '../types.js';

export async function userRoutes(app: App, services: Services): Promise<void> {
  const { users } = services;
  const r = routes.users;

  app.route({ ...fromTable(r.list), handler: async (req) => users.list(req.query) });

  app.route({ ...fromTable(r.create), handler: async (req, reply) => reply.status(201).send(await users.create(req.body)) });

  app.route({ ...fromTable(r.get), handler: async (req) => users.get(req.params.name) });

  app.route({ ...fromTable(r.modify), handler: async (req) => users.modify(req.params.name, req.body) });

  app.route({ ...fromTable(r.setPassword), handler: async (req) => users.setPassword(req.params.name, req.body, principalOf(req).name) });

  app.route({
    ...fromTable(r.remove),
    handler: async (req, reply) => {
      await users.remove(req.params.name);
      return reply.status(204).send(null);
    },
  });
}

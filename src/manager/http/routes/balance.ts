// The balancer: status, dry run, events; applying or dismissing a recommendation.
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import { fromTable } from '../route-options.js';
import { principalOf, type App } from '../types.js';

export async function balanceRoutes(app: App, services: Services): Promise<void> {
  const { balance } = services;
  app.route({ ...fromTable(routes.balance.status), handler: async () => balance.status() });
  app.route({ ...fromTable(routes.balance.plan), handler: async (req) => balance.plan(req.query.group) });
  app.route({ ...fromTable(routes.balance.events), handler: async (req) => balance.list(req.query) });
  app.route({
    ...fromTable(routes.balance.apply),
    handler: async (req, reply) => reply.status(202).send(await balance.apply(req.params.id, principalOf(req))),
  });
  app.route({ ...fromTable(routes.balance.dismiss), handler: async (req) => balance.dismiss(req.params.id, principalOf(req).name) });
}

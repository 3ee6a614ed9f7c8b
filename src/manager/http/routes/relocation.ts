// Live relocation: move a WPAR to another system (chosen or automatic), or every WPAR off a
// system (evacuation). Answered 202 with the task; refusals (not relocatable, not offered,
// needs confirmation) come before it.
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import { fromTable } from '../route-options.js';
import { principalOf, type App } from '../types.js';

export async function relocationRoutes(app: App, services: Services): Promise<void> {
  app.route({
    ...fromTable(routes.wpars.relocate),
    preValidation: async (req) => {
      req.body ??= {};
    },
    handler: async (req, reply) => reply.status(202).send(await services.mobility.relocation.relocate(req.params.id, req.body, principalOf(req))),
  });
}

export async function evacuationRoutes(app: App, services: Services): Promise<void> {
  app.route({
    ...fromTable(routes.systems.evacuate),
    handler: async (req, reply) => reply.status(202).send(await services.mobility.evacuation.evacuate(req.params.id, principalOf(req).name)),
  });

  app.route({
    ...fromTable(routes.systems.restore),
    handler: async (req, reply) => {
      await services.mobility.evacuation.restore(req.params.id);
      return reply.status(204).send(null);
    },
  });
}

// WPARs: definitions and actions. Reads answer at once; every change is a task, answered
// 202 with the task (wait on /tasks/:id/wait or the events stream). Refusals come before
// any task exists, with their stable code.
import { CapstanError } from '../../../api/errors.js';
import { routes } from '../../../api/routes/index.js';
import { WPAR_STATE_ACTIONS, type ModifyWparRequest } from '../../../api/wpar.js';
import type { Services } from '../../services.js';
import { fromTable } from '../route-options.js';
import { principalOf, type App } from '../types.js';

/** Actions whose options all have defaults may be posted without a body. */
async function bodyDefaultsToEmpty(req: { body: unknown }): Promise<void> {
  req.body ??= {};
}

export async function wparRoutes(app: App, services: Services): Promise<void> {
  const wpars = services.inventory.wpars;
  const r = routes.wpars;

  app.route({ ...fromTable(r.list), handler: async (req) => wpars.list(req.query) });

  app.route({ ...fromTable(r.get), handler: async (req) => wpars.get(req.params.id) });

  app.route({ ...fromTable(r.create), handler: async (req, reply) => reply.status(202).send(await wpars.create(req.body, principalOf(req))) });

  app.route({ ...fromTable(r.clone), handler: async (req, reply) => reply.status(202).send(await wpars.clone(req.params.id, req.body, principalOf(req))) });

  app.route({ ...fromTable(r.modify), handler: async (req, reply) => reply.status(202).send(await wpars.modify(req.params.id, req.body as ModifyWparRequest, principalOf(req))) });

  app.route({ ...fromTable(r.delete), handler: async (req, reply) => reply.status(202).send(await wpars.delete(req.params.id, principalOf(req).name)) });

  app.route({
    ...fromTable(r.deploy),
    preValidation: bodyDefaultsToEmpty,
    handler: async (req, reply) => reply.status(202).send(await wpars.deploy(req.params.id, req.body, principalOf(req))),
  });

  app.route({
    ...fromTable(r.remove),
    preValidation: bodyDefaultsToEmpty,
    handler: async (req, reply) => reply.status(202).send(await wpars.remove(req.params.id, req.body, principalOf(req).name)),
  });

  // The session itself is a WebSocket (consoles/relay.ts); a plain GET only learns so.
  app.route({ ...fromTable(r.console), handler: async () => { throw new CapstanError('CAP-E1024'); } });

  app.route({ ...fromTable(r.acceptPrivileges), handler: async (req) => wpars.acceptPrivileges(req.params.id) });

  for (const action of WPAR_STATE_ACTIONS) {
    app.route({ ...fromTable(r[action]), handler: async (req, reply) => reply.status(202).send(await wpars.act(req.params.id, action, principalOf(req).name)) });
  }
}

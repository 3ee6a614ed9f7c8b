// Agents: registration (authenticated by the registration password, not a user), an agent
// leaving (by its own client certificate), the registrations waiting for an administrator,
// the list of agents, the registration password, and the system actions that ask an agent
// to report.
import type { IncomingMessage } from 'node:http';
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import { fromTable } from '../route-options.js';
import { principalOf, type App } from '../types.js';

export async function agentRoutes(app: App, services: Services): Promise<void> {
  const agents = services.agents;
  const r = routes.agents;

  app.route({ ...fromTable(r.register), handler: async (req, reply) => reply.status(201).send(await agents.register(req.body, req.ip)) });

  app.route({
    ...fromTable(r.unregister),
    handler: async (req, reply) => {
      await agents.unregister(req.raw as IncomingMessage);
      return reply.status(204).send(null);
    },
  });

  app.route({ ...fromTable(r.requests), handler: async () => agents.requests() });

  app.route({ ...fromTable(r.approve), handler: async (req) => agents.decide(req.params.name, 'approved', principalOf(req).name) });

  app.route({ ...fromTable(r.refuse), handler: async (req) => agents.decide(req.params.name, 'refused', principalOf(req).name) });

  app.route({ ...fromTable(r.list), handler: async () => agents.list() });

  app.route({ ...fromTable(r.registrationPassword), handler: async () => ({ password: agents.enrolment.registrationPassword() }) });

  app.route({
    ...fromTable(r.setRegistrationPassword),
    handler: async (req, reply) => {
      agents.enrolment.setPassword(req.body.password);
      return reply.status(204).send(null);
    },
  });

  app.route({ ...fromTable(routes.systems.discover), handler: async (req, reply) => reply.status(202).send(await agents.ask('discover', req.params.id, principalOf(req).name)) });

  app.route({ ...fromTable(routes.systems.updateProfile), handler: async (req, reply) => reply.status(202).send(await agents.ask('updateProfile', req.params.id, principalOf(req).name)) });
}

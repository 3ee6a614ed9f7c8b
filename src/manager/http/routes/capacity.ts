// Instant capacity: complexes and their status (the seed's icapstatus), codewords and
// activation (icapmodify), notifications (icapnotify), the ledger, the activation log (JSON
// and CSV), trusted issuers and the deploy-check setting. Reads need 'view'; every change
// 'system.manage'.
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import { fromTable } from '../route-options.js';
import { principalOf, type App } from '../types.js';

export async function capacityRoutes(app: App, services: Services): Promise<void> {
  const capacity = services.capacity;
  const r = routes.capacity;

  app.route({ ...fromTable(r.list), handler: async () => ({ items: await capacity.list() }) });

  app.route({ ...fromTable(r.get), handler: async (req) => capacity.get(req.params.id) });

  app.route({ ...fromTable(r.create), handler: async (req, reply) => reply.status(201).send(await capacity.create(req.body, principalOf(req).name)) });

  app.route({ ...fromTable(r.modify), handler: async (req) => capacity.modify(req.params.id, req.body, principalOf(req).name) });

  app.route({
    ...fromTable(r.remove),
    handler: async (req, reply) => {
      await capacity.remove(req.params.id, principalOf(req).name);
      return reply.status(204).send(null);
    },
  });

  app.route({ ...fromTable(r.ledger), handler: async (req) => ({ items: await capacity.ledger(req.params.id, req.query.limit) }) });

  app.route({ ...fromTable(r.log), handler: async (req) => capacity.activationLog(req.query) });

  app.route({
    ...fromTable(r.logCsv),
    handler: async (req, reply) => {
      const csv = await capacity.activationLogCsv(req.query);
      return reply
        .type('text/csv; charset=utf-8; header=present')
        .header('content-disposition', `attachment; filename="capacity-activation-log-${new Date().toISOString().slice(0, 10)}.csv"`)
        .send(csv);
    },
  });

  app.route({ ...fromTable(r.testNotification), handler: async (req) => ({ items: await capacity.testNotification(req.params.id) }) });

  app.route({ ...fromTable(r.notifications), handler: async (req) => ({ items: await capacity.deliveryLog(req.query) }) });

  app.route({ ...fromTable(r.applyCodeword), handler: async (req) => capacity.applyCodeword(req.body, principalOf(req).name) });

  app.route({ ...fromTable(r.activate), handler: async (req) => capacity.activate(req.params.id, req.body, principalOf(req).name) });

  app.route({ ...fromTable(r.deactivate), handler: async (req) => capacity.deactivate(req.params.id, req.body, principalOf(req).name) });

  app.route({ ...fromTable(r.move), handler: async (req) => capacity.move(req.body, principalOf(req).name) });

  app.route({ ...fromTable(r.issuers), handler: async () => ({ items: await capacity.issuers.list() }) });

  app.route({ ...fromTable(r.addIssuer), handler: async (req, reply) => reply.status(201).send(await capacity.issuers.add(req.body)) });

  app.route({
    ...fromTable(r.removeIssuer),
    handler: async (req, reply) => {
      await capacity.issuers.remove(req.params.id);
      return reply.status(204).send(null);
    },
  });

  app.route({ ...fromTable(r.settings), handler: async () => capacity.settings() });

  app.route({ ...fromTable(r.setSettings), handler: async (req) => capacity.setSettings(req.body) });
}

// The manager's log levels while it runs (the seed's lwilog): a thin layer over LogLevels,
// which refuses an unknown level (CAP-E1030) or component (CAP-E1031).
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import { fromTable } from '../route-options.js';
import type { App } from '../types.js';

export async function loggingRoutes(app: App, services: Services): Promise<void> {
  const levels = services.logLevels;

  app.route({ ...fromTable(routes.logging.get), handler: async () => levels.view() });

  app.route({ ...fromTable(routes.logging.setLevel), handler: async (req) => levels.setLevel(req.body.level) });

  app.route({ ...fromTable(routes.logging.reset), handler: async () => levels.reset() });

  app.route({ ...fromTable(routes.logging.setComponent), handler: async (req) => levels.setComponent(req.params.name, req.body.level) });

  app.route({ ...fromTable(routes.logging.removeComponent), handler: async (req) => levels.removeComponent(req.params.name) });
}

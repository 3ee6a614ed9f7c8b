// Mobility, read-only: compatibility of a system with every other, the whole matrix, and the
// relocation targets of a WPAR (automatic and manual selection).
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import { fromTable } from '../route-options.js';
import type { App } from '../types.js';

export async function mobilityRoutes(app: App, services: Services): Promise<void> {
  const { views, targets } = services.mobility;

  app.route({ ...fromTable(routes.systems.compatibility), handler: async (req) => views.forSystem(req.params.id, req.query.tests) });

  app.route({ ...fromTable(routes.compatibility.matrix), handler: async (req) => views.matrix(req.query.tests) });

  app.route({ ...fromTable(routes.wpars.targets), handler: async (req) => targets.targets(req.params.id) });
}

// Health, the OpenAPI document, and who the caller is.
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import { fromTable } from '../route-options.js';
import { principalOf, type App } from '../types.js';

export async function metaRoutes(app: App, _services: Services): Promise<void> {
  app.route({ ...fromTable(routes.meta.health), handler: async () => ({ status: 'ok' }) });

  app.route({ ...fromTable(routes.meta.openapi), handler: async () => app.swagger() });

  app.route({
    ...fromTable(routes.meta.whoami),
    handler: async (req) => {
      const p = principalOf(req);
      return { id: p.userId, name: p.name, groups: p.groups, roles: p.roles, via: p.via };
    },
  });
}

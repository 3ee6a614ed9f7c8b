// Health, the OpenAPI document, and who the caller is.
import { Type } from 'typebox';
import type { Services } from '../../services.js';
import { principalOf, type App } from '../types.js';

export async function metaRoutes(app: App, _services: Services): Promise<void> {
  app.get('/health', { config: { permission: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () => app.swagger());

  app.get('/whoami', {
    config: { permission: 'authenticated' },
    schema: {
      summary: 'The authenticated user, its groups and roles',
      response: { 200: Type.Object({ id: Type.String(), name: Type.String(), groups: Type.Array(Type.String()), roles: Type.Array(Type.String()), via: Type.String() }) },
    },
  }, async (req) => {
    const p = principalOf(req);
    return { id: p.userId, name: p.name, groups: p.groups, roles: p.roles, via: p.via };
  });
}

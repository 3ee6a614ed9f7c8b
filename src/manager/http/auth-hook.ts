// Enforces every route's declared permission: authenticates the caller (session cookie or
// Bearer token) and checks its roles before any handler runs. Fails closed.
import { CapstanError } from '../../api/errors.js';
import { rolesAllow } from '../../api/roles.js';
import { SESSION_COOKIE, type SessionService } from '../auth/sessions.js';
import type { App } from './types.js';

export function installAuth(app: App, sessions: SessionService): void {
  app.addHook('onRoute', (route) => {
    if (!route.config?.permission) {
      throw new Error(`route ${route.method} ${route.url} declares no permission`);
    }
  });

  app.addHook('onRequest', async (req) => {
    const permission = req.routeOptions.config?.permission;
    if (permission === undefined) {
      // Unknown routes (404) fall through to the not-found handler.
      if (req.routeOptions.url === undefined) return;
      throw new CapstanError('CAP-E0102');
    }
    if (permission === 'public') return;
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    const session = req.cookies?.[SESSION_COOKIE];
    req.principal = await sessions.authenticate({ token, session });
    if (!rolesAllow(permission, req.principal.roles)) {
      throw new CapstanError('CAP-E0102', `needs one of the roles for "${permission}"`);
    }
  });
}

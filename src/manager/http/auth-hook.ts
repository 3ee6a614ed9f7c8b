// Enforces every route's declared permission: authenticates the caller (session cookie or
// Bearer token) and checks its roles before any handler runs, and refuses changes made
// with the cookie from another origin (same-origin.ts). Fails closed. Also keeps the
// table of every route and what it needs (app.routeTable), which the role-matrix test
// checks against its own expectations.
import { CapstanError } from '../../api/errors.js';
import { rolesAllow, type Permission } from '../../api/roles.js';
import { SESSION_COOKIE } from '../../api/paths.js';
import type { Principal, SessionService } from '../auth/sessions.js';
import { isSafeMethod, originMatchesHost } from './same-origin.js';
import type { App } from './types.js';

export interface RouteEntry {
  method: string;
  /** With the prefix, as matched: e.g. /api/v1/users/:name */
  url: string;
  permission: Permission;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered so far, one entry per method. */
    routeTable: RouteEntry[];
  }
}

/**
 * What a user whose password must change (a one-time or administrator-set one) may still
 * call: who am I, log out, and change it. By path below the API prefix.
 */
const OPEN_BEFORE_PASSWORD_CHANGE = new Set(['GET /whoami', 'POST /auth/logout', 'PUT /auth/password']);

export function installAuth(app: App, sessions: SessionService): void {
  const routeTable: RouteEntry[] = [];
  const openBeforePasswordChange = new Set<string>();
  app.decorate('routeTable', routeTable);

  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    if (!permission) {
      throw new Error(`route ${route.method} ${route.url} declares no permission`);
    }
    // Fastify documents routePath (the path below the prefix) for onRoute, but does not type it.
    const routePath = (route as { routePath?: string }).routePath ?? route.url;
    for (const method of [route.method].flat()) {
      routeTable.push({ method, url: route.url, permission });
      if (OPEN_BEFORE_PASSWORD_CHANGE.has(`${method} ${routePath}`)) openBeforePasswordChange.add(`${method} ${route.url}`);
    }
  });

  app.addHook('onRequest', async (req) => {
    const permission = req.routeOptions.config?.permission;
    if (permission === undefined) {
      // Unknown routes (404) fall through to the not-found handler.
      if (req.routeOptions.url === undefined) return;
      throw new CapstanError('CAP-E0102');
    }
    const principal = await authorizeCaller(sessions, {
      permission,
      unsafe: !isSafeMethod(req.method),
      origin: req.headers.origin,
      host: req.headers.host,
      authorization: req.headers.authorization,
      sessionCookie: req.cookies?.[SESSION_COOKIE],
      openBeforePasswordChange: openBeforePasswordChange.has(`${req.method} ${req.routeOptions.url}`),
    });
    if (principal) {
      req.principal = principal;
      req.log.trace({ user: principal.name, via: principal.via, roles: principal.roles, permission }, 'authenticated');
    }
  });
}

export interface CallerCheck {
  permission: Permission;
  /** A change (or a WebSocket, which can change anything it reaches): its origin is checked. */
  unsafe: boolean;
  origin: string | undefined;
  host: string | undefined;
  authorization: string | undefined;
  sessionCookie: string | undefined;
  /** The route is one a user whose password must change may still call. */
  openBeforePasswordChange: boolean;
}

/**
 * Who calls, and whether they may: by Bearer token or session cookie, roles checked against
 * the permission. Undefined for a public call. The one check for routes and WebSocket upgrades.
 */
export async function authorizeCaller(sessions: SessionService, c: CallerCheck): Promise<Principal | undefined> {
  // A foreign page may not log a browser in either (it would act as the attacker's user).
  if (c.unsafe && c.origin !== undefined && !originMatchesHost(c.origin, c.host)) {
    throw new CapstanError('CAP-E0110', `Origin ${c.origin} is not this manager`);
  }
  if (c.permission === 'public') return undefined;
  const token = c.authorization?.startsWith('Bearer ') ? c.authorization.slice(7).trim() : undefined;
  const principal = await sessions.authenticate({ token, session: c.sessionCookie });
  // A change made with the cookie must name its origin: see same-origin.ts.
  if (c.unsafe && principal.via === 'session' && c.origin === undefined) {
    throw new CapstanError('CAP-E0110', 'a change made with the session cookie must carry an Origin header');
  }
  if (principal.mustChangePassword && !c.openBeforePasswordChange) {
    throw new CapstanError('CAP-E0107', 'set a new password first (PUT /auth/password)');
  }
  if (!rolesAllow(c.permission, principal.roles)) {
    throw new CapstanError('CAP-E0102', `needs one of the roles for "${c.permission}"`);
  }
  return principal;
}

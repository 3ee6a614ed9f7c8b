// Logging in and out (a session cookie for the console), changing one's own password, and
// one's own API tokens (the CLI and automation use a token instead of the cookie).
import { CapstanError } from '../../../api/errors.js';
import { SESSION_COOKIE } from '../../../api/paths.js';
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import { fromTable } from '../route-options.js';
import { principalOf, type App } from '../types.js';

// Strict same-site and HTTP-only: the cookie is never sent by other sites' pages, nor readable by scripts.
const COOKIE = { path: '/', httpOnly: true, secure: true, sameSite: 'strict' } as const;

export async function authRoutes(app: App, services: Services): Promise<void> {
  const { sessions, users } = services;
  const r = routes.auth;

  app.route({
    ...fromTable(r.login),
    handler: async (req, reply) => {
      const { secret, expiresAt, principal, user } = await sessions.login(req.body.name, req.body.password, req.ip);
      void reply.setCookie(SESSION_COOKIE, secret, { ...COOKIE, expires: new Date(expiresAt) });
      return { user, roles: principal.roles, expiresAt };
    },
  });

  app.route({
    ...fromTable(r.logout),
    handler: async (req, reply) => {
      const secret = req.cookies[SESSION_COOKIE];
      if (secret) await sessions.logout(secret);
      return reply.clearCookie(SESSION_COOKIE, COOKIE).status(204).send(null);
    },
  });

  app.route({
    ...fromTable(r.changePassword),
    handler: async (req, reply) => {
      await users.changeOwnPassword(principalOf(req).userId, req.body);
      return reply.status(204).send(null);
    },
  });

  app.route({
    ...fromTable(r.createToken),
    handler: async (req, reply) => {
      const p = principalOf(req);
      // A token that could mint tokens would outlive its own expiry: new ones need a login.
      if (p.via !== 'session') throw new CapstanError('CAP-E0109');
      return reply.status(201).send(await sessions.createToken(p.userId, req.body.name, req.body.ttlDays));
    },
  });

  app.route({ ...fromTable(r.tokens), handler: async (req) => sessions.listTokens(principalOf(req).userId) });

  app.route({
    ...fromTable(r.revokeToken),
    handler: async (req, reply) => {
      await sessions.revokeToken(principalOf(req).userId, req.params.id);
      return reply.status(204).send(null);
    },
  });
}

// The Fastify instance type every route module receives, with TypeBox as type provider
// so route handlers get typed bodies, params and queries from the shared schemas.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerBase } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Permission } from '../../api/roles.js';
import type { Principal } from '../auth/sessions.js';

export type App = FastifyInstance<RawServerBase, RawRequestDefaultExpression<RawServerBase>, RawReplyDefaultExpression<RawServerBase>, FastifyBaseLogger, TypeBoxTypeProvider>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Every route declares what it needs; a route without one is refused at start-up. */
    permission?: Permission;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The authenticated principal of a request on a route that requires one. */
export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw new Error('route declared a role permission but no principal was attached');
  return req.principal;
}

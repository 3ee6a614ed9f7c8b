// Builds the manager's HTTP application: validation by the shared JSON schemas, the
// error catalog on every failure, the OpenAPI document, authentication and roles on every
// route, then the route modules (thin: they call services).
import Fastify, { type FastifyBaseLogger, type FastifyServerOptions } from 'fastify';
import type { Plugin as AjvPlugin } from 'ajv';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import addFormats from 'ajv-formats';
import { CapstanError, ERRORS, type ErrorBody } from '../../api/errors.js';
import { API_PREFIX } from '../../api/paths.js';
import { HTTP_LIMITS, type HttpLimits } from '../config.js';
import type { TlsMaterial } from '../pki/self-signed.js';
import type { Services } from '../services.js';
import { installAuth } from './auth-hook.js';
import type { App } from './types.js';
import { metaRoutes } from './routes/meta.js';
import { authRoutes } from './routes/auth.js';
import { userRoutes } from './routes/users.js';
import { roleRoutes } from './routes/roles.js';
import { systemRoutes } from './routes/systems.js';
import { domainRoutes } from './routes/domains.js';
import { groupRoutes } from './routes/groups.js';
import { wparRoutes } from './routes/wpars.js';
import { taskRoutes } from './routes/tasks.js';
import { backupRoutes } from './routes/backup.js';
import { capacityRoutes } from './routes/capacity.js';
import { installConsole } from './console.js';
import { typedQuery } from './query-types.js';
import { agentRoutes } from './routes/agents.js';
import { metricRoutes, prometheusRoute } from './routes/metrics.js';
import { mobilityRoutes } from './routes/mobility.js';
import { evacuationRoutes, relocationRoutes } from './routes/relocation.js';
import { balanceRoutes } from './routes/balance.js';
import { loggingRoutes } from './routes/logging.js';

export interface AppOptions {
  tls?: TlsMaterial;
  /** Client certificates signed by this CA are verified (agents); others may still use the API with a login. */
  clientCa?: string;
  /** The process's logger; without one the app logs nothing (tests). */
  logger?: FastifyBaseLogger;
  limits?: Partial<HttpLimits>;
}

export async function buildApp(services: Services, opts: AppOptions = {}): Promise<App> {
  const limits = { ...HTTP_LIMITS, ...opts.limits };
  const base: FastifyServerOptions = {
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    ajv: {
      // No coercion: a JSON body's types are the caller's, and a wrong one is refused. Query
      // strings are typed before validation by their schema (query-types.ts).
      customOptions: { coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false },
      plugins: [addFormats as unknown as AjvPlugin<unknown>],
    },
    // Receiving the request only: a long-lived answer (task progress) is not cut by it.
    requestTimeout: limits.requestTimeoutSeconds * 1000,
  };
  const app = (opts.tls
    ? Fastify({ ...base, https: { cert: opts.tls.cert, key: opts.tls.key, ...(opts.clientCa ? { ca: opts.clientCa, requestCert: true, rejectUnauthorized: false } : {}) } } as FastifyServerOptions)
    : Fastify(base)
  ).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  app.server.maxConnections = limits.maxConnections;

  app.setErrorHandler((err: unknown, req, reply) => {
    let body: ErrorBody;
    let status: number;
    if (err instanceof CapstanError) {
      status = err.status;
      body = { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
    } else if (isValidationError(err)) {
      status = 400;
      body = { code: 'CAP-E0001', message: `${ERRORS['CAP-E0001'].message}: ${err.message}`, details: err.validation };
    } else if (isClientError(err)) {
      status = err.statusCode;
      body = { code: 'CAP-E0001', message: `${ERRORS['CAP-E0001'].message}: ${err.message}` };
    } else {
      req.log.error({ err }, 'unhandled error');
      status = 500;
      body = { code: 'CAP-E0005', message: ERRORS['CAP-E0005'].message };
    }
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ code: 'CAP-E0006', message: `${ERRORS['CAP-E0006'].message}: ${req.method} ${req.url}` });
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Capstan manager API', version: '1' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'capstan_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  installAuth(app, services.sessions);
  app.addHook('preValidation', async (req) => {
    req.query = typedQuery(req.routeOptions.schema?.querystring as Parameters<typeof typedQuery>[0], req.query as Record<string, unknown>);
    // Fastify validates a JSON null body as if none was sent (defaults and all).
    if (req.body === null && req.routeOptions.schema?.body) throw new CapstanError('CAP-E0001', 'body must be object');
  });

  await app.register(async (api) => {
    const a = api as unknown as App;
    for (const routes of [metaRoutes, authRoutes, userRoutes, roleRoutes, systemRoutes, domainRoutes, groupRoutes, wparRoutes, taskRoutes, backupRoutes, agentRoutes, metricRoutes, capacityRoutes, mobilityRoutes, relocationRoutes, evacuationRoutes, balanceRoutes, loggingRoutes]) {
      await routes(a, services);
    }
  }, { prefix: API_PREFIX });
  await prometheusRoute(app, services);
  installConsole(app);
  return app;
}

function isValidationError(err: unknown): err is { message: string; validation: unknown } {
  return typeof err === 'object' && err !== null && 'validation' in err && Array.isArray((err as { validation: unknown }).validation);
}

function isClientError(err: unknown): err is { message: string; statusCode: number } {
  const s = (err as { statusCode?: unknown })?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 500;
}

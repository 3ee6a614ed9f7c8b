// The five routes every named inventory resource has (systems, relocation domains, WPAR
// groups): list, show, create, modify, remove. Reads need 'view'; changes 'system.manage'.
import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify';
import { Type, type Static, type TSchema } from 'typebox';
import type { Page } from '../../../api/resources.js';
import { PageOf, RefParams } from '../../../api/resources.js';
import type { App } from '../types.js';

export interface CrudService<V, Q, C, M> {
  list(query: Q): Promise<Page<V>>;
  get(ref: string): Promise<V>;
  create(body: C): Promise<V>;
  modify(ref: string, body: M): Promise<V>;
  remove(ref: string): Promise<void>;
}

export interface CrudRoutes<V extends TSchema, Q extends TSchema, C extends TSchema, M extends TSchema> {
  /** e.g. '/domains' */
  path: string;
  tag: string;
  schemas: { view: V; query: Q; create: C; modify: M };
  summaries: { list: string; get: string; create: string; modify: string; remove: string };
  service: CrudService<Static<V>, Static<Q>, Static<C>, Static<M>>;
}

type Req = FastifyRequest<{ Params: { id: string } }>;
/** Route schemas as plain FastifySchema: generic TypeBox schemas are opaque to Fastify's types. */
const schema = (s: FastifySchema & { summary: string; tags: string[] }): FastifySchema => s;

export function crudRoutes<V extends TSchema, Q extends TSchema, C extends TSchema, M extends TSchema>(
  typedApp: App,
  r: CrudRoutes<V, Q, C, M>,
): void {
  // The type provider cannot follow generic schemas: the service signature types the
  // handlers here, the schemas validate and serialise at run time as on every route.
  const app = typedApp as unknown as FastifyInstance;
  const one = `${r.path}/:id`;
  const tags = [r.tag];

  app.get(r.path, {
    config: { permission: 'view' },
    schema: schema({ summary: r.summaries.list, tags, querystring: r.schemas.query, response: { 200: PageOf(r.schemas.view) } }),
  }, async (req) => r.service.list(req.query as Static<Q>));

  app.get(one, {
    config: { permission: 'view' },
    schema: schema({ summary: r.summaries.get, tags, params: RefParams, response: { 200: r.schemas.view } }),
  }, async (req: Req) => r.service.get(req.params.id));

  app.post(r.path, {
    config: { permission: 'system.manage' },
    schema: schema({ summary: r.summaries.create, tags, body: r.schemas.create, response: { 201: r.schemas.view } }),
  }, async (req, reply) => {
    void reply.status(201);
    return r.service.create(req.body as Static<C>);
  });

  app.patch(one, {
    config: { permission: 'system.manage' },
    schema: schema({ summary: r.summaries.modify, tags, params: RefParams, body: r.schemas.modify, response: { 200: r.schemas.view } }),
  }, async (req: Req) => r.service.modify(req.params.id, req.body as Static<M>));

  app.delete(one, {
    config: { permission: 'system.manage' },
    schema: schema({ summary: r.summaries.remove, tags, params: RefParams, response: { 204: Type.Null() } }),
  }, async (req: Req, reply) => {
    await r.service.remove(req.params.id);
    return reply.status(204).send();
  });
}

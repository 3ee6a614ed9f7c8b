// The five routes every named inventory resource has (systems, relocation domains, WPAR
// groups): list, show, create, modify, remove (a task when it answers one), as the route table defines them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { Page } from '../../../api/resources.js';
import type { BodyOf, ResultOf, RouteDefinition } from '../../../api/route-definition.js';
import type { InventoryRouteSet } from '../../../api/routes/inventory.js';
import { fromTable } from '../route-options.js';
import { principalOf, type App } from '../types.js';

export interface CrudService<V, Q, C, M, RQ = never> {
  list(query: Q): Promise<Page<V>>;
  get(ref: string): Promise<V>;
  create(body: C): Promise<V>;
  modify(ref: string, body: M): Promise<V>;
  /** What a removal answers, if anything (a task), for 202; nothing for 204. */
  remove(ref: string, query: RQ, by: string): Promise<unknown>;
}

/** A route's query as handlers see it: with the defaults filled in. */
type ListQuery<R extends RouteDefinition> = R['schema'] extends { querystring: infer S extends TSchema } ? Static<S> : never;

type Req = FastifyRequest<{ Params: { id: string } }>;

export function crudRoutes<T extends InventoryRouteSet>(
  typedApp: App,
  table: T,
  service: CrudService<ResultOf<T['get']>, ListQuery<T['list']>, BodyOf<T['create']>, BodyOf<T['modify']>, ListQuery<T['remove']>>,
): void {
  // The type provider cannot follow generic schemas: the service signature types the
  // handlers here, the schemas validate and serialise at run time as on every route.
  const app = typedApp as unknown as FastifyInstance;

  app.route({ ...fromTable(table.list), handler: async (req) => service.list(req.query as ListQuery<T['list']>) });

  app.route({ ...fromTable(table.get), handler: async (req: Req) => service.get(req.params.id) });

  app.route({
    ...fromTable(table.create),
    handler: async (req, reply) => {
      void reply.status(201);
      return service.create(req.body as BodyOf<T['create']>);
    },
  });

  app.route({ ...fromTable(table.modify), handler: async (req: Req) => service.modify(req.params.id, req.body as BodyOf<T['modify']>) });

  app.route({
    ...fromTable(table.remove),
    handler: async (req: Req, reply) => {
      const answer = await service.remove(req.params.id, req.query as ListQuery<T['remove']>, principalOf(req).name);
      return answer === undefined ? reply.status(204).send() : reply.status(202).send(answer);
    },
  });
}

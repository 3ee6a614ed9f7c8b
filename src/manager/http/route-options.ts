// A route's registration options from its entry in the API's route table: its method, path,
// permission and schemas come from there, and the TypeBox type provider types the handler
// (params, query, body, reply) from those schemas.
import type { RouteDefinition } from '../../api/route-definition.js';

interface TableRouteOptions<R extends RouteDefinition> {
  method: R['method'];
  url: R['path'];
  config: { permission: R['permission'] };
  schema: R['schema'];
}

export function fromTable<R extends RouteDefinition>(route: R): TableRouteOptions<R> {
  return { method: route.method, url: route.path, config: { permission: route.permission }, schema: route.schema };
}

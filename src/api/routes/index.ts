// The manager's API, one route table: every route's method, path, permission and schemas.
// The manager registers its handlers against it; the CLI, the agents and the console call
// through it (see route-definition.ts for the types callers get).
import type { RouteDefinition } from '../route-definition.js';
import { authRoutes, metaRoutes, roleRoutes, userRoutes } from './access.js';
import { balanceRoutes } from './balance.js';
import { capacityRoutes } from './capacity.js';
import { loggingRoutes } from './operations.js';
import { agentRoutes, compatibilityRoutes, domainRoutes, groupRoutes, systemRoutes } from './inventory.js';
import { backupRoutes, taskRoutes } from './tasks.js';
import { wparRoutes } from './wpars.js';

export { wparStateActionRoutes } from './wpars.js';

export const routes = {
  meta: metaRoutes,
  auth: authRoutes,
  users: userRoutes,
  roles: roleRoutes,
  systems: systemRoutes,
  domains: domainRoutes,
  groups: groupRoutes,
  agents: agentRoutes,
  compatibility: compatibilityRoutes,
  wpars: wparRoutes,
  tasks: taskRoutes,
  backups: backupRoutes,
  logging: loggingRoutes,
  capacity: capacityRoutes,
  balance: balanceRoutes,
} as const satisfies Record<string, Record<string, RouteDefinition>>;

/** Every route of the table, each named by its group and key (e.g. "wpars.get"). */
export function allRoutes(): [name: string, route: RouteDefinition][] {
  return Object.entries(routes).flatMap(([group, members]) => Object.entries(members).map(([key, r]): [string, RouteDefinition] => [`${group}.${key}`, r]));
}

// Managed systems: the inventory's routes, with the removal that chooses what becomes of their WPARs.
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import type { App } from '../types.js';
import { crudRoutes } from './inventory-crud.js';

export async function systemRoutes(app: App, services: Services): Promise<void> {
  const { systems, systemRemoval } = services.inventory;
  crudRoutes(app, routes.systems, {
    list: (query) => systems.list(query),
    get: (ref) => systems.get(ref),
    create: (body) => systems.create(body),
    modify: (ref, body) => systems.modify(ref, body),
    remove: (ref, query, by) => systemRemoval.remove(ref, query.wpars, by),
  });
}

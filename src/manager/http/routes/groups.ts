// WPAR groups and their relocation policies.
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import type { App } from '../types.js';
import { crudRoutes } from './inventory-crud.js';

export async function groupRoutes(app: App, services: Services): Promise<void> {
  crudRoutes(app, routes.groups, services.inventory.groups);
}

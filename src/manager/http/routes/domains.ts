// Relocation domains.
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import type { App } from '../types.js';
import { crudRoutes } from './inventory-crud.js';

export async function domainRoutes(app: App, services: Services): Promise<void> {
  crudRoutes(app, routes.domains, services.inventory.domains);
}

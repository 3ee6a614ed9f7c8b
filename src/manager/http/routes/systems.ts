// Managed systems.
import { AddSystemRequest, ModifySystemRequest, SystemListQuery, SystemView } from '../../../api/systems.js';
import type { Services } from '../../services.js';
import type { App } from '../types.js';
import { crudRoutes } from './inventory-crud.js';

export async function systemRoutes(app: App, services: Services): Promise<void> {
  crudRoutes(app, {
    path: '/systems',
    tag: 'systems',
    schemas: { view: SystemView, query: SystemListQuery, create: AddSystemRequest, modify: ModifySystemRequest },
    summaries: {
      list: 'List managed systems (filter by state, relocation domain)',
      get: 'Show a managed system (by id or name)',
      create: 'Add a managed system by name and host; Unknown until its agent reports',
      modify: 'Rename a managed system or move it to another relocation domain',
      remove: 'Remove a managed system (refused while WPARs are deployed on it)',
    },
    service: services.inventory.systems,
  });
}

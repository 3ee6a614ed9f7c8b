// Relocation domains.
import { CreateDomainRequest, DomainListQuery, DomainView, ModifyDomainRequest } from '../../../api/domains.js';
import type { Services } from '../../services.js';
import type { App } from '../types.js';
import { crudRoutes } from './inventory-crud.js';

export async function domainRoutes(app: App, services: Services): Promise<void> {
  crudRoutes(app, {
    path: '/domains',
    tag: 'domains',
    schemas: { view: DomainView, query: DomainListQuery, create: CreateDomainRequest, modify: ModifyDomainRequest },
    summaries: {
      list: 'List relocation domains',
      get: 'Show a relocation domain (by id or name)',
      create: 'Create a relocation domain',
      modify: 'Rename or describe a relocation domain',
      remove: 'Remove a relocation domain (not the default one, nor one with systems)',
    },
    service: services.inventory.domains,
  });
}

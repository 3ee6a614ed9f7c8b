// WPAR groups and their relocation policies.
import { CreateGroupRequest, GroupListQuery, GroupView, ModifyGroupRequest } from '../../../api/groups.js';
import type { Services } from '../../services.js';
import type { App } from '../types.js';
import { crudRoutes } from './inventory-crud.js';

export async function groupRoutes(app: App, services: Services): Promise<void> {
  crudRoutes(app, {
    path: '/groups',
    tag: 'groups',
    schemas: { view: GroupView, query: GroupListQuery, create: CreateGroupRequest, modify: ModifyGroupRequest },
    summaries: {
      list: 'List WPAR groups',
      get: 'Show a WPAR group and its relocation policy (by id or name)',
      create: 'Create a WPAR group with a relocation policy',
      modify: 'Rename, describe or change the relocation policy of a WPAR group',
      remove: 'Remove a WPAR group (not the default one, nor one with WPARs)',
    },
    service: services.inventory.groups,
  });
}

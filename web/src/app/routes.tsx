// The console's pages: where each lives, who may see it, and its view (loaded on first visit,
// so the first load carries only the shell).
import { lazy, type ComponentType } from 'react';
import type { Permission } from '../../../src/api/roles.js';

export interface Route {
  pattern: string;
  permission: Permission;
  view: ComponentType<{ params: Record<string, string> }>;
}

export interface NavItem {
  to: string;
  label: string;
  permission: Permission;
  section: 'Resource views' | 'Task management' | 'Settings';
}

const WparsView = lazy(() => import('../views/wpars/WparsView.js'));
const WparDetail = lazy(() => import('../views/wpars/WparDetail.js'));
const CreateWizard = lazy(() => import('../views/wpars/CreateWizard.js'));
const SystemsView = lazy(() => import('../views/systems/SystemsView.js'));
const SystemDetail = lazy(() => import('../views/systems/SystemDetail.js'));
const GroupsView = lazy(() => import('../views/inventory/GroupsView.js'));
const DomainsView = lazy(() => import('../views/inventory/DomainsView.js'));
const TasksView = lazy(() => import('../views/tasks/TasksView.js'));
const TaskDetail = lazy(() => import('../views/tasks/TaskDetail.js'));
const UsersView = lazy(() => import('../views/settings/UsersView.js'));
const RolesView = lazy(() => import('../views/settings/RolesView.js'));
const AccountView = lazy(() => import('../views/settings/AccountView.js'));
const BackupsView = lazy(() => import('../views/settings/BackupsView.js'));
const CapacityView = lazy(() => import('../views/capacity/CapacityView.js'));
const ComplexDetail = lazy(() => import('../views/capacity/ComplexDetail.js'));
const CapacitySettingsView = lazy(() => import('../views/capacity/CapacitySettingsView.js'));
const AgentsView = lazy(() => import('../views/systems/AgentsView.js'));

export const ROUTES: Route[] = [
  { pattern: '/wpars', permission: 'view', view: WparsView },
  { pattern: '/wpars/new', permission: 'wpar.manage', view: CreateWizard },
  { pattern: '/wpars/:id', permission: 'view', view: WparDetail },
  { pattern: '/systems', permission: 'view', view: SystemsView },
  { pattern: '/systems/:id', permission: 'view', view: SystemDetail },
  { pattern: '/agents', permission: 'view', view: AgentsView },
  { pattern: '/capacity', permission: 'view', view: CapacityView },
  // Before '/capacity/:id': the first match wins (complexes are linked by id, never "settings").
  { pattern: '/capacity/settings', permission: 'view', view: CapacitySettingsView },
  { pattern: '/capacity/:id', permission: 'view', view: ComplexDetail },
  { pattern: '/groups', permission: 'view', view: GroupsView },
  { pattern: '/domains', permission: 'view', view: DomainsView },
  { pattern: '/tasks', permission: 'view', view: TasksView },
  { pattern: '/tasks/:id', permission: 'view', view: TaskDetail },
  { pattern: '/settings/users', permission: 'users.manage', view: UsersView },
  { pattern: '/settings/roles', permission: 'users.manage', view: RolesView },
  { pattern: '/settings/backups', permission: 'system.manage', view: BackupsView },
  { pattern: '/settings/account', permission: 'authenticated', view: AccountView },
];

export const NAV: NavItem[] = [
  { to: '/systems', label: 'Managed systems', permission: 'view', section: 'Resource views' },
  { to: '/wpars', label: 'Workload partitions', permission: 'view', section: 'Resource views' },
  { to: '/groups', label: 'WPAR groups', permission: 'view', section: 'Resource views' },
  { to: '/domains', label: 'Relocation domains', permission: 'view', section: 'Resource views' },
  { to: '/agents', label: 'Agents', permission: 'view', section: 'Resource views' },
  { to: '/capacity', label: 'Instant capacity', permission: 'view', section: 'Resource views' },
  { to: '/tasks', label: 'Tasks', permission: 'view', section: 'Task management' },
  { to: '/settings/users', label: 'Users', permission: 'users.manage', section: 'Settings' },
  { to: '/settings/roles', label: 'Roles', permission: 'users.manage', section: 'Settings' },
  { to: '/settings/backups', label: 'Database backups', permission: 'system.manage', section: 'Settings' },
  { to: '/capacity/settings', label: 'Capacity settings', permission: 'view', section: 'Settings' },
  { to: '/settings/account', label: 'My account', permission: 'authenticated', section: 'Settings' },
];

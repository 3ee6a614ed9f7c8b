// The seed's four roles and what each may do. Shared by the manager (enforced on every
// route) and the console (what is shown and enabled).

export const ROLES = ['administrator', 'WPARAdministrator', 'WPARUser', 'WPARMonitor'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a route needs. `public`: nothing (login, health); `authenticated`: any logged-in user,
 * even one with no role (whoami, logout, own password and tokens); the rest need a role.
 */
export type Permission = 'public' | 'authenticated' | 'view' | 'wpar.manage' | 'system.manage' | 'users.manage';

export const PERMISSION_ROLES: Record<Exclude<Permission, 'public' | 'authenticated'>, readonly Role[]> = {
  // Read-only access to every construct: systems, WPARs, groups, domains, tasks.
  view: ['WPARAdministrator', 'WPARUser', 'WPARMonitor'],
  // Basic WPAR actions: create, modify, deploy, start, stop, pause, resume, remove.
  'wpar.manage': ['WPARAdministrator', 'WPARUser'],
  // Higher-level administration: systems, discovery, relocation policies (groups), domains, settings, backup.
  'system.manage': ['WPARAdministrator'],
  // The Console User Authority: users and role mappings.
  'users.manage': ['administrator'],
};

export function rolesAllow(permission: Permission, roles: readonly Role[]): boolean {
  if (permission === 'public' || permission === 'authenticated') return true;
  const allowed = PERMISSION_ROLES[permission];
  return roles.some((r) => allowed.includes(r));
}

/**
 * Who may give a WPAR what reaches its host (privileged fields, src/api/privileges.ts) beyond
 * what a relocation domain allows every WPAR user.
 */
export const PRIVILEGE_GRANTING_ROLES: readonly Role[] = ['WPARAdministrator'];

export function mayGrantPrivileges(roles: readonly Role[]): boolean {
  return roles.some((r) => PRIVILEGE_GRANTING_ROLES.includes(r));
}

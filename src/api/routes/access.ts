// Routes of access: health and the OpenAPI document, logging in, one's own password and
// tokens, the user store and role mappings (administrators only).
import { Type } from 'typebox';
import { PageOf } from '../resources.js';
import {
  ChangeOwnPasswordRequest,
  CreatedToken,
  CreatedUser,
  CreateTokenRequest,
  CreateUserRequest,
  GroupParams,
  GroupRoles,
  LoginRequest,
  LoginResponse,
  MappingRequest,
  ModifyUserRequest,
  PasswordSet,
  RoleGroups,
  RoleParams,
  RoleUsers,
  RoleView,
  SetPasswordRequest,
  TokenParams,
  TokenView,
  UserListQuery,
  UserParams,
  UserRoles,
  UserView,
  WhoAmI,
} from '../users.js';
import type { RouteDefinition } from '../route-definition.js';

const noContent = { 204: Type.Null() };

export const metaRoutes = {
  health: { method: 'GET', path: '/health', permission: 'public', schema: { hide: true } },
  openapi: { method: 'GET', path: '/openapi.json', permission: 'public', schema: { hide: true } },
  whoami: {
    method: 'GET', path: '/whoami', permission: 'authenticated',
    schema: { summary: 'The authenticated user, its groups and roles', response: { 200: WhoAmI } },
  },
  /** The Prometheus export: text, where scrapers look; it needs a token with the view permission. */
  prometheus: { method: 'GET', path: '/metrics', permission: 'view', outsidePrefix: true, schema: { hide: true } },
} as const satisfies Record<string, RouteDefinition>;

const auth = ['auth'];
export const authRoutes = {
  login: {
    method: 'POST', path: '/auth/login', permission: 'public',
    schema: { summary: 'Log in: sets the session cookie; repeated failures lock the name out for a while from that address', tags: auth, body: LoginRequest, response: { 200: LoginResponse } },
  },
  logout: {
    method: 'POST', path: '/auth/logout', permission: 'authenticated',
    schema: { summary: 'Log out: ends the session of the cookie (API tokens stay valid)', tags: auth, response: noContent },
  },
  changePassword: {
    method: 'PUT', path: '/auth/password', permission: 'authenticated',
    schema: { summary: 'Change your own password (the current one is needed)', tags: auth, body: ChangeOwnPasswordRequest, response: noContent },
  },
  createToken: {
    method: 'POST', path: '/auth/tokens', permission: 'authenticated',
    schema: { summary: 'Create an API token for yourself; its secret is shown once', tags: auth, body: CreateTokenRequest, response: { 201: CreatedToken } },
  },
  tokens: {
    method: 'GET', path: '/auth/tokens', permission: 'authenticated',
    schema: { summary: 'List your API tokens (without their secrets)', tags: auth, response: { 200: Type.Array(TokenView) } },
  },
  revokeToken: {
    method: 'DELETE', path: '/auth/tokens/:id', permission: 'authenticated',
    schema: { summary: 'Revoke one of your API tokens', tags: auth, params: TokenParams, response: noContent },
  },
} as const satisfies Record<string, RouteDefinition>;

const users = ['users'];
export const userRoutes = {
  list: {
    method: 'GET', path: '/users', permission: 'users.manage',
    schema: { summary: 'List users (sorted by name; paged)', tags: users, querystring: UserListQuery, response: { 200: PageOf(UserView) } },
  },
  create: {
    method: 'POST', path: '/users', permission: 'users.manage',
    schema: { summary: 'Create a user; without a password a one-time one is generated and shown once', tags: users, body: CreateUserRequest, response: { 201: CreatedUser } },
  },
  get: {
    method: 'GET', path: '/users/:name', permission: 'users.manage',
    schema: { summary: 'Show a user', tags: users, params: UserParams, response: { 200: UserView } },
  },
  modify: {
    method: 'PATCH', path: '/users/:name', permission: 'users.manage',
    schema: { summary: 'Modify a user: full name, user groups, disabled (which ends its sessions and deletes its API tokens)', tags: users, params: UserParams, body: ModifyUserRequest, response: { 200: UserView } },
  },
  setPassword: {
    method: 'PUT', path: '/users/:name/password', permission: 'users.manage',
    schema: { summary: 'Set a user\'s password (generated when omitted); its sessions and API tokens end, and it must change it at next login', tags: users, params: UserParams, body: SetPasswordRequest, response: { 200: PasswordSet } },
  },
  remove: {
    method: 'DELETE', path: '/users/:name', permission: 'users.manage',
    schema: { summary: 'Delete a user, its sessions, tokens and own role mappings', tags: users, params: UserParams, response: noContent },
  },
} as const satisfies Record<string, RouteDefinition>;

// User groups live under /user-groups (/groups are WPAR groups).
const roles = ['roles'];
export const roleRoutes = {
  list: {
    method: 'GET', path: '/roles', permission: 'users.manage',
    schema: { summary: 'The roles, what each may do, and the users and groups mapped to each (getRoles)', tags: roles, response: { 200: Type.Array(RoleView) } },
  },
  get: {
    method: 'GET', path: '/roles/:role', permission: 'users.manage',
    schema: { summary: 'One role, what it may do, and who is mapped to it', tags: roles, params: RoleParams, response: { 200: RoleView } },
  },
  users: {
    method: 'GET', path: '/roles/:role/users', permission: 'users.manage',
    schema: { summary: 'The users mapped to a role (getUsersByRole)', tags: roles, params: RoleParams, response: { 200: RoleUsers } },
  },
  groups: {
    method: 'GET', path: '/roles/:role/groups', permission: 'users.manage',
    schema: { summary: 'The user groups mapped to a role (getGroupsByRole)', tags: roles, params: RoleParams, response: { 200: RoleGroups } },
  },
  map: {
    method: 'POST', path: '/roles/:role/mappings', permission: 'users.manage',
    schema: { summary: 'Map a role to users and user groups (lwiMapRole -add)', tags: roles, params: RoleParams, body: MappingRequest, response: { 200: RoleView } },
  },
  unmap: {
    method: 'DELETE', path: '/roles/:role/mappings', permission: 'users.manage',
    schema: { summary: 'Unmap a role from users and user groups (lwiMapRole -remove)', tags: roles, params: RoleParams, body: MappingRequest, response: { 200: RoleView } },
  },
  purge: {
    method: 'DELETE', path: '/roles/:role', permission: 'users.manage',
    schema: { summary: 'Remove every mapping of a role (lwiMapRole -purge)', tags: roles, params: RoleParams, response: noContent },
  },
  ofUser: {
    method: 'GET', path: '/users/:name/roles', permission: 'users.manage',
    schema: { summary: 'The roles a user holds, directly or through its groups (getRolesByUser)', tags: roles, params: UserParams, response: { 200: UserRoles } },
  },
  ofGroup: {
    method: 'GET', path: '/user-groups/:name/roles', permission: 'users.manage',
    schema: { summary: 'The roles mapped to a user group (getRolesByGroup)', tags: roles, params: GroupParams, response: { 200: GroupRoles } },
  },
} as const satisfies Record<string, RouteDefinition>;

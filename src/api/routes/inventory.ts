// Routes of the managed inventory: systems (with what their agents and relocation do to
// them), relocation domains, WPAR groups, agents, and the compatibility of systems.
import { Type, type TSchema } from 'typebox';
import { AGENT_PATHS, AgentView, RegisterRequest, RegisterResponse, RegistrationPasswordRequest, RegistrationRequestParams, RegistrationRequestView } from '../agents.js';
import { CompatibilityMatrix, CompatibilityQuery, SystemCompatibilityView } from '../compatibility.js';
import { CreateDomainRequest, DomainListQuery, DomainView, ModifyDomainRequest } from '../domains.js';
import { CreateGroupRequest, GroupListQuery, GroupView, ModifyGroupRequest } from '../groups.js';
import { MetricSeries, MetricsQuery } from '../metrics.js';
import { PageOf, RefParams } from '../resources.js';
import { AddSystemRequest, ModifySystemRequest, RemoveSystemQuery, SystemListQuery, SystemView } from '../systems.js';
import { TaskView } from '../tasks.js';
import type { RouteDefinition } from '../route-definition.js';

const noContent = { 204: Type.Null() };

interface Summaries { list: string; get: string; create: string; modify: string; remove: string }

/** What every named inventory resource's routes are, whatever its schemas. */
export type InventoryRouteSet = Record<keyof Summaries, RouteDefinition>;

/** The five routes of every named inventory resource: reads need 'view', changes 'system.manage'. */
function inventoryRoutes<const P extends string, V extends TSchema, Q extends TSchema, C extends TSchema, M extends TSchema>(
  path: P,
  tag: string,
  s: { view: V; query: Q; create: C; modify: M },
  summary: Summaries,
) {
  const tags = [tag];
  return {
    list: { method: 'GET', path, permission: 'view', schema: { summary: summary.list, tags, querystring: s.query, response: { 200: PageOf(s.view) } } },
    get: { method: 'GET', path: `${path}/:id`, permission: 'view', schema: { summary: summary.get, tags, params: RefParams, response: { 200: s.view } } },
    create: { method: 'POST', path, permission: 'system.manage', schema: { summary: summary.create, tags, body: s.create, response: { 201: s.view } } },
    modify: { method: 'PATCH', path: `${path}/:id`, permission: 'system.manage', schema: { summary: summary.modify, tags, params: RefParams, body: s.modify, response: { 200: s.view } } },
    remove: { method: 'DELETE', path: `${path}/:id`, permission: 'system.manage', schema: { summary: summary.remove, tags, params: RefParams, response: noContent } },
  } as const satisfies InventoryRouteSet;
}

const systemTags = ['systems'];

const systemInventory = inventoryRoutes('/systems', 'systems', { view: SystemView, query: SystemListQuery, create: AddSystemRequest, modify: ModifySystemRequest }, {
  list: 'List managed systems (filter by state, relocation domain)',
  get: 'Show a managed system (by id or name)',
  create: 'Add a managed system by name and host; Unknown until its agent reports',
  modify: 'Rename a managed system or move it to another relocation domain',
  remove: 'Remove a managed system and revoke its agent',
});

export const systemRoutes = {
  ...systemInventory,
  remove: {
    ...systemInventory.remove,
    schema: {
      ...systemInventory.remove.schema,
      summary: 'Remove a managed system and revoke its agent. With WPARs on it, `wpars` chooses: `preserve` keeps them as Undeployed definitions (at once, 204), '
        + '`remove` removes them from the system and deletes them, then the system (a task, 202; the system must be Online). Without a choice such a system is refused (CAP-E0004)',
      querystring: RemoveSystemQuery,
      response: { 202: TaskView, ...noContent },
    },
  },
  discover: {
    method: 'POST', path: '/systems/:id/discover', permission: 'system.manage',
    schema: { summary: "Discover: the system's agent reports its WPARs again and the manager takes them in", tags: systemTags, params: RefParams, response: { 202: TaskView } },
  },
  updateProfile: {
    method: 'POST', path: '/systems/:id/update-profile', permission: 'system.manage',
    schema: { summary: "Update the system's profile: its agent reads the host again", tags: systemTags, params: RefParams, response: { 202: TaskView } },
  },
  evacuate: {
    method: 'POST', path: '/systems/:id/actions/evacuate', permission: 'system.manage',
    schema: { summary: 'Relocate every WPAR off a system; nothing is placed on it until it is restored', tags: systemTags, params: RefParams, response: { 202: TaskView } },
  },
  restore: {
    method: 'POST', path: '/systems/:id/actions/restore', permission: 'system.manage',
    schema: { summary: 'Let placement choose an evacuated system again', tags: systemTags, params: RefParams, response: noContent },
  },
  compatibility: {
    method: 'GET', path: '/systems/:id/compatibility', permission: 'view',
    schema: {
      summary: 'Compatibility of a system with every other, both directions, per test; `tests` adds optional tests to the critical ones',
      tags: ['mobility'], params: RefParams, querystring: CompatibilityQuery, response: { 200: SystemCompatibilityView },
    },
  },
  metrics: {
    method: 'GET', path: '/systems/:id/metrics', permission: 'view',
    schema: { summary: "A system's metrics over a time range (raw within a day, 5-minute means before)", tags: ['metrics'], params: RefParams, querystring: MetricsQuery, response: { 200: MetricSeries } },
  },
} as const satisfies Record<string, RouteDefinition>;

export const compatibilityRoutes = {
  matrix: {
    method: 'GET', path: '/compatibility', permission: 'view',
    schema: { summary: 'The compatibility state of every pair of systems, with the failing tests each way', tags: ['mobility'], querystring: CompatibilityQuery, response: { 200: CompatibilityMatrix } },
  },
} as const satisfies Record<string, RouteDefinition>;

export const domainRoutes = inventoryRoutes('/domains', 'domains', { view: DomainView, query: DomainListQuery, create: CreateDomainRequest, modify: ModifyDomainRequest }, {
  list: 'List relocation domains',
  get: 'Show a relocation domain (by id or name)',
  create: 'Create a relocation domain',
  modify: 'Rename or describe a relocation domain',
  remove: 'Remove a relocation domain (not the default one, nor one with systems)',
});

export const groupRoutes = inventoryRoutes('/groups', 'groups', { view: GroupView, query: GroupListQuery, create: CreateGroupRequest, modify: ModifyGroupRequest }, {
  list: 'List WPAR groups',
  get: 'Show a WPAR group and its relocation policy (by id or name)',
  create: 'Create a WPAR group with a relocation policy',
  modify: 'Rename, describe or change the relocation policy of a WPAR group',
  remove: 'Remove a WPAR group (not the default one, nor one with WPARs)',
});

const agentTags = ['agents'];
export const agentRoutes = {
  /** Authenticated by the registration password, not a user. */
  register: {
    method: 'POST', path: AGENT_PATHS.register, permission: 'public',
    schema: {
      summary: 'Register an agent with the registration password; answers its certificate. Under the name of a system whose agent is registered, the request waits for an administrator (CAP-E0613): the agent asks again with the same request. Throttled per address',
      tags: agentTags, body: RegisterRequest, response: { 201: RegisterResponse },
    },
  },
  /** Authenticated by the agent's client certificate, not a user. */
  unregister: {
    method: 'POST', path: AGENT_PATHS.unregister, permission: 'public',
    schema: {
      summary: "An agent leaves this manager (capstan agent configure --force to another one): its certificate is revoked, its system and WPARs stay, Offline. Only with the agent's own client certificate",
      tags: agentTags, response: noContent,
    },
  },
  list: {
    method: 'GET', path: '/agents', permission: 'view',
    schema: { summary: 'List agents: their certificate, state and connection', tags: agentTags, response: { 200: Type.Array(AgentView) } },
  },
  registrationPassword: {
    method: 'GET', path: '/agents/registration-password', permission: 'system.manage',
    schema: { summary: 'The password agents register with', tags: agentTags, response: { 200: RegistrationPasswordRequest } },
  },
  setRegistrationPassword: {
    method: 'PUT', path: '/agents/registration-password', permission: 'system.manage',
    schema: { summary: 'Change the password agents register with, at least 16 characters (registered agents are not affected)', tags: agentTags, body: RegistrationPasswordRequest, response: noContent },
  },
  requests: {
    method: 'GET', path: '/agents/requests', permission: 'system.manage',
    schema: { summary: 'Registrations under the name of a system whose agent is registered, waiting for (or given) a decision', tags: agentTags, response: { 200: Type.Array(RegistrationRequestView) } },
  },
  approve: {
    method: 'POST', path: '/agents/requests/:name/approve', permission: 'system.manage',
    schema: { summary: "Approve a waiting registration: when the new agent asks again, it takes the system over and the old agent is revoked", tags: agentTags, params: RegistrationRequestParams, response: { 200: RegistrationRequestView } },
  },
  refuse: {
    method: 'POST', path: '/agents/requests/:name/refuse', permission: 'system.manage',
    schema: { summary: 'Refuse a waiting registration: the registered agent stays', tags: agentTags, params: RegistrationRequestParams, response: { 200: RegistrationRequestView } },
  },
} as const satisfies Record<string, RouteDefinition>;

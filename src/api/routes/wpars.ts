// Routes of WPARs: definitions and actions. Every change answers 202 with its task;
// reads answer at once.
import { Type } from 'typebox';
import { ConsoleQuery } from '../console.js';
import { MetricSeries, MetricsQuery } from '../metrics.js';
import { TargetsView } from '../placement.js';
import { RelocateRequest } from '../relocation.js';
import { PageOf, RefParams } from '../resources.js';
import { TaskView } from '../tasks.js';
import { CloneWparRequest, CreateWparRequest, DeployRequest, ModifyWparRequest, RemoveRequest, WparListQuery, WparView, type WparStateAction } from '../wpar.js';
import type { RouteDefinition } from '../route-definition.js';

const tags = ['wpars'];
const accepted = { 202: TaskView };

/** The actions that only move a WPAR between states: no body, a task. */
function stateAction<const A extends WparStateAction>(action: A, summary: string) {
  return { method: 'POST', path: `/wpars/:id/actions/${action}`, permission: 'wpar.manage', schema: { summary, tags, params: RefParams, response: accepted } } as const;
}

export const wparStateActionRoutes = {
  start: stateAction('start', 'Start a deployed system WPAR (Defined → Active)'),
  stop: stateAction('stop', 'Stop a WPAR (system: → Defined; application: → Undeployed)'),
  pause: stateAction('pause', 'Pause a checkpointable WPAR: checkpoint and lock its processes (→ Paused)'),
  freeze: stateAction('freeze', 'Freeze a checkpointable WPAR: quiesce its processes (→ Frozen)'),
  resume: stateAction('resume', 'Resume a Paused or Frozen WPAR (→ Active)'),
  endProcesses: stateAction('endProcesses', 'End the processes of a Paused WPAR (system: → Defined; application: → Undeployed)'),
} as const satisfies Record<WparStateAction, RouteDefinition>;

export const wparRoutes = {
  list: {
    method: 'GET', path: '/wpars', permission: 'view',
    schema: { summary: 'List WPARs (filter by state, type, system, group; sorted; paged)', tags, querystring: WparListQuery, response: { 200: PageOf(WparView) } },
  },
  get: {
    method: 'GET', path: '/wpars/:id', permission: 'view',
    schema: { summary: 'Show a WPAR (by id or name)', tags, params: RefParams, response: { 200: WparView } },
  },
  create: {
    method: 'POST', path: '/wpars', permission: 'wpar.manage',
    schema: { summary: 'Create a WPAR definition; with a system, deploy it there', tags, body: CreateWparRequest, response: accepted },
  },
  clone: {
    method: 'POST', path: '/wpars/:id/clone', permission: 'wpar.manage',
    schema: { summary: 'Create a WPAR definition from an existing WPAR as template', tags, params: RefParams, body: CloneWparRequest, response: accepted },
  },
  modify: {
    method: 'PATCH', path: '/wpars/:id', permission: 'wpar.manage',
    schema: { summary: 'Modify a WPAR: anything while Undeployed; once deployed what its state allows', tags, params: RefParams, body: ModifyWparRequest, response: accepted },
  },
  delete: {
    method: 'DELETE', path: '/wpars/:id', permission: 'wpar.manage',
    schema: { summary: 'Delete a WPAR: remove it from its system if deployed, and its definition', tags, params: RefParams, response: accepted },
  },
  deploy: {
    method: 'POST', path: '/wpars/:id/actions/deploy', permission: 'wpar.manage',
    schema: { summary: 'Deploy an Undeployed WPAR on a system', tags, params: RefParams, body: DeployRequest, response: accepted },
  },
  remove: {
    method: 'POST', path: '/wpars/:id/actions/remove', permission: 'wpar.manage',
    schema: { summary: 'Remove a WPAR from its system (an Undeployed one: delete its definition)', tags, params: RefParams, body: RemoveRequest, response: accepted },
  },
  ...wparStateActionRoutes,
  acceptPrivileges: {
    method: 'POST', path: '/wpars/:id/actions/acceptPrivileges', permission: 'system.manage',
    schema: {
      summary: 'Accept the privileged fields of a WPAR discovered with them, so that it may be deployed and relocated',
      tags, params: RefParams, response: { 200: WparView },
    },
  },
  relocate: {
    method: 'POST', path: '/wpars/:id/actions/relocate', permission: 'wpar.manage',
    schema: {
      summary: 'Relocate an Active WPAR live to another system: the one named, or the best fully compatible one',
      tags, params: RefParams, body: RelocateRequest, response: accepted,
    },
  },
  targets: {
    method: 'GET', path: '/wpars/:id/targets', permission: 'view',
    schema: {
      summary: 'Where a WPAR may be relocated: ranked automatic candidates, and every other system with its compatibility state',
      tags: ['mobility'], params: RefParams, response: { 200: TargetsView },
    },
  },
  console: {
    method: 'GET', path: '/wpars/:id/console', permission: 'wpar.manage',
    schema: {
      summary: 'A login shell or a command inside an Active WPAR: a WebSocket upgrade, joined to a session its agent opens (frames: api/console.ts); 426 without an upgrade',
      tags, params: RefParams, querystring: ConsoleQuery, response: { 101: Type.Null({ description: "Switching Protocols: the session's WebSocket" }) },
    },
  },
  metrics: {
    method: 'GET', path: '/wpars/:id/metrics', permission: 'view',
    schema: { summary: "A WPAR's metrics over a time range, with its effective CPU utilisation", tags: ['metrics'], params: RefParams, querystring: MetricsQuery, response: { 200: MetricSeries } },
  },
} as const satisfies Record<string, RouteDefinition>;

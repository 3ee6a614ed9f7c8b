// Routes of the balancer: its status, a dry run, the history of mobility events, and the
// recommendations a WPARAdministrator applies or dismisses.
import { BalanceEventsQuery, BalanceEventView, BalancePlan, BalancePlanQuery, BalanceStatus, EventParams } from '../balance.js';
import { PageOf } from '../resources.js';
import { TaskView } from '../tasks.js';
import type { RouteDefinition } from '../route-definition.js';

const tags = ['balancing'];

export const balanceRoutes = {
  status: {
    method: 'GET', path: '/balance', permission: 'view',
    schema: { summary: "Each WPAR group's mode, performance state, triggers and last events", tags, response: { 200: BalanceStatus } },
  },
  plan: {
    method: 'GET', path: '/balance/plan', permission: 'view',
    schema: { summary: 'A dry run: the move each group (or the one named) would make now, and why, with the numbers', tags, querystring: BalancePlanQuery, response: { 200: BalancePlan } },
  },
  events: {
    method: 'GET', path: '/balance/events', permission: 'view',
    schema: { summary: 'Mobility events, newest first: recommendations and the moves the balancer started (filter by group, status)', tags, querystring: BalanceEventsQuery, response: { 200: PageOf(BalanceEventView) } },
  },
  apply: {
    method: 'POST', path: '/balance/events/:id/apply', permission: 'system.manage',
    schema: { summary: 'Apply an open recommendation: relocate its WPAR to the system it names', tags, params: EventParams, response: { 202: TaskView } },
  },
  dismiss: {
    method: 'POST', path: '/balance/events/:id/dismiss', permission: 'system.manage',
    schema: { summary: 'Dismiss an open recommendation', tags, params: EventParams, response: { 200: BalanceEventView } },
  },
} as const satisfies Record<string, RouteDefinition>;

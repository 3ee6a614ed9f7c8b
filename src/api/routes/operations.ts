// Routes of the manager's own operation: its log levels, changed while it runs (the seed's
// lwilog). Setting them is administration (WPARAdministrator), like the backups.
import { LogComponentParams, LogLevelsView, SetLogLevelRequest } from '../operations.js';
import type { RouteDefinition } from '../route-definition.js';

const tags = ['logging'];

export const loggingRoutes = {
  get: {
    method: 'GET', path: '/logging', permission: 'system.manage',
    schema: { summary: 'The manager\'s log level and the components with a level of their own', tags, response: { 200: LogLevelsView } },
  },
  setLevel: {
    method: 'PUT', path: '/logging/level', permission: 'system.manage',
    schema: { summary: 'Change the manager\'s log level while it runs (kept: it survives a restart)', tags, body: SetLogLevelRequest, response: { 200: LogLevelsView } },
  },
  reset: {
    method: 'DELETE', path: '/logging', permission: 'system.manage',
    schema: { summary: 'Back to the level the manager was started with, for every component', tags, response: { 200: LogLevelsView } },
  },
  setComponent: {
    method: 'PUT', path: '/logging/components/:name', permission: 'system.manage',
    schema: { summary: 'Give one component a level of its own (lwilog -addLogger: trace)', tags, params: LogComponentParams, body: SetLogLevelRequest, response: { 200: LogLevelsView } },
  },
  removeComponent: {
    method: 'DELETE', path: '/logging/components/:name', permission: 'system.manage',
    schema: { summary: 'The component logs at the manager\'s level again (lwilog -removeLogger)', tags, params: LogComponentParams, response: { 200: LogLevelsView } },
  },
} as const satisfies Record<string, RouteDefinition>;

// Routes of tasks (list, show, wait, cancel, follow live) and of the manager's backups.
import { BackupList } from '../backup.js';
import { BackupScheduleRequest, BackupScheduleView } from '../operations.js';
import { TaskEvent, TaskList, TaskListQuery, TaskParams, TaskView, TaskWaitQuery } from '../tasks.js';
import type { RouteDefinition } from '../route-definition.js';

const tags = ['tasks'];

export const taskRoutes = {
  list: {
    method: 'GET', path: '/tasks', permission: 'view',
    schema: { summary: 'List tasks, newest first (filter by status and target; page with before)', tags, querystring: TaskListQuery, response: { 200: TaskList } },
  },
  get: {
    method: 'GET', path: '/tasks/:id', permission: 'view',
    schema: { summary: 'Show a task with its operations', tags, params: TaskParams, response: { 200: TaskView } },
  },
  wait: {
    method: 'GET', path: '/tasks/:id/wait', permission: 'view',
    schema: { summary: 'Wait until a task ends (long poll); at the timeout, answers with its current view', tags, params: TaskParams, querystring: TaskWaitQuery, response: { 200: TaskView } },
  },
  cancel: {
    method: 'POST', path: '/tasks/:id/cancel', permission: 'wpar.manage',
    schema: { summary: 'Cancel a task: a queued one at once, a running one as soon as it stops (wait on it)', tags, params: TaskParams, response: { 200: TaskView } },
  },
  /** Server-Sent Events, not JSON: read with the clients' event streams. */
  events: {
    method: 'GET', path: '/tasks/:id/events', permission: 'view',
    schema: {
      summary: 'Follow a task live: a "snapshot" event with its view, then only the events it does not already hold; the stream ends after the "end" event',
      tags,
      params: TaskParams,
      produces: ['text/event-stream'],
      response: { 200: { description: 'text/event-stream; each event\'s data is a TaskEvent (the snapshot\'s a TaskView)', content: { 'text/event-stream': { schema: TaskEvent } } } },
    },
  },
} as const satisfies Record<string, RouteDefinition>;

const backups = ['backups'];
export const backupRoutes = {
  start: {
    method: 'POST', path: '/backups', permission: 'system.manage',
    schema: { summary: 'Back up the manager\'s database while it runs (a db.backup task)', tags: backups, response: { 202: TaskView } },
  },
  list: {
    method: 'GET', path: '/backups', permission: 'system.manage',
    schema: { summary: 'List the backups in the manager\'s backups directory, newest first', tags: backups, response: { 200: BackupList } },
  },
  schedule: {
    method: 'GET', path: '/backups/schedule', permission: 'system.manage',
    schema: { summary: 'The daily backup schedule, its next run and its last one', tags: backups, response: { 200: BackupScheduleView } },
  },
  setSchedule: {
    method: 'PUT', path: '/backups/schedule', permission: 'system.manage',
    schema: { summary: 'Back up daily at a local time, keeping that many backups (older ones are deleted after each scheduled backup)', tags: backups, body: BackupScheduleRequest, response: { 200: BackupScheduleView } },
  },
  removeSchedule: {
    method: 'DELETE', path: '/backups/schedule', permission: 'system.manage',
    schema: { summary: 'No more scheduled backups (the backups made stay)', tags: backups, response: { 200: BackupScheduleView } },
  },
} as const satisfies Record<string, RouteDefinition>;

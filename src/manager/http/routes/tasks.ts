// Tasks: list, show, cancel, wait for the end (long poll), and follow live (Server-Sent
// Events: the current view, then every event it does not already hold, until the end).
import type { ServerResponse } from 'node:http';
import { TaskEvent, TaskList, TaskListQuery, TaskParams, TaskView, TaskWaitQuery } from '../../../api/tasks.js';
import type { Services } from '../../services.js';
import { principalOf, type App } from '../types.js';

const tags = ['tasks'];
/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

export async function taskRoutes(app: App, services: Services): Promise<void> {
  const tasks = services.tasks;
  const streams = new Set<ServerResponse>();
  // Open streams would hold the server open: end them when it closes.
  app.addHook('preClose', async () => {
    for (const s of streams) s.end();
  });

  app.get('/tasks', {
    config: { permission: 'view' },
    schema: { summary: 'List tasks, newest first (filter by status and target; page with before)', tags, querystring: TaskListQuery, response: { 200: TaskList } },
  }, async (req) => ({ items: await tasks.list(req.query) }));

  app.get('/tasks/:id', {
    config: { permission: 'view' },
    schema: { summary: 'Show a task with its operations', tags, params: TaskParams, response: { 200: TaskView } },
  }, async (req) => tasks.get(req.params.id));

  app.get('/tasks/:id/wait', {
    config: { permission: 'view' },
    schema: {
      summary: 'Wait until a task ends (long poll); at the timeout, answers with its current view',
      tags,
      params: TaskParams,
      querystring: TaskWaitQuery,
      response: { 200: TaskView },
    },
  }, async (req) => tasks.wait(req.params.id, req.query.timeout * 1000));

  app.post('/tasks/:id/cancel', {
    config: { permission: 'wpar.manage' },
    schema: {
      summary: 'Cancel a task: a queued one at once, a running one as soon as it stops (wait on it)',
      tags,
      params: TaskParams,
      response: { 200: TaskView },
    },
  }, async (req) => tasks.cancel(req.params.id, principalOf(req).name));

  app.get('/tasks/:id/events', {
    config: { permission: 'view' },
    schema: {
      summary: 'Follow a task live: a "snapshot" event with its view, then only the events it does not already hold; the stream ends after the "end" event',
      tags,
      params: TaskParams,
      produces: ['text/event-stream'],
      response: { 200: { description: 'text/event-stream; each event\'s data is a TaskEvent (the snapshot\'s a TaskView)', content: { 'text/event-stream': { schema: TaskEvent } } } },
    },
  }, async (req, reply) => {
    const follow = await tasks.follow(req.params.id);

    reply.hijack();
    // The manager serves HTTP/1.1 (plain or TLS), never HTTP/2.
    const res = reply.raw as ServerResponse;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    streams.add(res);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    res.on('close', () => {
      clearInterval(keepalive);
      follow.close();
      streams.delete(res);
    });
    const write = (type: string, data: unknown) => res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);

    write('snapshot', follow.snapshot);
    follow.listen((e) => {
      if (res.writableEnded) return;
      write(e.type, e);
      if (e.type === 'end') res.end();
    });
  });
}

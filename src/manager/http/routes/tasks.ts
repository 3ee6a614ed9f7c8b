// Tasks: list, show, cancel, wait for the end (long poll), and follow live (Server-Sent
// Events: the current view, then every event it does not already hold, until the end).
import type { ServerResponse } from 'node:http';
import { CapstanError } from '../../../api/errors.js';
import { rolesAllow } from '../../../api/roles.js';
import { routes } from '../../../api/routes/index.js';
import { TASK_CANCEL_PERMISSION, type TaskKindName } from '../../../api/task-kinds.js';
import type { Services } from '../../services.js';
import { eventWriter } from '../event-stream.js';
import { fromTable } from '../route-options.js';
import { principalOf, type App } from '../types.js';

/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

export async function taskRoutes(app: App, services: Services): Promise<void> {
  const tasks = services.tasks;
  const r = routes.tasks;
  const streams = new Set<ServerResponse>();
  // Open streams would hold the server open: end them when it closes.
  app.addHook('preClose', async () => {
    for (const s of streams) s.end();
  });

  app.route({ ...fromTable(r.list), handler: async (req) => ({ items: await tasks.list(req.query) }) });

  app.route({ ...fromTable(r.get), handler: async (req) => tasks.get(req.params.id) });

  app.route({ ...fromTable(r.wait), handler: async (req) => tasks.wait(req.params.id, req.query.timeout * 1000) });

  app.route({
    ...fromTable(r.cancel),
    handler: async (req) => {
      const who = principalOf(req);
      const kind = (await tasks.get(req.params.id)).kind;
      if (!rolesAllow(TASK_CANCEL_PERMISSION[kind as TaskKindName] ?? 'system.manage', who.roles)) throw new CapstanError('CAP-E0928', kind);
      return tasks.cancel(req.params.id, who.name);
    },
  });

  app.route({
    ...fromTable(r.events),
    handler: async (req, reply) => {
      const follow = await tasks.follow(req.params.id);

      reply.hijack();
      // The manager serves HTTP/1.1 (plain or TLS), never HTTP/2.
      const res = reply.raw as ServerResponse;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
      streams.add(res);
      const out = eventWriter(res);
      const keepalive = setInterval(() => out.comment('keepalive'), KEEPALIVE_MS);
      res.on('close', () => {
        clearInterval(keepalive);
        follow.close();
        streams.delete(res);
      });

      out.event('snapshot', follow.snapshot);
      follow.listen((e) => {
        if (out.event(e.type, e) && e.type === 'end') res.end();
      });
    },
  });
}

// Backups of the manager's database: start one (a task), list the files, and the daily
// schedule with its retention. Restore is offline, from the command line, with the manager stopped.
import { routes } from '../../../api/routes/index.js';
import type { Services } from '../../services.js';
import { fromTable } from '../route-options.js';
import { principalOf, type App } from '../types.js';

export async function backupRoutes(app: App, services: Services): Promise<void> {
  const backup = services.backup;

  app.route({ ...fromTable(routes.backups.start), handler: async (req, reply) => reply.status(202).send(await backup.start(principalOf(req).name)) });

  app.route({ ...fromTable(routes.backups.list), handler: async () => ({ items: await backup.list() }) });

  const schedule = services.backupSchedule;

  app.route({ ...fromTable(routes.backups.schedule), handler: async () => schedule.view() });

  app.route({ ...fromTable(routes.backups.setSchedule), handler: async (req) => schedule.set(req.body.daily, req.body.keep, principalOf(req).name) });

  app.route({ ...fromTable(routes.backups.removeSchedule), handler: async (req) => schedule.remove(principalOf(req).name) });
}

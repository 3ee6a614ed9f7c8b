// Backups of the manager's database: start one (a task), list the files. Restore is
// offline, from the command line, with the manager stopped.
import { BackupList } from '../../../api/backup.js';
import { TaskView } from '../../../api/tasks.js';
import type { Services } from '../../services.js';
import { principalOf, type App } from '../types.js';

const tags = ['backups'];

export async function backupRoutes(app: App, services: Services): Promise<void> {
  const backup = services.backup;

  app.post('/backups', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Back up the manager\'s database while it runs (a db.backup task)', tags, response: { 202: TaskView } },
  }, async (req, reply) => reply.status(202).send(await backup.start(principalOf(req).name)));

  app.get('/backups', {
    config: { permission: 'system.manage' },
    schema: { summary: 'List the backups in the manager\'s backups directory, newest first', tags, response: { 200: BackupList } },
  }, async () => ({ items: await backup.list() }));
}

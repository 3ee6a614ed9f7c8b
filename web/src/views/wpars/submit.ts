// Submitting a new WPAR: the manager answers with the task that creates (and maybe deploys) it.
import type { TaskView } from '../../../../src/api/tasks.js';
import type { CreateWparRequest } from '../../../../src/api/wpar.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call } from '../../api/client.js';
import { track } from '../../lib/tracked-tasks.js';

export async function createWpar(req: CreateWparRequest): Promise<TaskView> {
  const task = await call(routes.wpars.create, { body: req });
  track(task);
  return task;
}

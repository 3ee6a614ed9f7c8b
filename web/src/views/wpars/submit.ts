// Submitting a new WPAR: the manager answers with the task that creates (and maybe deploys) it.
import type { TaskView } from '../../../../src/api/tasks.js';
import type { CreateWparRequest } from '../../../../src/api/wpar.js';
import { post } from '../../api/client.js';
import { track } from '../../lib/tracked-tasks.js';

export async function createWpar(req: CreateWparRequest): Promise<TaskView> {
  const task = await post<TaskView>('/wpars', req);
  track(task);
  return task;
}

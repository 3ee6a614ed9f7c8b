// Live relocation: move a WPAR to another system (chosen or automatic). Answered 202 with
// the task; refusals (not relocatable, not offered, needs confirmation) come before it.
import { RefParams } from '../../../api/resources.js';
import { RelocateRequest } from '../../../api/relocation.js';
import { TaskView } from '../../../api/tasks.js';
import type { Services } from '../../services.js';
import { principalOf, type App } from '../types.js';

export async function relocationRoutes(app: App, services: Services): Promise<void> {
  app.post('/wpars/:id/actions/relocate', {
    config: { permission: 'wpar.manage' },
    preValidation: async (req) => {
      req.body ??= {};
    },
    schema: {
      summary: 'Relocate an Active WPAR live to another system: the one named, or the best fully compatible one',
      tags: ['wpars'],
      params: RefParams,
      body: RelocateRequest,
      response: { 202: TaskView },
    },
  }, async (req, reply) => reply.status(202).send(await services.mobility.relocation.relocate(req.params.id, req.body, principalOf(req).name)));
}

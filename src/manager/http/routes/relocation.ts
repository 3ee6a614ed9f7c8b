// Live relocation: move a WPAR to another system (chosen or automatic), or every WPAR off a
// system (evacuation). Answered 202 with the task; refusals (not relocatable, not offered,
// needs confirmation) come before it.
import { Type } from 'typebox';
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

export async function evacuationRoutes(app: App, services: Services): Promise<void> {
  app.post('/systems/:id/actions/evacuate', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Relocate every WPAR off a system; nothing is placed on it until it is restored', tags: ['systems'], params: RefParams, response: { 202: TaskView } },
  }, async (req, reply) => reply.status(202).send(await services.mobility.evacuation.evacuate(req.params.id, principalOf(req).name)));

  app.post('/systems/:id/actions/restore', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Let placement choose an evacuated system again', tags: ['systems'], params: RefParams, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    await services.mobility.evacuation.restore(req.params.id);
    return reply.status(204).send(null);
  });
}

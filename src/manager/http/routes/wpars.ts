// WPARs: definitions and actions. Reads answer at once; every change is a task, answered
// 202 with the task (wait on /tasks/:id/wait or the events stream). Refusals come before
// any task exists, with their stable code.
import { PageOf, RefParams } from '../../../api/resources.js';
import { TaskView } from '../../../api/tasks.js';
import {
  CloneWparRequest,
  CreateWparRequest,
  DeployRequest,
  ModifyWparRequest,
  RemoveRequest,
  WPAR_STATE_ACTIONS,
  WparListQuery,
  WparView,
  type WparStateAction,
} from '../../../api/wpar.js';
import type { Services } from '../../services.js';
import { principalOf, type App } from '../types.js';

const tags = ['wpars'];
const accepted = { 202: TaskView };

/** Actions whose options all have defaults may be posted without a body. */
async function bodyDefaultsToEmpty(req: { body: unknown }): Promise<void> {
  req.body ??= {};
}

const STATE_ACTION_SUMMARY: Record<WparStateAction, string> = {
  start: 'Start a deployed system WPAR (Defined → Active)',
  stop: 'Stop a WPAR (system: → Defined; application: → Undeployed)',
  pause: 'Pause a checkpointable WPAR: checkpoint and lock its processes (→ Paused)',
  freeze: 'Freeze a checkpointable WPAR: quiesce its processes (→ Frozen)',
  resume: 'Resume a Paused or Frozen WPAR (→ Active)',
  endProcesses: 'End the processes of a Paused WPAR (system: → Defined; application: → Undeployed)',
};

export async function wparRoutes(app: App, services: Services): Promise<void> {
  const wpars = services.inventory.wpars;

  app.get('/wpars', {
    config: { permission: 'view' },
    schema: { summary: 'List WPARs (filter by state, type, system, group; sorted; paged)', tags, querystring: WparListQuery, response: { 200: PageOf(WparView) } },
  }, async (req) => wpars.list(req.query));

  app.get('/wpars/:id', {
    config: { permission: 'view' },
    schema: { summary: 'Show a WPAR (by id or name)', tags, params: RefParams, response: { 200: WparView } },
  }, async (req) => wpars.get(req.params.id));

  app.post('/wpars', {
    config: { permission: 'wpar.manage' },
    schema: { summary: 'Create a WPAR definition; with a system, deploy it there', tags, body: CreateWparRequest, response: accepted },
  }, async (req, reply) => reply.status(202).send(await wpars.create(req.body, principalOf(req).name)));

  app.post('/wpars/:id/clone', {
    config: { permission: 'wpar.manage' },
    schema: { summary: 'Create a WPAR definition from an existing WPAR as template', tags, params: RefParams, body: CloneWparRequest, response: accepted },
  }, async (req, reply) => reply.status(202).send(await wpars.clone(req.params.id, req.body, principalOf(req).name)));

  app.patch('/wpars/:id', {
    config: { permission: 'wpar.manage' },
    schema: { summary: 'Modify a WPAR: anything while Undeployed; once deployed what its state allows', tags, params: RefParams, body: ModifyWparRequest, response: accepted },
  }, async (req, reply) => reply.status(202).send(await wpars.modify(req.params.id, req.body as ModifyWparRequest, principalOf(req).name)));

  app.delete('/wpars/:id', {
    config: { permission: 'wpar.manage' },
    schema: { summary: 'Delete a WPAR: remove it from its system if deployed, and its definition', tags, params: RefParams, response: accepted },
  }, async (req, reply) => reply.status(202).send(await wpars.delete(req.params.id, principalOf(req).name)));

  app.post('/wpars/:id/actions/deploy', {
    config: { permission: 'wpar.manage' },
    preValidation: bodyDefaultsToEmpty,
    schema: { summary: 'Deploy an Undeployed WPAR on a system', tags, params: RefParams, body: DeployRequest, response: accepted },
  }, async (req, reply) => reply.status(202).send(await wpars.deploy(req.params.id, req.body, principalOf(req).name)));

  app.post('/wpars/:id/actions/remove', {
    config: { permission: 'wpar.manage' },
    preValidation: bodyDefaultsToEmpty,
    schema: { summary: 'Remove a WPAR from its system (an Undeployed one: delete its definition)', tags, params: RefParams, body: RemoveRequest, response: accepted },
  }, async (req, reply) => reply.status(202).send(await wpars.remove(req.params.id, req.body, principalOf(req).name)));

  for (const action of WPAR_STATE_ACTIONS) {
    app.post(`/wpars/:id/actions/${action}`, {
      config: { permission: 'wpar.manage' },
      schema: { summary: STATE_ACTION_SUMMARY[action], tags, params: RefParams, response: accepted },
    }, async (req, reply) => reply.status(202).send(await wpars.act(req.params.id, action, principalOf(req).name)));
  }
}

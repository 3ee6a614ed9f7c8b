// Agents: registration (authenticated by the registration password, not a user), the list
// of agents, the registration password, and the system actions that ask an agent to report.
import { Type } from 'typebox';
import { AGENT_PATHS, AgentView, RegisterRequest, RegisterResponse, RegistrationPasswordRequest } from '../../../api/agents.js';
import { RefParams } from '../../../api/resources.js';
import { TaskView } from '../../../api/tasks.js';
import type { Services } from '../../services.js';
import { principalOf, type App } from '../types.js';

const tags = ['agents'];

export async function agentRoutes(app: App, services: Services): Promise<void> {
  const agents = services.agents;

  app.post(AGENT_PATHS.register, {
    config: { permission: 'public' },
    schema: { summary: 'Register an agent with the registration password; answers its certificate', tags, body: RegisterRequest, response: { 201: RegisterResponse } },
  }, async (req, reply) => reply.status(201).send(await agents.register(req.body)));

  app.get('/agents', {
    config: { permission: 'view' },
    schema: { summary: 'List agents: their certificate, state and connection', tags, response: { 200: Type.Array(AgentView) } },
  }, async () => agents.list());

  app.get('/agents/registration-password', {
    config: { permission: 'system.manage' },
    schema: { summary: 'The password agents register with', tags, response: { 200: RegistrationPasswordRequest } },
  }, async () => ({ password: agents.enrolment.registrationPassword() }));

  app.put('/agents/registration-password', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Change the password agents register with (registered agents are not affected)', tags, body: RegistrationPasswordRequest, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    agents.enrolment.setPassword(req.body.password);
    return reply.status(204).send(null);
  });

  app.post('/systems/:id/discover', {
    config: { permission: 'system.manage' },
    schema: { summary: "Discover: the system's agent reports its WPARs again and the manager takes them in", tags: ['systems'], params: RefParams, response: { 202: TaskView } },
  }, async (req, reply) => reply.status(202).send(await agents.ask('discover', req.params.id, principalOf(req).name)));

  app.post('/systems/:id/update-profile', {
    config: { permission: 'system.manage' },
    schema: { summary: "Update the system's profile: its agent reads the host again", tags: ['systems'], params: RefParams, response: { 202: TaskView } },
  }, async (req, reply) => reply.status(202).send(await agents.ask('updateProfile', req.params.id, principalOf(req).name)));
}

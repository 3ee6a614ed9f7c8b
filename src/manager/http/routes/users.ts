// The built-in user store (the seed's Console User Authority): administrators only.
import { Type } from 'typebox';
import { PageOf } from '../../../api/resources.js';
import { CreatedUser, CreateUserRequest, ModifyUserRequest, PasswordSet, SetPasswordRequest, UserListQuery, UserParams, UserView } from '../../../api/users.js';
import type { Services } from '../../services.js';
import { principalOf, type App } from '../types.js';

const tags = ['users'];

export async function userRoutes(app: App, services: Services): Promise<void> {
  const { users } = services;

  app.get('/users', {
    config: { permission: 'users.manage' },
    schema: { summary: 'List users (sorted by name; paged)', tags, querystring: UserListQuery, response: { 200: PageOf(UserView) } },
  }, async (req) => users.list(req.query));

  app.post('/users', {
    config: { permission: 'users.manage' },
    schema: { summary: 'Create a user; without a password a one-time one is generated and shown once', tags, body: CreateUserRequest, response: { 201: CreatedUser } },
  }, async (req, reply) => reply.status(201).send(await users.create(req.body)));

  app.get('/users/:name', {
    config: { permission: 'users.manage' },
    schema: { summary: 'Show a user', tags, params: UserParams, response: { 200: UserView } },
  }, async (req) => users.get(req.params.name));

  app.patch('/users/:name', {
    config: { permission: 'users.manage' },
    schema: { summary: 'Modify a user: full name, user groups, disabled', tags, params: UserParams, body: ModifyUserRequest, response: { 200: UserView } },
  }, async (req) => users.modify(req.params.name, req.body));

  app.put('/users/:name/password', {
    config: { permission: 'users.manage' },
    schema: { summary: 'Set a user\'s password (generated when omitted); the user must change it at next login', tags, params: UserParams, body: SetPasswordRequest, response: { 200: PasswordSet } },
  }, async (req) => users.setPassword(req.params.name, req.body, principalOf(req).name));

  app.delete('/users/:name', {
    config: { permission: 'users.manage' },
    schema: { summary: 'Delete a user, its sessions, tokens and own role mappings', tags, params: UserParams, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    await users.remove(req.params.name);
    return reply.status(204).send(null);
  });
}

// Logging in and out (a session cookie for the console), changing one's own password, and
// one's own API tokens (the CLI and automation use a token instead of the cookie).
import { Type } from 'typebox';
import { CapstanError } from '../../../api/errors.js';
import { ChangeOwnPasswordRequest, CreatedToken, CreateTokenRequest, LoginRequest, LoginResponse, TokenParams, TokenView } from '../../../api/users.js';
import { SESSION_COOKIE } from '../../../api/paths.js';
import type { Services } from '../../services.js';
import { principalOf, type App } from '../types.js';

const tags = ['auth'];
const noContent = { 204: Type.Null() };
// Strict same-site and HTTP-only: the cookie is never sent by other sites' pages, nor readable by scripts.
const COOKIE = { path: '/', httpOnly: true, secure: true, sameSite: 'strict' } as const;

export async function authRoutes(app: App, services: Services): Promise<void> {
  const { sessions, users } = services;

  app.post('/auth/login', {
    config: { permission: 'public' },
    schema: { summary: 'Log in: sets the session cookie; repeated failures lock the name out for a while from that address', tags, body: LoginRequest, response: { 200: LoginResponse } },
  }, async (req, reply) => {
    const { secret, expiresAt, principal, user } = await sessions.login(req.body.name, req.body.password, req.ip);
    void reply.setCookie(SESSION_COOKIE, secret, { ...COOKIE, expires: new Date(expiresAt) });
    return { user, roles: principal.roles, expiresAt };
  });

  app.post('/auth/logout', {
    config: { permission: 'authenticated' },
    schema: { summary: 'Log out: ends the session of the cookie (API tokens stay valid)', tags, response: noContent },
  }, async (req, reply) => {
    const secret = req.cookies[SESSION_COOKIE];
    if (secret) await sessions.logout(secret);
    return reply.clearCookie(SESSION_COOKIE, COOKIE).status(204).send(null);
  });

  app.put('/auth/password', {
    config: { permission: 'authenticated' },
    schema: { summary: 'Change your own password (the current one is needed)', tags, body: ChangeOwnPasswordRequest, response: noContent },
  }, async (req, reply) => {
    await users.changeOwnPassword(principalOf(req).userId, req.body);
    return reply.status(204).send(null);
  });

  app.post('/auth/tokens', {
    config: { permission: 'authenticated' },
    schema: { summary: 'Create an API token for yourself; its secret is shown once', tags, body: CreateTokenRequest, response: { 201: CreatedToken } },
  }, async (req, reply) => {
    const p = principalOf(req);
    // A token that could mint tokens would outlive its own expiry: new ones need a login.
    if (p.via !== 'session') throw new CapstanError('CAP-E0109');
    return reply.status(201).send(await sessions.createToken(p.userId, req.body.name, req.body.ttlDays));
  });

  app.get('/auth/tokens', {
    config: { permission: 'authenticated' },
    schema: { summary: 'List your API tokens (without their secrets)', tags, response: { 200: Type.Array(TokenView) } },
  }, async (req) => sessions.listTokens(principalOf(req).userId));

  app.delete('/auth/tokens/:id', {
    config: { permission: 'authenticated' },
    schema: { summary: 'Revoke one of your API tokens', tags, params: TokenParams, response: noContent },
  }, async (req, reply) => {
    await sessions.revokeToken(principalOf(req).userId, req.params.id);
    return reply.status(204).send(null);
  });
}

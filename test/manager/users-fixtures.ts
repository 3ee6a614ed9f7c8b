// Shared by the user, role and authentication tests: the database kinds they run on, and
// small helpers to call the API as a token holder, with a session cookie, or anonymously.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { SESSION_COOKIE } from '../../src/api/paths.js';
import { postgresUrl, type TestManager } from '../helpers/manager.js';

export const DB_KINDS = [
  { kind: 'sqlite' as const, skip: false as const },
  { kind: 'postgres' as const, skip: postgresUrl() ? (false as const) : 'CAPSTAN_TEST_PG is not set (run through scripts/test.sh)' },
];

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
/** A token holder's headers, a session's cookie, or nothing (anonymous). */
export type Caller = { headers: { authorization: string } } | { cookie: string } | null;

/** The routes that are not below /api/v1 (Prometheus looks for /metrics). */
export const OUTSIDE_API_PREFIX = ['/metrics'];

/** Calls a path below /api/v1, or one of OUTSIDE_API_PREFIX, as `who`. */
export function caller(m: TestManager) {
  return (method: Method, url: string, who: Caller, payload?: object, remoteAddress?: string) =>
    m.app.inject({
      method,
      url: OUTSIDE_API_PREFIX.includes(url) ? url : `/api/v1${url}`,
      ...(who && 'headers' in who ? { headers: who.headers } : {}),
      // A session is the console's: the browser names its origin, the host inject sends to.
      ...(who && 'cookie' in who ? { cookies: { [SESSION_COOKIE]: who.cookie }, headers: { origin: 'http://localhost' } } : {}),
      ...(payload ? { payload } : {}),
      ...(remoteAddress ? { remoteAddress } : {}),
    });
}

export function refused(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.json().code, code, res.body);
}

/** Logs in and returns the session cookie. */
export async function login(m: TestManager, name: string, password: string): Promise<{ cookie: string }> {
  const res = await caller(m)('POST', '/auth/login', null, { name, password });
  assert.equal(res.statusCode, 200, res.body);
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
  assert.ok(cookie, 'login sets the session cookie');
  return { cookie: cookie.value };
}

// `capstan wpar console` against a real manager, without agents: every way a session is
// refused before any agent is asked, and the WebSocket's own guards (roles, a foreign page,
// a malformed query, a caller posing as an agent). The sessions themselves, through real
// agents, are in test/agent/lab.test.ts and relocation.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { SESSION_COOKIE } from '../../src/api/paths.js';
import { CliWorld, ok, refused } from './harness.js';

const w = new CliWorld();

/** An upgrade to `path` as a browser or a stranger would try it: the refusal's status and code. */
function upgrade(path: string, headers: Record<string, string> = {}): Promise<{ status: number; code: string }> {
  return new Promise((resolve, reject) => {
    // The manager's certificate is its own self-signed one; what is tested is its answer.
    const ws = new WebSocket(`${w.url.replace('https', 'wss')}/api/v1${path}`, { headers, rejectUnauthorized: false });
    ws.on('open', () => reject(new Error(`${path}: the upgrade was accepted`)));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(body) as { code: string }).code }));
    });
    ws.on('error', () => undefined);
  });
}

function post(path: string, body: object): Promise<{ status: number; cookie?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${w.url}/api/v1${path}`, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      const cookie = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).find((c) => c?.startsWith(`${SESSION_COOKIE}=`));
      resolve({ status: res.statusCode ?? 0, ...(cookie ? { cookie } : {}) });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('wpar console: refusals', () => {
  let token = '';
  before(async () => {
    await w.startManager();
    const first = readFileSync(join(w.dataDir, 'initial-admin-password'), 'utf8').trim();
    ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin'], { input: `${first}\nadmin-pass-2\n` }));
    token = (JSON.parse(readFileSync(join(w.dir, 'cli.json'), 'utf8')) as { token: string }).token;
    ok(await w.cli(['wpar', 'create', 'idle1']));
  });
  after(() => w.close());

  it('refuses a WPAR that is unknown or not running, before asking any agent', async () => {
    refused(await w.cli(['wpar', 'console', 'nosuch', '--', 'true']), 5, 'CAP-E0002');
    refused(await w.cli(['wpar', 'console', 'idle1', '--', 'true']), 6, 'CAP-E1006.*not deployed');
  });

  it('lets only the roles that act on WPARs open one', async () => {
    ok(await w.cli(['user', 'create', 'watcher', '--password-stdin'], { input: 'watch-pass-1\n' }));
    ok(await w.cli(['lwiMapRole', '-add', '-role', 'WPARMonitor', '-user', 'watcher']));
    ok(await w.cli(['login', w.url, '-u', 'watcher', '--password-stdin'], { input: 'watch-pass-1\nwatch-pass-2\n', profile: 'watcher' }));
    refused(await w.cli(['wpar', 'console', 'idle1', '--', 'true'], { profile: 'watcher' }), 4, 'CAP-E0102');
    assert.deepEqual(await upgrade('/wpars/idle1/console'), { status: 401, code: 'CAP-E0100' });
  });

  it("refuses a WPARUser a session in a WPAR holding privileges only an administrator may give: a session holds what the WPAR holds", async () => {
    ok(await w.cli(['wpar', 'create', 'priv1', '-S', 'privs=CAP_SYS_ADMIN']));
    ok(await w.cli(['user', 'create', 'operator', '--password-stdin'], { input: 'op-pass-1\n' }));
    ok(await w.cli(['lwiMapRole', '-add', '-role', 'WPARUser', '-user', 'operator']));
    ok(await w.cli(['login', w.url, '-u', 'operator', '--password-stdin'], { input: 'op-pass-1\nop-pass-2\n', profile: 'operator' }));
    refused(await w.cli(['wpar', 'console', 'priv1', '--', 'true'], { profile: 'operator' }), 4, 'CAP-E0209');
    // Without such privileges the same user gets as far as the WPAR's state.
    refused(await w.cli(['wpar', 'console', 'idle1', '--', 'true'], { profile: 'operator' }), 6, 'CAP-E1006');
  });

  it("refuses another site's page using the console's login, and a malformed query", async () => {
    const session = await post('/auth/login', { name: 'admin', password: 'admin-pass-2' });
    assert.ok(session.cookie, 'logged in');
    assert.deepEqual(await upgrade('/wpars/idle1/console', { cookie: session.cookie as string, origin: 'https://evil.example' }), { status: 403, code: 'CAP-E0110' });
    // The cookie without any origin is not enough either: a WebSocket can change anything.
    assert.deepEqual(await upgrade('/wpars/idle1/console', { cookie: session.cookie as string }), { status: 403, code: 'CAP-E0110' });
    assert.deepEqual(await upgrade('/wpars/idle1/console?tty=2', { authorization: `Bearer ${token}` }), { status: 400, code: 'CAP-E0001' });
    assert.deepEqual(await upgrade(`/wpars/idle1/console?${'arg=x&'.repeat(300)}`, { authorization: `Bearer ${token}` }), { status: 400, code: 'CAP-E0001' });
  });

  it('takes no agent end of a session from a caller without an agent certificate, and says a plain GET needs an upgrade', async () => {
    assert.deepEqual(await upgrade('/agents/consoles/00000000-0000-4000-8000-000000000000', { authorization: `Bearer ${token}` }), { status: 403, code: 'CAP-E0601' });
    const plain = await new Promise<number>((resolve, reject) => {
      request(`${w.url}/api/v1/wpars/idle1/console`, { rejectUnauthorized: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    assert.equal(plain, 426);
  });
});

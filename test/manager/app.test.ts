import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestManager, type TestManager } from '../helpers/manager.js';

describe('manager app', () => {
  let m: TestManager;
  before(async () => { m = await startTestManager(); });
  after(async () => { await m?.close(); });

  it('answers health without authentication', async () => {
    const res = await m.app.inject({ method: 'GET', url: '/api/v1/health' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  it('refuses an unauthenticated caller with CAP-E0100', async () => {
    const res = await m.app.inject({ method: 'GET', url: '/api/v1/whoami' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'CAP-E0100');
  });

  it('knows a token holder and its roles', async () => {
    const u = await m.userWithRoles(['WPARMonitor']);
    const res = await m.app.inject({ method: 'GET', url: '/api/v1/whoami', headers: u.headers });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().roles, ['WPARMonitor']);
  });

  it('answers unknown routes with CAP-E0006', async () => {
    const res = await m.app.inject({ method: 'GET', url: '/api/v1/nope' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'CAP-E0006');
  });

  it('serves an OpenAPI document', async () => {
    const res = await m.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().openapi.startsWith('3.'), true);
  });
});

// Test harness: a manager app on a fresh database (SQLite in a temp dir by default, or
// PostgreSQL in a private schema when kind is 'postgres'), with helpers to make users.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { Role } from '../../src/api/roles.js';
import { loadManagerConfig } from '../../src/manager/config.js';
import { openDatabase } from '../../src/manager/db/index.js';
import type { DbKind } from '../../src/manager/db/kind.js';
import { buildApp } from '../../src/manager/http/app.js';
import type { App } from '../../src/manager/http/types.js';
import { hashPassword } from '../../src/manager/auth/passwords.js';
import { createServices, type Services } from '../../src/manager/services.js';

export interface TestManager {
  app: App;
  services: Services;
  dataDir: string;
  /** Creates a user with these roles and returns a Bearer header for it. */
  userWithRoles(roles: Role[], name?: string): Promise<{ name: string; password: string; headers: { authorization: string } }>;
  close(): Promise<void>;
}

/**
 * One password for the test users of a process, hashed once: a hash at the real cost takes
 * about a second on a loaded machine, and the tests make many users.
 */
let shared: Promise<{ password: string; hash: string }> | undefined;
function sharedPassword() {
  shared ??= (async () => {
    const password = 'pw-' + randomUUID();
    return { password, hash: await hashPassword(password) };
  })();
  return shared;
}

export function postgresUrl(): string | undefined {
  return process.env.CAPSTAN_TEST_PG;
}

/** `log`: the services' logger (default: silent). */
export async function startTestManager(opts: { kind?: DbKind; log?: pino.Logger } = {}): Promise<TestManager> {
  const dataDir = mkdtempSync(join(tmpdir(), 'capstan-test-'));
  const kind = opts.kind ?? 'sqlite';
  let schema: string | undefined;
  let location = join(dataDir, 'capstan.db');
  if (kind === 'postgres') {
    const url = postgresUrl();
    if (!url) throw new Error('CAPSTAN_TEST_PG is not set: run the suite through scripts/test.sh');
    location = url;
    schema = 't_' + randomUUID().replace(/-/g, '').slice(0, 16);
  }
  const dbHandle = await openDatabase(location, { schema }).catch((e: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  });
  const config = loadManagerConfig({ dataDir, db: location });
  const services = createServices(config, dbHandle, opts.log ?? pino({ level: 'silent' }));
  const app = await buildApp(services);
  await app.ready();

  return {
    app,
    services,
    dataDir,
    async userWithRoles(roles, name = 'u' + randomUUID().slice(0, 8)) {
      const { password, hash } = await sharedPassword();
      const id = randomUUID();
      const now = new Date().toISOString();
      await services.db.insertInto('users').values({ id, name, full_name: name, password_hash: hash, disabled: 0, created_at: now }).execute();
      for (const role of roles) {
        await services.db.insertInto('role_mappings').values({ role, principal_type: 'user', principal: name, created_at: now }).execute();
      }
      const { token } = await services.sessions.createToken(id, 'test');
      return { name, password, headers: { authorization: `Bearer ${token}` } };
    },
    async close() {
      await app.close();
      if (schema) {
        await services.db.schema.dropSchema(schema).ifExists().cascade().execute().catch(() => undefined);
      }
      await dbHandle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

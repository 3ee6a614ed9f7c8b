// Shared by the capacity suites: a database of either kind with systems, an issuer key pair,
// a simulated clock, and CapacityService instances over them (a second instance on the same
// database is what a restarted manager sees).
import { after, before } from 'node:test';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { CodewordKind } from '../../src/api/capacity.js';
import { generateIssuerKey, issueCodeword, parsePrivateKey } from '../../src/manager/capacity/codeword.js';
import { CapacityService } from '../../src/manager/capacity/service.js';
import type { CapacityConfig } from '../../src/manager/capacity/settings.js';
import type { DbHandle } from '../../src/manager/db/index.js';
import { DEFAULTS } from '../../src/manager/db/migrations.js';
import type { Database } from '../../src/manager/db/schema.js';
import type { NotificationConfig } from '../../src/manager/notify/config.js';
import { NotifyService } from '../../src/manager/notify/service.js';
import { silentLog, testDb, type TestDb } from '../manager/fixtures/test-db.js';

export { DB_KINDS, skipUnlessAvailable, silentLog } from '../manager/fixtures/test-db.js';

/** A simulated clock in whole seconds (Unix time). */
export class SimClock {
  constructor(public seconds: number) {}
  advance(s: number): void {
    this.seconds += s;
  }
  readonly ms = (): number => this.seconds * 1000;
}

export interface World {
  db: Kysely<Database>;
  clock: SimClock;
  issuerPublicKey: string;
  /** A new service on the world's database (a restarted manager is a new one). */
  service(opts?: { notifications?: NotificationConfig; capacity?: CapacityConfig; log?: Logger }): CapacityService;
  /** Adds a managed system; with `cores`, a host profile that reports them. */
  addSystem(name: string, cores?: number): Promise<string>;
  codeword(serial: string, sequence: number, kind: CodewordKind, quantity: number): string;
}

/** One database per suite, removed after it (even when a test failed). */
export function worldPerSuite(kind: 'sqlite' | 'postgres'): World {
  const issuer = generateIssuerKey();
  const key = parsePrivateKey(issuer.privateKeyPem);
  let t: TestDb;
  let handle: DbHandle;
  const services: CapacityService[] = [];
  const w = {
    clock: new SimClock(Date.UTC(2030, 0, 1) / 1000),
    issuerPublicKey: issuer.publicKey,
  } as World;
  before(async () => {
    t = testDb(kind);
    handle = await t.open();
    w.db = handle.db;
  });
  after(async () => {
    for (const s of services) await s.stop();
    await t?.destroy(handle);
  });
  w.service = (opts = {}) => {
    const s = new CapacityService(
      w.db,
      new NotifyService(w.db, opts.notifications ?? {}, opts.log ?? silentLog),
      { issuerKeys: { vendor: issuer.publicKey }, ...opts.capacity },
      opts.log ?? silentLog,
      w.clock.ms,
    );
    services.push(s);
    return s;
  };
  w.addSystem = async (name, cores) => {
    const id = randomUUID();
    const now = new Date().toISOString();
    const profile = cores === undefined ? null : JSON.stringify({ cpu: { cores }, memoryBytes: 64 * 2 ** 30 });
    await w.db.insertInto('systems').values({ id, name, host: `${name}.example.test`, state: 'Unknown', domain_id: DEFAULTS.domainId, profile, created_at: now, updated_at: now, last_seen_at: null }).execute();
    return id;
  };
  w.codeword = (serial, sequence, kind, quantity) => issueCodeword({ serial, sequence, kind, quantity, issuedAt: w.clock.seconds }, key);
  return w;
}

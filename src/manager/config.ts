// The manager's configuration: defaults, overridden by the config file in the data
// directory, overridden by command-line options.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CapstanError } from '../api/errors.js';
import { writeFileDurableSync } from '../fs/durable.js';
import { dbKindOf } from './db/kind.js';
import type { CapacityConfig } from './capacity/settings.js';
import type { NotificationConfig } from './notify/config.js';
import type { BalancerConfig } from './balance/service.js';

export interface ManagerConfig {
  dataDir: string;
  /** SQLite file path or postgres:// URL. */
  db: string;
  host: string;
  port: number;
  tls: { cert?: string; key?: string };
  logLevel: string;
  /** Instant capacity: the meter's interval, trusted codeword issuers. */
  capacity?: CapacityConfig;
  /** The SMTP relay for email notifications. */
  notifications?: NotificationConfig;
  /** Agents: how long their certificates last (default 30 days); they renew with a third left. */
  agents?: { certificateLifetimeSeconds?: number };
  /** The balancer: its interval and its limits against ping-pong. */
  balancer?: BalancerConfig;
  /** The HTTPS server's bounds (defaults: HTTP_LIMITS). */
  http?: Partial<HttpLimits>;
}

export interface HttpLimits {
  /** How long a client may take to send a whole request (headers and body); 0: no limit. */
  requestTimeoutSeconds: number;
  /** Open connections (agents' control channels included) beyond which new ones are refused. */
  maxConnections: number;
}

export const HTTP_LIMITS: HttpLimits = { requestTimeoutSeconds: 30, maxConnections: 4096 };

export const DEFAULT_DATA_DIR = '/var/lib/capstan';
export const DEFAULT_PORT = 14443;

export function loadManagerConfig(overrides: Partial<ManagerConfig> = {}): ManagerConfig {
  const dataDir = overrides.dataDir ?? process.env.CAPSTAN_DATA_DIR ?? DEFAULT_DATA_DIR;
  const file = join(dataDir, 'manager.json');
  const fromFile: Partial<ManagerConfig> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    dataDir,
    db: join(dataDir, 'capstan.db'),
    host: '0.0.0.0',
    port: DEFAULT_PORT,
    tls: {},
    logLevel: 'info',
    ...defined(fromFile),
    ...defined(overrides),
  };
}

/**
 * The database the manager last ran with, recorded by it at each start beside its data (not in
 * manager.json, which is the user's), so that an offline restore finds the database without
 * being told again. A URL may hold a password: the file is the owner's alone.
 */
export const DATABASE_RECORD = 'database.json';

interface DatabaseRecord {
  /** A SQLite file in the data directory is named relative to it, so the record moves with the directory. */
  db: string;
  recordedAt: string;
}

export function recordDatabase(dataDir: string, location: string): void {
  let db = location;
  if (dbKindOf(location) === 'sqlite' && location !== ':memory:') {
    const inDir = relative(resolve(dataDir), resolve(location));
    db = inDir && !inDir.startsWith('..') && !isAbsolute(inDir) ? inDir : resolve(location);
  }
  const record: DatabaseRecord = { db, recordedAt: new Date().toISOString() };
  const file = join(dataDir, DATABASE_RECORD);
  writeFileDurableSync(file, JSON.stringify(record, null, 2) + '\n', 0o600);
}

/** The database the manager in `dataDir` last ran with, if one has recorded it; CAP-E0001 for a record that does not name one. */
export function recordedDatabase(dataDir: string): { location: string; recordedAt: string; file: string } | undefined {
  const file = join(dataDir, DATABASE_RECORD);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let record: Partial<DatabaseRecord>;
  try {
    record = JSON.parse(text) as Partial<DatabaseRecord>;
  } catch {
    record = {};
  }
  if (typeof record !== 'object' || record === null || typeof record.db !== 'string' || record.db === '') {
    throw new CapstanError('CAP-E0001', `${file} does not name the manager's database: give it with --db`);
  }
  const location = dbKindOf(record.db) === 'sqlite' && record.db !== ':memory:' ? resolve(dataDir, record.db) : record.db;
  return { location, recordedAt: typeof record.recordedAt === 'string' ? record.recordedAt : '', file };
}

/** A database location fit to show: a URL's password is left out. */
export function shownDatabase(location: string): string {
  if (dbKindOf(location) !== 'postgres') return location;
  try {
    const u = new URL(location);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    // Not parseable, so its parts are unknown: show only what it is.
    return 'postgres://…';
  }
}

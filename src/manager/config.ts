// The manager's configuration: defaults, overridden by the config file in the data
// directory, overridden by command-line options.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CapacityConfig } from './capacity/settings.js';
import type { NotificationConfig } from './notify/config.js';

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
}

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

// Wires the manager's services over one database handle. Routes and the task engine
// receive this object; nothing else constructs services.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ManagerConfig } from './config.js';
import type { DbHandle } from './db/index.js';
import type { Database } from './db/schema.js';
import { SessionService } from './auth/sessions.js';

export interface Services {
  config: ManagerConfig;
  log: Logger;
  dbHandle: DbHandle;
  db: Kysely<Database>;
  sessions: SessionService;
}

export function createServices(config: ManagerConfig, dbHandle: DbHandle, log: Logger): Services {
  const db = dbHandle.db;
  return { config, log, dbHandle, db, sessions: new SessionService(db) };
}

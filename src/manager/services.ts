// Wires the manager's services over one database handle. Routes and the task engine
// receive this object; nothing else constructs services.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ManagerConfig } from './config.js';
import type { DbHandle } from './db/index.js';
import type { Database } from './db/schema.js';
import { SessionService } from './auth/sessions.js';
import { TaskEngine } from './tasks/engine.js';
import { BackupService } from './backup/service.js';
import { UserService } from './users/service.js';
import { RoleService } from './users/roles.js';
import { createInventory, type Inventory } from './inventory/index.js';
import { CapacityService } from './capacity/service.js';
import { NotifyService } from './notify/service.js';
import { AgentService } from './agents/index.js';
import { createMobility, type Mobility } from './mobility/index.js';

export interface Services {
  config: ManagerConfig;
  log: Logger;
  dbHandle: DbHandle;
  db: Kysely<Database>;
  sessions: SessionService;
  tasks: TaskEngine;
  backup: BackupService;
  users: UserService;
  roles: RoleService;
  inventory: Inventory;
  agents: AgentService;
  capacity: CapacityService;
  mobility: Mobility;
}

export function createServices(config: ManagerConfig, dbHandle: DbHandle, log: Logger): Services {
  const db = dbHandle.db;
  const tasks = new TaskEngine(db, log);
  const capacity = new CapacityService(db, new NotifyService(db, config.notifications ?? {}, log), config.capacity ?? {}, log);
  const inventory = createInventory(db, tasks, (wpar, systemId) => capacity.checkDeploy(wpar, systemId));
  const agents = new AgentService(db, log, config.dataDir, inventory, tasks, capacity, config.agents?.certificateLifetimeSeconds);
  return {
    config,
    log,
    dbHandle,
    db,
    sessions: new SessionService(db),
    tasks,
    backup: new BackupService(dbHandle, tasks, config),
    users: new UserService(db),
    roles: new RoleService(db),
    inventory,
    agents,
    capacity,
    mobility: createMobility(db, log, inventory, agents, tasks, capacity),
  };
}

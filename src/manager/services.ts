// Builds the manager's services over one database handle and connects them: every link by
// which one service asks or tells another is made here, passed to its constructor. Routes
// and the task engine receive this object; nothing else constructs services.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ManagerConfig } from './config.js';
import type { DbHandle } from './db/index.js';
import type { Database } from './db/schema.js';
import { SessionService } from './auth/sessions.js';
import { TaskEngine } from './tasks/engine.js';
import { BackupService } from './backup/service.js';
import { BackupScheduler } from './backup/schedule.js';
import { LogLevels } from './logging/levels.js';
import { UserService } from './users/service.js';
import { RoleService } from './users/roles.js';
import { createInventory, type Inventory } from './inventory/index.js';
import { CapacityService } from './capacity/service.js';
import { NotifyService } from './notify/service.js';
import { AgentService } from './agents/index.js';
import { createMobility, type Mobility } from './mobility/index.js';
import { createBalancer, type BalanceService } from './balance/index.js';

export interface Services {
  config: ManagerConfig;
  log: Logger;
  dbHandle: DbHandle;
  db: Kysely<Database>;
  sessions: SessionService;
  tasks: TaskEngine;
  backup: BackupService;
  /** Daily backups and their retention; main.ts starts its loop. */
  backupSchedule: BackupScheduler;
  /** The log levels, changed while the manager runs; main.ts applies the kept ones. */
  logLevels: LogLevels;
  users: UserService;
  roles: RoleService;
  inventory: Inventory;
  agents: AgentService;
  capacity: CapacityService;
  mobility: Mobility;
  /** Policy-based relocation; main.ts starts its loop. */
  balance: BalanceService;
}

export function createServices(config: ManagerConfig, dbHandle: DbHandle, log: Logger): Services {
  const db = dbHandle.db;
  // First: it finds each component's logger as the services below make it.
  const logLevels = new LogLevels(db, log);
  const tasks = new TaskEngine(db, log.child({ component: 'tasks' }));
  // The links below reach services built after the one that calls them: they only run once
  // the manager serves requests and agents, when every service here exists.
  const capacity = new CapacityService(db, new NotifyService(db, config.notifications ?? {}, log.child({ component: 'notify' })), config.capacity ?? {}, log.child({ component: 'capacity' }), Date.now,
    (systemIds) => agents.enforce(systemIds));
  const inventory = createInventory(db, tasks, {
    deployGuard: (wpar, systemId) => capacity.checkDeploy(wpar, systemId),
    systemRemoved: async (systemId) => {
      await agents.revoke(systemId);
      await mobility.compatibility.forget(systemId);
    },
  });
  const agents = new AgentService(db, log, config.dataDir, inventory, tasks, capacity, {
    certificateSeconds: config.agents?.certificateLifetimeSeconds,
    profileReported: (systemId) => {
      mobility.compatibility.request(systemId);
      void mobility.relocation.settleLeftovers(systemId);
    },
  });
  const mobility = createMobility(db, log, inventory, agents, tasks, capacity);
  const backup = new BackupService(dbHandle, tasks, config);
  return {
    config,
    log,
    dbHandle,
    db,
    sessions: new SessionService(db),
    tasks,
    backup,
    backupSchedule: new BackupScheduler(db, backup, tasks, log.child({ component: 'backup' })),
    logLevels,
    users: new UserService(db),
    roles: new RoleService(db),
    inventory,
    agents,
    capacity,
    mobility,
    balance: createBalancer(db, log, inventory, mobility, config.balancer),
  };
}

// The inventory: managed systems, relocation domains, WPAR groups and WPARs, and the
// registry of system drivers through which WPAR actions reach the systems.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { TaskEngine } from '../tasks/engine.js';
import { DomainService } from './domains.js';
import { DriverRegistry } from './driver.js';
import { GroupService } from './groups.js';
import { PrivilegeGuard } from './privilege-guard.js';
import { SystemRemoval } from './system-removal.js';
import { SystemService } from './systems.js';
import { WparStore } from './wpar-store.js';
import { registerWparTasks } from './wpar-tasks.js';
import { WparService, type DeployGuard } from './wpars.js';

export interface Inventory {
  systems: SystemService;
  /** Removing a system with the choice for its WPARs. */
  systemRemoval: SystemRemoval;
  domains: DomainService;
  groups: GroupService;
  wpars: WparService;
  /** The WPAR record: every write to it goes through here. */
  wparStore: WparStore;
  privileges: PrivilegeGuard;
  /** Filled by the agent layer while agents are connected. */
  drivers: DriverRegistry;
}

/** What the inventory asks of, or tells, the services built beside it. */
export interface InventoryLinks {
  /** Checked before a WPAR is deployed on a system. */
  deployGuard?: DeployGuard;
  /** Told of every managed system removed. */
  systemRemoved?: (systemId: string) => Promise<void>;
}

export function createInventory(db: Kysely<Database>, tasks: TaskEngine, links: InventoryLinks = {}): Inventory {
  const drivers = new DriverRegistry();
  const domains = new DomainService(db);
  const groups = new GroupService(db, domains);
  const systems = new SystemService(db, domains, links.systemRemoved);
  const wparStore = new WparStore(db);
  registerWparTasks(tasks, db, wparStore, drivers);
  const privileges = new PrivilegeGuard(db, domains);
  const wpars = new WparService(db, wparStore, tasks, drivers, systems, groups, privileges, links.deployGuard);
  const systemRemoval = new SystemRemoval(db, systems, wpars, wparStore, tasks, drivers);
  return { systems, systemRemoval, domains, groups, wpars, wparStore, drivers, privileges };
}

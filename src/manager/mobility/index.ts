// Mobility: compatibility testing between systems, its views, the relocation targets of a
// WPAR, relocation and evacuation. Testing follows the agents' profile reports and the
// inventory's removals (wired in services.ts).
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AgentService } from '../agents/index.js';
import type { Database } from '../db/schema.js';
import type { Inventory } from '../inventory/index.js';
import { CompatibilityService } from './compatibility-service.js';
import { CompatibilityViews } from './compatibility-views.js';
import type { CapacityService } from '../capacity/service.js';
import type { TaskEngine } from '../tasks/engine.js';
import { EvacuationService } from './evacuation.js';
import { RelocationService } from './relocation.js';
import { TargetService } from './targets.js';
import { Fleet } from './fleet.js';

export interface Mobility {
  compatibility: CompatibilityService;
  views: CompatibilityViews;
  targets: TargetService;
  relocation: RelocationService;
  evacuation: EvacuationService;
  /** The snapshot of systems, their use and the moves under way that the scheduler decides on. */
  fleet: Fleet;
  /** Resumes compatibility testing a previous process left unfinished. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createMobility(db: Kysely<Database>, log: Logger, inventory: Inventory, agents: AgentService, tasks: TaskEngine, capacity: CapacityService): Mobility {
  const compatibility = new CompatibilityService(db, log.child({ component: 'compatibility' }));
  const views = new CompatibilityViews(db, compatibility, inventory.systems);
  const fleet = new Fleet(db, compatibility, agents.metrics);
  const targets = new TargetService(db, inventory, views, fleet);
  const relocation = new RelocationService(db, log.child({ component: 'relocation' }), inventory, tasks, agents.client, targets, capacity);
  return {
    compatibility,
    views,
    targets,
    relocation,
    evacuation: new EvacuationService(db, inventory, tasks, compatibility, relocation, targets, fleet),
    fleet,
    start: () => compatibility.start(),
    stop: () => compatibility.stop(),
  };
}

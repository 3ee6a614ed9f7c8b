// The balancer: policy-based relocation over the mobility services (wired in services.ts).
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.js';
import type { Inventory } from '../inventory/index.js';
import type { Mobility } from '../mobility/index.js';
import { BalanceEvents } from './events.js';
import { GroupSnapshots } from './group-snapshot.js';
import { BalanceService, type BalancerConfig } from './service.js';

export { BalanceService, type BalancerConfig } from './service.js';

export function createBalancer(db: Kysely<Database>, log: Logger, inventory: Inventory, mobility: Mobility, config: BalancerConfig = {}): BalanceService {
  return new BalanceService(
    log.child({ component: 'balancer' }),
    inventory,
    mobility.fleet,
    new GroupSnapshots(db, inventory, mobility.targets, mobility.fleet),
    new BalanceEvents(db),
    (wparId, toId, by) => mobility.relocation.relocate(wparId, { to: toId }, by),
    config,
  );
}

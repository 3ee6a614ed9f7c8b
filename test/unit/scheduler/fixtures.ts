// Snapshots for the scheduler's pure tests: systems of 8 cores and 32 GiB in one domain.
import type { PlanAsk, SystemSnapshot, Use } from '../../../src/manager/scheduler/types.js';

export const GIB = 2 ** 30;
export const prod = { id: 'd-prod', name: 'prod' };

export function system(name: string, used: Use | null = { cpuCores: 0, memoryBytes: 0 }, s: Partial<SystemSnapshot> = {}): SystemSnapshot {
  return {
    system: { id: name, name },
    state: 'Online',
    domain: prod,
    systemProfile: 'sp-aaaaaaaaaaaa',
    placementBlocked: false,
    capacity: { cpuCores: 8, memoryBytes: 32 * GIB },
    used,
    ...s,
  };
}

export function ask(name: string, from: string | null, use: Use, a: Partial<PlanAsk> = {}): PlanAsk {
  return {
    wpar: { id: name, name },
    from: from === null ? null : { id: from, name: from },
    use,
    domain: prod,
    compatibility: () => 'fully',
    ...a,
  };
}

// A tiny simulated fleet for the decision tests: systems of given size, WPARs with given use,
// and each WPAR's metrics worked out the seed's way (effective utilisation of what is left to it).
import type { GroupWpar } from '../../../src/manager/scheduler/decide.js';
import { GIB, ask, system } from './fixtures.js';

export interface SimWpar {
  name: string;
  on: string;
  cores: number;
  movedAt: number | null;
}

export function snapshot(systems: readonly { name: string; cores: number; background?: number }[], wpars: readonly SimWpar[]) {
  const used = new Map(systems.map((s) => [s.name, s.background ?? 0]));
  for (const w of wpars) used.set(w.on, (used.get(w.on) ?? 0) + w.cores);
  const cap = new Map(systems.map((s) => [s.name, s.cores]));
  return {
    systems: systems.map((s) => system(s.name, { cpuCores: used.get(s.name)!, memoryBytes: GIB }, { capacity: { cpuCores: s.cores, memoryBytes: 32 * GIB } })),
    wpars: wpars.map((w): GroupWpar => {
      const room = cap.get(w.on)! - (used.get(w.on)! - w.cores);
      return { ask: ask(w.name, w.on, { cpuCores: w.cores, memoryBytes: 0 }), metrics: { cpu: Math.min(100, (100 * w.cores) / room) }, movedAt: w.movedAt };
    }),
  };
}

// What the group's metrics would be after a move. By the seed's formula a WPAR's effective
// utilisation of a resource is its use over the room left to it, use / (capacity − (system use
// − use)); a move changes that room for the WPAR that moves and for every WPAR on either of
// its two systems, and leaves the WPARs' own use and their rate metrics as they are.
import { Ledger } from './plan.js';
import type { Normalised } from './policy.js';
import type { Move, PlanAsk, SystemSnapshot, Use } from './types.js';

type Resource = 'cpuCores' | 'memoryBytes';
const METRIC_OF: Record<Resource, 'cpu' | 'memory'> = { cpuCores: 'cpu', memoryBytes: 'memory' };

function room(ledger: Ledger, systemId: string, use: Use, r: Resource): number | null {
  const s = ledger.system(systemId);
  if (!s?.capacity) return null;
  return s.capacity[r] - ((s.used?.[r] ?? 0) - use[r]);
}

/** Each WPAR's normalised metrics after `move`, in the order given. */
export function predictMetrics(wpars: readonly { ask: PlanAsk; metrics: Normalised }[], systems: readonly SystemSnapshot[], inFlight: readonly Move[], move: Move): Normalised[] {
  const before = new Ledger(systems);
  const after = new Ledger(systems);
  for (const m of inFlight) {
    before.apply(m);
    after.apply(m);
  }
  after.apply(move);
  const touched = new Set([move.to.id, move.from?.id]);
  return wpars.map(({ ask, metrics }) => {
    const was = ask.from?.id;
    const now = ask.wpar.id === move.wpar.id ? move.to.id : was;
    if (!was || !now || (!touched.has(was) && !touched.has(now))) return metrics;
    const out: Normalised = { ...metrics };
    for (const r of ['cpuCores', 'memoryBytes'] as const) {
      const v = metrics[METRIC_OF[r]];
      const roomBefore = room(before, was, ask.use, r);
      const roomAfter = room(after, now, ask.use, r);
      if (v === undefined || roomBefore === null || roomAfter === null) continue;
      out[METRIC_OF[r]] = roomAfter <= 0 ? (v > 0 ? 100 : 0) : Math.min(100, (v * roomBefore) / roomAfter);
    }
    return out;
  });
}

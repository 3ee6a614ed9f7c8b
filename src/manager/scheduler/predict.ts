// What the group's metrics would be after a move. By the seed's formula a WPAR's effective
// utilisation of a resource is its use over the room left to it, use / (capacity − (system use
// − use)); a move changes that room for the WPAR that moves and for every WPAR on either of
// its two systems, and leaves the WPARs' own use and their rate metrics as they are.
import type { Ledger } from './plan.js';
import type { Normalised } from './policy.js';
import type { Move, PlanAsk, Use } from './types.js';

type Resource = 'cpuCores' | 'memoryBytes';
const METRIC_OF: Record<Resource, 'cpu' | 'memory'> = { cpuCores: 'cpu', memoryBytes: 'memory' };

/** The room left to a WPAR of `use` on a system: its capacity less everything else there, after `delta`. */
function room(ledger: Ledger, systemId: string, use: Use, r: Resource, delta: number): number | null {
  const s = ledger.system(systemId);
  if (!s?.capacity) return null;
  return s.capacity[r] - ((s.used?.[r] ?? 0) + delta - use[r]);
}

/**
 * Each WPAR's normalised metrics after `move`, in the order given; `ledger` holds the systems'
 * use before it (moves in flight counted), `measured` their use when the metrics were taken
 * (without the moves in flight, which the samples do not show yet).
 */
export function predictMetrics(wpars: readonly { ask: PlanAsk; metrics: Normalised }[], ledger: Ledger, move: Move, measured: Ledger = ledger): Normalised[] {
  // What the move adds to or takes from a system's use.
  const delta = (id: string, r: Resource): number => (id === move.to.id ? move.use[r] : 0) - (id === move.from?.id ? move.use[r] : 0);
  const touched = new Set([move.to.id, move.from?.id]);
  return wpars.map(({ ask, metrics }) => {
    const was = ask.from?.id;
    const now = ask.wpar.id === move.wpar.id ? move.to.id : was;
    if (!was || !now || (!touched.has(was) && !touched.has(now))) return metrics;
    const out: Normalised = { ...metrics };
    for (const r of ['cpuCores', 'memoryBytes'] as const) {
      const v = metrics[METRIC_OF[r]];
      const roomBefore = room(measured, was, ask.use, r, 0);
      const roomAfter = room(ledger, now, ask.use, r, delta(now, r));
      if (v === undefined || roomBefore === null || roomAfter === null) continue;
      out[METRIC_OF[r]] = roomAfter <= 0 ? (v > 0 ? 100 : 0) : Math.min(100, (v * roomBefore) / roomAfter);
    }
    return out;
  });
}

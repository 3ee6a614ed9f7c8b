// The planner: places a set of WPARs at once. Each placement is ranked on the systems' use as
// the plan leaves it so far (moves already under way first, then the placements made earlier
// in the plan), so N WPARs spread by their fit instead of all landing on the one system that
// looked idlest before any of them moved. Nomad's plan, without its submission: the mobility
// services carry the placements out as relocation tasks.
import type { ResourceRef } from '../../api/resources.js';
import { feasible } from './feasible.js';
import { compareRanked, rank, type Ranked } from './rank.js';
import type { Move, PlanAsk, SystemSnapshot, Use, Whereabouts } from './types.js';

export interface Placement extends Move {
  rank: Ranked;
}

export interface Unplaced {
  wpar: ResourceRef;
  /** Per system left out: its name and why. */
  reasons: string[];
}

export interface Plan {
  placements: Placement[];
  unplaced: Unplaced[];
}

const ZERO: Use = { cpuCores: 0, memoryBytes: 0 };

/**
 * Each system's use as the plan leaves it: a move adds the WPAR's use to its arrival and takes
 * it from its departure. It also follows where the WPARs it knows of run, for the affinity rules.
 */
export class Ledger implements Whereabouts {
  private readonly byId = new Map<string, SystemSnapshot>();
  private readonly located: Map<string, string>;

  constructor(systems: readonly SystemSnapshot[], locations: Iterable<readonly [wparId: string, systemId: string]> = []) {
    for (const s of systems) this.byId.set(s.system.id, { ...s, used: s.used ? { ...s.used } : null });
    this.located = new Map(locations);
  }

  systemOf(wparId: string): string | undefined {
    return this.located.get(wparId);
  }

  blocked(systemId: string): boolean {
    return this.byId.get(systemId)?.placementBlocked ?? false;
  }

  get systems(): Iterable<SystemSnapshot> {
    return this.byId.values();
  }

  system(id: string): SystemSnapshot | undefined {
    return this.byId.get(id);
  }

  apply(m: Move): void {
    this.located.set(m.wpar.id, m.to.id);
    this.shift(m.to.id, m.use, 1);
    if (m.from) this.shift(m.from.id, m.use, -1);
  }

  private shift(id: string, use: Use, sign: 1 | -1): void {
    const s = this.byId.get(id);
    if (!s) return;
    const was = s.used ?? ZERO;
    s.used = { cpuCores: Math.max(0, was.cpuCores + sign * use.cpuCores), memoryBytes: Math.max(0, was.memoryBytes + sign * use.memoryBytes) };
  }
}

/**
 * How the planner chooses among feasible systems: spread (the least busy after the move, the
 * default) or pack (the busiest that stays at or under maxLoad: consolidation onto fewer systems).
 */
export type Strategy = { spread: true } | { pack: { maxLoad: number } };

function better(strategy: Strategy, a: Ranked, b: Ranked): boolean {
  if ('spread' in strategy) return compareRanked(a, b) < 0;
  return (b.load - b.moveCost) - (a.load - a.moveCost) < 0 || ((a.load - a.moveCost) === (b.load - b.moveCost) && compareRanked(a, b) < 0);
}

/** Where the asks' WPARs run now, then where other WPARs (their affinity partners) do. */
function locationsOf(asks: readonly PlanAsk[], others: ReadonlyMap<string, string>): [string, string][] {
  return [...others, ...asks.flatMap((a): [string, string][] => (a.from ? [[a.wpar.id, a.from.id]] : []))];
}

/** A ledger of the systems with the moves in flight already counted. */
export function ledgerOf(systems: readonly SystemSnapshot[], inFlight: readonly Move[], asks: readonly PlanAsk[] = [], others: ReadonlyMap<string, string> = new Map()): Ledger {
  const ledger = new Ledger(systems, locationsOf(asks, others));
  for (const m of inFlight) ledger.apply(m);
  return ledger;
}

/**
 * The best system for one ask on the ledger as it stands, or (when `explain`) every system's
 * reason for refusing it.
 */
export function choose(ask: PlanAsk, ledger: Ledger, strategy: Strategy, explain = true): { best: Ranked } | { reasons: string[] } {
  let best: Ranked | null = null;
  for (const s of ledger.systems) {
    if (s.system.id === ask.from?.id || !s.capacity) continue;
    if (feasible(ask, s, ledger).length > 0) continue;
    const r = rank(ask, s, s.capacity);
    if ('pack' in strategy && r.load > strategy.pack.maxLoad) continue;
    if (!best || better(strategy, r, best)) best = r;
  }
  if (best) return { best };
  // Only on refusal: spell out why, system by system.
  const reasons: string[] = [];
  if (!explain) return { reasons };
  for (const s of ledger.systems) {
    if (s.system.id === ask.from?.id) continue;
    const why = feasible(ask, s, ledger);
    reasons.push(`${s.system.name}: ${why.length > 0 ? why.join('; ') : 'it would be busier than consolidation allows'}`);
  }
  return { reasons: reasons.sort() };
}

/** The largest first (memory, then CPU), as bin packing does, then by name for a fixed order. */
function largestFirst(a: PlanAsk, b: PlanAsk): number {
  return b.use.memoryBytes - a.use.memoryBytes || b.use.cpuCores - a.use.cpuCores || a.wpar.name.localeCompare(b.wpar.name);
}

/**
 * Places every ask it can on the systems, counting the moves already in flight. `others`: where
 * WPARs that are not asks run (the asks' affinity partners), by id.
 */
export function plan(asks: readonly PlanAsk[], systems: readonly SystemSnapshot[], inFlight: readonly Move[] = [], strategy: Strategy = { spread: true }, others: ReadonlyMap<string, string> = new Map()): Plan {
  const ledger = ledgerOf(systems, inFlight, asks, others);
  const out: Plan = { placements: [], unplaced: [] };
  for (const ask of [...asks].sort(largestFirst)) {
    const choice = choose(ask, ledger, strategy);
    if ('reasons' in choice) {
      out.unplaced.push({ wpar: ask.wpar, reasons: choice.reasons });
      continue;
    }
    const placement: Placement = { wpar: ask.wpar, from: ask.from, to: choice.best.system, use: ask.use, rank: choice.best };
    ledger.apply(placement);
    out.placements.push(placement);
  }
  return out;
}

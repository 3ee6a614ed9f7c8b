// The mobility event of one WPAR group, or why there is none: the seed's policy-based
// relocation as a pure decision. Hot (the group's state above its maximum threshold): the
// busiest WPAR moves to where it fits best. Cold (below the minimum): a WPAR leaves the
// group's least busy system for the busiest one that stays under the maximum, so the group
// runs on fewer systems. One event at a time; the caller applies it and asks again, as the
// seed re-analyses the group after each event. Against ping-pong: a WPAR moved within the
// settle time stays, a move must bring the group's predicted state closer to its band by a
// margin (plus the move's own cost), and the fleet runs at most so many moves at once.
import type { RelocationPolicy } from '../../api/groups.js';
import type { ResourceRef } from '../../api/resources.js';
import { choose, Ledger, ledgerOf, type Strategy } from './plan.js';
import { distanceOutside, groupState, heat, wparState, type GroupState, type Heat, type Normalised } from './policy.js';
import { predictMetrics } from './predict.js';
import type { Move, PlanAsk, SystemSnapshot } from './types.js';

export type GroupPolicy = Pick<RelocationPolicy, 'metrics' | 'maxThreshold' | 'minThreshold'>;

export interface GroupWpar {
  /** Its ask to the planner: where it runs, its use, its domain, compatibility and move cost. */
  ask: PlanAsk;
  /** Its metrics over the averaging period, normalised (policy.normalise). */
  metrics: Normalised;
  /** When it last moved (ms); null if never. */
  movedAt: number | null;
  /** Pinned by its group's policy: the balancer never moves it (it still counts in the group's state). */
  pinned?: boolean;
}

export interface Limits {
  /** A WPAR moved this recently is not moved again. */
  settleMs: number;
  /** A move must bring the group's state this many percent points closer to its band, beyond its own cost. */
  marginPoints: number;
  /** Moves under way in the whole fleet at most. */
  maxConcurrentMoves: number;
}

export const DEFAULT_LIMITS: Limits = { settleMs: 15 * 60_000, marginPoints: 2, maxConcurrentMoves: 4 };

/**
 * WPARs tried per decision, in order: the busiest (or, cold, the cheapest on the idlest system)
 * first; past these a move would gain less still, and a pass over many groups stays quick.
 */
const TRIES = 8;

export interface MobilityEvent {
  heat: Heat;
  wpar: ResourceRef;
  from: ResourceRef | null;
  to: ResourceRef;
  /** The group's state now and as predicted after the move, in percent. */
  before: GroupState;
  after: GroupState;
  /** Percent points closer to the band, and what the move costs in the same points. */
  gain: number;
  cost: number;
  reason: string;
}

export type Decision = { event: MobilityEvent } | { event: null; state: GroupState; reason: string };

export interface DecisionInput {
  policy: GroupPolicy;
  wpars: readonly GroupWpar[];
  systems: readonly SystemSnapshot[];
  inFlight: readonly Move[];
  now: number;
  limits?: Limits;
  /** Where WPARs outside the group that its affinity rules name run, by id. */
  located?: ReadonlyMap<string, string>;
}

const pct = (n: number): string => `${n.toFixed(1)}%`;

function stateOf(policy: GroupPolicy, metrics: readonly Normalised[]): GroupState {
  return groupState(policy, metrics.map((m) => ({ state: wparState(policy, m), metrics: m })));
}

/** WPARs worth trying, in the order the event's kind wants them. */
function candidates(input: DecisionInput, kind: Heat, limits: Limits): GroupWpar[] {
  const moving = new Set(input.inFlight.map((m) => m.wpar.id));
  const free = input.wpars.filter((w) => w.ask.from && !w.pinned && !moving.has(w.ask.wpar.id) && (w.movedAt === null || input.now - w.movedAt >= limits.settleMs));
  const state = new Map(free.map((w) => [w, wparState(input.policy, w.metrics)]));
  if (kind === 'hot') return free.sort((a, b) => state.get(b)! - state.get(a)! || a.ask.wpar.name.localeCompare(b.ask.wpar.name));
  // Cold: empty the least busy system first, its smallest WPARs first (the cheapest to move).
  const load = new Map(input.systems.map((s) => [s.system.id, s.capacity && s.used ? Math.max(s.used.cpuCores / s.capacity.cpuCores, s.used.memoryBytes / s.capacity.memoryBytes) : 0]));
  const loadOf = (w: GroupWpar): number => load.get(w.ask.from!.id) ?? 0;
  return free.sort((a, b) => loadOf(a) - loadOf(b) || a.ask.use.memoryBytes - b.ask.use.memoryBytes || a.ask.wpar.name.localeCompare(b.ask.wpar.name));
}

export function decide(input: DecisionInput): Decision {
  const limits = input.limits ?? DEFAULT_LIMITS;
  const before = stateOf(input.policy, input.wpars.map((w) => w.metrics));
  // An empty group is not cold: it has nothing to consolidate.
  if (input.wpars.length === 0) return { event: null, state: before, reason: 'the group has no Active WPAR on a system' };
  const kind = heat(before.state, input.policy);
  if (!kind) return { event: null, state: before, reason: `the group's state ${pct(before.state)} is within ${input.policy.minThreshold}–${input.policy.maxThreshold}%` };
  if (input.inFlight.length >= limits.maxConcurrentMoves) {
    return { event: null, state: before, reason: `${input.inFlight.length} moves are under way, the most the fleet runs at once` };
  }
  const strategy: Strategy = kind === 'hot' ? { spread: true } : { pack: { maxLoad: input.policy.maxThreshold / 100 } };
  const distance = distanceOutside(before.state, input.policy);
  const ledger = ledgerOf(input.systems, input.inFlight, input.wpars.map((w) => w.ask), input.located);
  // The metrics were measured on the systems as they are, before the moves in flight land.
  const measured = input.inFlight.length > 0 ? new Ledger(input.systems) : ledger;
  let closest = '';
  for (const w of candidates(input, kind, limits).slice(0, TRIES)) {
    const choice = choose(w.ask, ledger, strategy, false);
    if (!('best' in choice)) continue;
    const placement = { wpar: w.ask.wpar, from: w.ask.from, to: choice.best.system, use: w.ask.use };
    const after = stateOf(input.policy, predictMetrics(input.wpars, ledger, placement, measured));
    const gain = distance - distanceOutside(after.state, input.policy);
    const cost = choice.best.moveCost * 100;
    if (gain >= limits.marginPoints + cost) {
      const why = kind === 'hot' ? `the group is hot (${pct(before.state)} > ${input.policy.maxThreshold}%): its busiest movable WPAR goes where it fits best` : `the group is cold (${pct(before.state)} < ${input.policy.minThreshold}%): a WPAR leaves its least busy system to run on fewer`;
      return { event: { heat: kind, wpar: w.ask.wpar, from: w.ask.from, to: placement.to, before, after, gain, cost, reason: `${why}; predicted ${pct(after.state)}` } };
    }
    closest ||= `moving ${w.ask.wpar.name} to ${placement.to.name} would gain ${gain.toFixed(1)} points, less than the margin ${limits.marginPoints} plus its cost ${cost.toFixed(1)}`;
  }
  return { event: null, state: before, reason: `the group is ${kind} (${pct(before.state)}) but no move helps enough${closest ? `: ${closest}` : ' (none movable: pinned, settling, held by an affinity rule, or without a system with room)'}` };
}

// One round of the policy engine for one WPAR group, as the seed runs it at regular intervals:
// each WPAR's performance state over the averaging period is counted against the group's
// thresholds; a WPAR hot or cold for the trigger count (or a critical metric beyond its own
// maximum or minimum, at once) has the group analysed; the analysis is decide(). While the
// group's previous event is under way (a move running, a recommendation open) the triggers
// still count but nothing new is decided: events within a group come one at a time.
import type { RelocationPolicy } from '../../api/groups.js';
import type { ResourceRef } from '../../api/resources.js';
import { decide, type Decision, type DecisionInput, type GroupWpar } from './decide.js';
import { countTrigger, groupState, heat, wparState, type GroupState, type Heat, type TriggerCounter } from './policy.js';

export type RoundPolicy = Pick<RelocationPolicy, 'metrics' | 'maxThreshold' | 'minThreshold' | 'triggerCount'>;

export interface Trigger {
  heat: Heat;
  wpar: ResourceRef;
  /** The WPAR's performance state, in percent. */
  state: number;
  /** Set when a metric beyond its own maximum or minimum fired at once, without the trigger count. */
  critical: { metric: string; value: number; bound: 'max' | 'min' } | null;
}

export interface WparStanding {
  wpar: ResourceRef;
  state: number;
  heat: Heat | null;
  counter: TriggerCounter;
}

export interface RoundInput extends Omit<DecisionInput, 'policy'> {
  policy: RoundPolicy;
  /** Each WPAR's trigger counts after the previous round, by id; missing ones start at zero. */
  counters: ReadonlyMap<string, TriggerCounter>;
  /** Why the group waits (its previous event is under way), or null. */
  waiting: string | null;
}

export interface Round {
  group: GroupState;
  wpars: WparStanding[];
  fired: Trigger[];
  /** The analysis, when a trigger fired and the group was not waiting. */
  decision: Decision | null;
  /** Why there was no analysis; null when there was one. */
  skipped: string | null;
}

/** The first metric of the WPAR beyond its own maximum (or else minimum): the seed's critical metric. */
function criticalMetric(policy: Pick<RelocationPolicy, 'metrics'>, w: GroupWpar): Trigger['critical'] {
  for (const bound of ['max', 'min'] as const) {
    for (const m of policy.metrics) {
      const v = w.metrics[m.metric];
      const limit = m[bound];
      if (v === undefined || limit === undefined) continue;
      if (bound === 'max' ? v > limit : v < limit) return { metric: m.metric, value: v, bound };
    }
  }
  return null;
}

export function round(input: RoundInput): Round {
  const { policy } = input;
  const wpars: WparStanding[] = [];
  const fired: Trigger[] = [];
  for (const w of input.wpars) {
    const state = wparState(policy, w.metrics);
    const counted = countTrigger(input.counters.get(w.ask.wpar.id) ?? { hot: 0, cold: 0 }, state, policy);
    const critical = criticalMetric(policy, w);
    if (counted.fired) fired.push({ heat: counted.fired, wpar: w.ask.wpar, state, critical: null });
    else if (critical) fired.push({ heat: critical.bound === 'max' ? 'hot' : 'cold', wpar: w.ask.wpar, state, critical });
    // A critical firing starts the count again, as a counted one does.
    const counter = critical && !counted.fired ? { hot: 0, cold: 0 } : counted.counter;
    wpars.push({ wpar: w.ask.wpar, state, heat: heat(state, policy), counter });
  }
  const group = groupState(policy, input.wpars.map((w, i) => ({ state: wpars[i]!.state, metrics: w.metrics })));
  if (fired.length === 0) return { group, wpars, fired, decision: null, skipped: `no WPAR has been hot or cold for ${policy.triggerCount} rounds, none beyond a metric's own bound` };
  if (input.waiting) return { group, wpars, fired, decision: null, skipped: input.waiting };
  return { group, wpars, fired, decision: decide(input), skipped: null };
}

/** The trigger counts a round leaves, by WPAR id, for the next one. */
export function countersAfter(r: Round): Map<string, TriggerCounter> {
  return new Map(r.wpars.map((w) => [w.wpar.id, w.counter]));
}

// The seed's relocation policy as arithmetic: per WPAR a performance state (the weighted average
// of its metrics over the averaging period, each normalised by its limit), hot and cold triggers
// counted against the group's thresholds, and the group's state (the mean of its WPARs' states,
// overridden by any metric beyond its own maximum or minimum). All values are percents (0..100),
// as the policy's thresholds are.
import { POLICY_METRICS, type PolicyMetricName, type RelocationPolicy } from '../../api/groups.js';
import { effectiveUtilisation } from '../../api/utilisation.js';

/** Raw metric values of one WPAR sample: utilisation as effective fractions (0..1), rates as measured. */
export type Reading = Partial<Record<PolicyMetricName, number>>;
/** Metric values normalised by their limits, in percent. */
export type Normalised = Partial<Record<PolicyMetricName, number>>;

/** What a WPAR's sample and its system's sample at the same time say, as the policy's metrics. */
export function reading(wpar: WparSample, system: { memoryUtil: number; cpuUtil: number }): Reading {
  return {
    cpu: wpar.effectiveCpuUtil ?? effectiveUtilisation(wpar.cpuUtil, system.cpuUtil),
    memory: effectiveUtilisation(wpar.memoryUtil, system.memoryUtil),
    processes: wpar.processes,
    diskThroughput: wpar.diskReadBytesPerSec + wpar.diskWriteBytesPerSec,
    networkThroughput: wpar.netRxBytesPerSec + wpar.netTxBytesPerSec,
  };
}

export interface WparSample {
  cpuUtil: number;
  memoryUtil: number;
  effectiveCpuUtil: number | null;
  processes: number;
  diskReadBytesPerSec: number;
  diskWriteBytesPerSec: number;
  netRxBytesPerSec: number;
  netTxBytesPerSec: number;
}

/**
 * The readings of the averaging period, averaged per metric, then normalised: a utilisation
 * metric's limit is 1 (so 0.35 is 35%); a rate metric is divided by its limit.
 */
export function normalise(policy: Pick<RelocationPolicy, 'metrics'>, readings: readonly Reading[]): Normalised {
  const out: Normalised = {};
  for (const m of policy.metrics) {
    // Plain loops: a balancing pass runs this for every WPAR over every reading of its period.
    let sum = 0;
    let count = 0;
    for (const r of readings) {
      const v = r[m.metric];
      if (v === undefined) continue;
      sum += v;
      count++;
    }
    if (count === 0) continue;
    const limit = POLICY_METRICS[m.metric] === 'utilization' ? 1 : m.limit;
    out[m.metric] = (sum / count / limit) * 100;
  }
  return out;
}

/** A WPAR's performance state: the weighted average of its normalised metrics; 0 when every weight is 0 (the seed). */
export function wparState(policy: Pick<RelocationPolicy, 'metrics'>, n: Normalised): number {
  let sum = 0;
  let weights = 0;
  for (const m of policy.metrics) {
    const v = n[m.metric];
    if (v === undefined || m.weight <= 0) continue;
    sum += m.weight * v;
    weights += m.weight;
  }
  return weights > 0 ? sum / weights : 0;
}

export type Heat = 'hot' | 'cold';

/** Consecutive hot and cold readings of one WPAR. */
export interface TriggerCounter {
  hot: number;
  cold: number;
}

/**
 * Counts a WPAR's new state against the group's thresholds; it fires when the count reaches the
 * policy's trigger count, and starts again after firing so that a steady load fires once per
 * trigger count, not on every reading.
 */
export function countTrigger(c: TriggerCounter, state: number, policy: Pick<RelocationPolicy, 'maxThreshold' | 'minThreshold' | 'triggerCount'>): { counter: TriggerCounter; fired: Heat | null } {
  const hot = state > policy.maxThreshold ? c.hot + 1 : 0;
  const cold = state < policy.minThreshold ? c.cold + 1 : 0;
  if (hot >= policy.triggerCount) return { counter: { hot: 0, cold: 0 }, fired: 'hot' };
  if (cold >= policy.triggerCount) return { counter: { hot: 0, cold: 0 }, fired: 'cold' };
  return { counter: { hot, cold }, fired: null };
}

export interface GroupState {
  /** The mean of the WPARs' states, after the overrides. */
  state: number;
  mean: number;
  /** The metric that overrode the mean, if one did. */
  override: { metric: PolicyMetricName; value: number; bound: 'max' | 'min' } | null;
}

/**
 * The seed's group state: the average of its WPARs' states; a metric of any WPAR above its
 * maximum raises it to that metric's value (if the average is lower), one below its minimum
 * lowers it to that value (if the average is higher). Should both happen, the maximum wins:
 * a starved WPAR matters more than an idle one.
 */
export function groupState(policy: Pick<RelocationPolicy, 'metrics'>, wpars: readonly { state: number; metrics: Normalised }[]): GroupState {
  const mean = wpars.length > 0 ? wpars.reduce((a, w) => a + w.state, 0) / wpars.length : 0;
  let high: GroupState['override'] = null;
  let low: GroupState['override'] = null;
  for (const m of policy.metrics) {
    for (const w of wpars) {
      const v = w.metrics[m.metric];
      if (v === undefined) continue;
      if (m.max !== undefined && v > m.max && v > mean && (!high || v > high.value)) high = { metric: m.metric, value: v, bound: 'max' };
      if (m.min !== undefined && v < m.min && v < mean && (!low || v < low.value)) low = { metric: m.metric, value: v, bound: 'min' };
    }
  }
  const override = high ?? low;
  return { state: override ? override.value : mean, mean, override };
}

/** Hot above the group's maximum threshold, cold below its minimum, else null. */
export function heat(state: number, policy: Pick<RelocationPolicy, 'maxThreshold' | 'minThreshold'>): Heat | null {
  if (state > policy.maxThreshold) return 'hot';
  if (state < policy.minThreshold) return 'cold';
  return null;
}

/** How far a state lies outside the band [min, max], in percent points: 0 inside it. */
export function distanceOutside(state: number, policy: Pick<RelocationPolicy, 'maxThreshold' | 'minThreshold'>): number {
  return Math.max(0, state - policy.maxThreshold, policy.minThreshold - state);
}

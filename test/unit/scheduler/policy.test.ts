// The seed's relocation policy as tables: effective utilisation, normalisation by limits,
// weighted states, the maximum and minimum overrides of the group's state, trigger counts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RelocationPolicy } from '../../../src/api/groups.js';
import { effectiveUtilisation } from '../../../src/api/utilisation.js';
import { countTrigger, distanceOutside, groupState, heat, normalise, reading, wparState, type Normalised, type TriggerCounter } from '../../../src/manager/scheduler/policy.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);
type Metrics = RelocationPolicy['metrics'];

describe('effective utilisation, WPAR use / (1 − (system use − WPAR use))', () => {
  const cases: [number, number, number, string][] = [
    [0.2, 0.2, 0.2, 'nothing else runs: its own use'],
    [0.2, 1.0, 1, 'the seed\'s example: 20% of a system the others fill to 80%'],
    [0.2, 0.6, 1 / 3, 'others take 40%: 20 of the 60 left'],
    [0, 0.9, 0, 'a WPAR that uses nothing'],
    [0.3, 0.25, 0.3, 'a system sample below the WPAR\'s (sampling skew): its own use'],
    [0.1, 1.3, 1, 'others take everything: full'],
    [0, 1.3, 0, 'others take everything, the WPAR nothing'],
  ];
  for (const [wpar, system, want, what] of cases) it(what, () => close(effectiveUtilisation(wpar, system), want));
});

describe('normalised metrics and a WPAR\'s performance state', () => {
  const metrics: Metrics = [
    { metric: 'cpu', weight: 2, limit: 1 },
    { metric: 'memory', weight: 1, limit: 1 },
    { metric: 'processes', weight: 1, limit: 200 },
  ];
  it('averages the period\'s readings, a utilisation over 1 and a rate over its limit, in percent', () => {
    const n = normalise({ metrics }, [{ cpu: 0.3, memory: 0.5, processes: 40 }, { cpu: 0.5, memory: 0.5, processes: 120 }]);
    close(n.cpu!, 40);
    close(n.memory!, 50);
    close(n.processes!, 40);
  });
  it('takes the agent\'s effective CPU and works out effective memory from the system\'s sample', () => {
    const r = reading({ cpuUtil: 0.1, memoryUtil: 0.25, effectiveCpuUtil: 0.4, processes: 7, diskReadBytesPerSec: 1, diskWriteBytesPerSec: 2, netRxBytesPerSec: 3, netTxBytesPerSec: 4 }, { cpuUtil: 0.9, memoryUtil: 0.75 });
    assert.deepEqual(r, { cpu: 0.4, memory: 0.5, processes: 7, diskThroughput: 3, networkThroughput: 7 });
  });
  const states: [string, Metrics, Normalised, number][] = [
    ['weighted average', metrics, { cpu: 40, memory: 50, processes: 10 }, (2 * 40 + 50 + 10) / 4],
    ['a metric without readings is left out', metrics, { cpu: 40, memory: 50 }, (2 * 40 + 50) / 3],
    ['weight 0 does not count', [{ metric: 'cpu', weight: 0, limit: 1 }, { metric: 'memory', weight: 1, limit: 1 }], { cpu: 90, memory: 10 }, 10],
    ['every weight 0: always 0 (the seed)', [{ metric: 'cpu', weight: 0, limit: 1 }], { cpu: 90 }, 0],
  ];
  for (const [what, m, n, want] of states) it(what, () => close(wparState({ metrics: m }, n), want));
});

describe('the group\'s state and the seed\'s overrides', () => {
  const m: Metrics = [{ metric: 'cpu', weight: 1, limit: 1, max: 90, min: 5 }, { metric: 'memory', weight: 1, limit: 1 }];
  const w = (cpu: number, memory: number) => ({ state: (cpu + memory) / 2, metrics: { cpu, memory } });
  const cases: [string, ReturnType<typeof w>[], number, string | null][] = [
    ['the mean of its WPARs\' states', [w(40, 40), w(60, 20)], 40, null],
    ['a metric above its maximum raises it to that metric\'s value', [w(95, 15), w(30, 20)], 95, 'max'],
    ['the highest of several metrics above their maximum', [w(95, 15), w(98, 20)], 98, 'max'],
    ['a metric below its minimum lowers it to that value', [w(3, 40), w(50, 50)], 3, 'min'],
    ['both: the maximum wins', [w(95, 40), w(2, 50)], 95, 'max'],
    ['within bounds: no override', [w(89, 40), w(6, 50)], 46.25, null],
    ['no WPARs: 0', [], 0, null],
  ];
  for (const [what, wpars, want, bound] of cases) {
    it(what, () => {
      const g = groupState({ metrics: m }, wpars);
      close(g.state, want);
      assert.equal(g.override?.bound ?? null, bound);
    });
  }
  it('no override when the mean already lies beyond the metric (the seed: only if the average is lower)', () => {
    const only: Metrics = [{ metric: 'cpu', weight: 1, limit: 1, max: 10 }];
    const g = groupState({ metrics: only }, [{ state: 50, metrics: { cpu: 20 } }]);
    assert.equal(g.override, null);
    close(g.state, 50);
  });
});

describe('triggers and heat', () => {
  const policy = { maxThreshold: 80, minThreshold: 20, triggerCount: 3 };
  it('fires after trigger-count consecutive hot (or cold) readings, then counts again', () => {
    const states = [85, 90, 70, 85, 86, 87, 88, 10, 15, 19, 50];
    let c: TriggerCounter = { hot: 0, cold: 0 };
    const fired = states.map((s) => {
      const r = countTrigger(c, s, policy);
      c = r.counter;
      return r.fired;
    });
    assert.deepEqual(fired, [null, null, null, null, null, 'hot', null, null, null, 'cold', null]);
  });
  const cases: [number, string | null, number][] = [[81, 'hot', 1], [80, null, 0], [50, null, 0], [20, null, 0], [15, 'cold', 5]];
  for (const [s, want, distance] of cases) {
    it(`${s}% is ${want ?? 'in the band'}`, () => {
      assert.equal(heat(s, policy), want);
      close(distanceOutside(s, policy), distance);
    });
  }
});

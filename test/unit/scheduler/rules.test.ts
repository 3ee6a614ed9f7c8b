// The group's rules in every stage of the scheduler: affinity (keep together), anti-affinity
// (never two on one system) in feasible and plan, and pinned WPARs the balancer never moves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../../../src/manager/scheduler/decide.js';
import { ruleProblems } from '../../../src/manager/scheduler/feasible.js';
import { Ledger, plan } from '../../../src/manager/scheduler/plan.js';
import type { PlanAsk } from '../../../src/manager/scheduler/types.js';
import { GIB, ask, system } from './fixtures.js';
import { snapshot } from './sim.js';

const ref = (n: string) => ({ id: n, name: n });
const one = { cpuCores: 1, memoryBytes: GIB };
const to = (p: ReturnType<typeof plan>) => Object.fromEntries(p.placements.map((x) => [x.wpar.name, x.to.name]));

describe('affinity rules in feasible', () => {
  const systems = [system('a'), system('b'), system('c', undefined, { placementBlocked: true })];
  const where = new Ledger(systems, [['p', 'a'], ['q', 'c']]);
  const cases: [string, Pick<PlanAsk, 'together' | 'apart'>, string, string[]][] = [
    ['no rules', {}, 'a', []],
    ['anti-affinity: not where the partner runs', { apart: [ref('p')] }, 'a', ['anti-affinity: p runs there']],
    ['anti-affinity: anywhere else', { apart: [ref('p')] }, 'b', []],
    ['anti-affinity: a partner not placed binds nothing', { apart: [ref('nowhere')] }, 'a', []],
    ['affinity: where the partner runs', { together: [ref('p')] }, 'a', []],
    ['affinity: not elsewhere', { together: [ref('p')] }, 'b', ['affinity: it stays with p, which runs elsewhere']],
    ['affinity: a partner on a system being evacuated is leaving too', { together: [ref('q')] }, 'b', []],
  ];
  for (const [what, rules, on, reasons] of cases) {
    it(what, () => assert.deepEqual(ruleProblems(rules, on, where), reasons));
  }
});

describe('affinity rules in plan', () => {
  it('anti-affinity spreads partners even when one system is idlest for both', () => {
    const systems = [system('idle'), system('some', { cpuCores: 2, memoryBytes: 0 })];
    const asks = [ask('w1', null, one, { apart: [ref('w2')] }), ask('w2', null, one, { apart: [ref('w1')] })];
    assert.deepEqual(to(plan(asks, systems)), { w1: 'idle', w2: 'some' });
  });

  it('anti-affinity with a WPAR outside the plan keeps off its system', () => {
    const systems = [system('idle'), system('some', { cpuCores: 2, memoryBytes: 0 })];
    const p = plan([ask('w1', null, one, { apart: [ref('db')] })], systems, [], { spread: true }, new Map([['db', 'idle']]));
    assert.deepEqual(to(p), { w1: 'some' });
  });

  it('evacuating a host moves affinity partners to one system, after the first', () => {
    const systems = [system('home', { cpuCores: 2, memoryBytes: 2 * GIB }, { placementBlocked: true }), system('x', { cpuCores: 1, memoryBytes: 0 }), system('y', { cpuCores: 1.5, memoryBytes: 0 })];
    const asks = [ask('w1', 'home', one, { together: [ref('w2')] }), ask('w2', 'home', { cpuCores: 1, memoryBytes: 2 * GIB }, { together: [ref('w1')] })];
    const p = plan(asks, systems);
    assert.deepEqual(to(p), { w2: 'x', w1: 'x' });
  });

  it('a WPAR with no system left that honours its rules is unplaced, with the rule as the reason', () => {
    const p = plan([ask('w1', 'a', one, { apart: [ref('w2')] })], [system('a'), system('b')], [], { spread: true }, new Map([['w2', 'b']]));
    assert.deepEqual(p.unplaced.map((u) => u.reasons), [['b: anti-affinity: w2 runs there']]);
  });
});

describe('rules in the balancer', () => {
  const policy = { metrics: [{ metric: 'cpu' as const, weight: 1, limit: 1 }], maxThreshold: 70, minThreshold: 30 };
  const hot = () => snapshot([{ name: 'a', cores: 8, background: 4 }, { name: 'b', cores: 8 }], [{ name: 'w1', on: 'a', cores: 3, movedAt: null }, { name: 'w2', on: 'a', cores: 1, movedAt: null }]);
  const decideOn = (s: ReturnType<typeof hot>) => decide({ policy, ...s, inFlight: [], now: 0 });

  it('moves the busiest WPAR when none is pinned', () => {
    const d = decideOn(hot());
    assert.equal(d.event?.wpar.name, 'w1');
  });

  it('never moves a pinned WPAR: the next busiest goes', () => {
    const s = hot();
    s.wpars[0]!.pinned = true;
    assert.equal(decideOn(s).event?.wpar.name, 'w2');
  });

  it('moves none when every WPAR is pinned, and says why', () => {
    const s = hot();
    for (const w of s.wpars) w.pinned = true;
    const d = decideOn(s);
    assert.ok(!d.event && /none movable: pinned/.test(d.reason), JSON.stringify(d));
  });

  it('does not split WPARs kept together', () => {
    const s = hot();
    s.wpars[0]!.ask.together = [ref('w2')];
    s.wpars[1]!.ask.together = [ref('w1')];
    const d = decideOn(s);
    assert.equal(d.event, null);
  });
});

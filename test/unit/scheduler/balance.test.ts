// The policy engine's round: trigger counts, the critical metric, waiting for the group's
// previous event, and, with a fake clock and a swinging load, a bounded number of moves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countersAfter, round, type RoundInput } from '../../../src/manager/scheduler/balance.js';
import type { Limits } from '../../../src/manager/scheduler/decide.js';
import type { TriggerCounter } from '../../../src/manager/scheduler/policy.js';
import { snapshot, type SimWpar } from './sim.js';

const policy = { metrics: [{ metric: 'cpu' as const, weight: 1, limit: 1 }], maxThreshold: 70, minThreshold: 30, triggerCount: 3 };
const limits: Limits = { settleMs: 15 * 60_000, marginPoints: 2, maxConcurrentMoves: 4 };
const hotFleet = () => snapshot([{ name: 'a', cores: 8, background: 4 }, { name: 'b', cores: 8 }], [{ name: 'w1', on: 'a', cores: 3, movedAt: null }, { name: 'w2', on: 'a', cores: 1, movedAt: null }]);

function input(over: Partial<RoundInput> = {}, counters: [string, TriggerCounter][] = []): RoundInput {
  return { policy, ...hotFleet(), inFlight: [], now: 0, limits, counters: new Map(counters), waiting: null, ...over };
}

describe('policy engine round', () => {
  it('counts a hot WPAR without analysing the group before the trigger count', () => {
    const r = round(input());
    assert.deepEqual([r.fired, r.decision], [[], null]);
    assert.deepEqual(r.wpars.map((w) => [w.wpar.name, w.heat, w.counter.hot]), [['w1', 'hot', 1], ['w2', 'hot', 1]]);
    assert.match(r.skipped!, /hot or cold for 3 rounds/);
  });

  it('analyses the group at the trigger count and proposes a mobility event; the count starts again', () => {
    const r = round(input({}, [['w1', { hot: 2, cold: 0 }]]));
    assert.deepEqual(r.fired.map((f) => [f.heat, f.wpar.name, f.critical]), [['hot', 'w1', null]]);
    assert.equal(r.decision?.event?.wpar.name, 'w1');
    assert.deepEqual(countersAfter(r).get('w1'), { hot: 0, cold: 0 });
    assert.deepEqual(countersAfter(r).get('w2'), { hot: 1, cold: 0 });
  });

  it('a critical metric (beyond its own maximum) analyses the group at once', () => {
    const p = { ...policy, metrics: [{ metric: 'cpu' as const, weight: 1, limit: 1, max: 60 }] };
    const r = round(input({ policy: p }));
    assert.deepEqual(r.fired.map((f) => [f.heat, f.wpar.name, f.critical?.metric, f.critical?.bound]), [['hot', 'w1', 'cpu', 'max'], ['hot', 'w2', 'cpu', 'max']]);
    assert.ok(r.decision?.event);
  });

  it('a critical metric below its own minimum fires cold', () => {
    const s = snapshot([{ name: 'a', cores: 8 }, { name: 'b', cores: 8, background: 4 }], [{ name: 'w1', on: 'a', cores: 0.2, movedAt: null }]);
    const p = { ...policy, metrics: [{ metric: 'cpu' as const, weight: 1, limit: 1, min: 10 }] };
    const r = round(input({ policy: p, ...s }));
    assert.deepEqual(r.fired.map((f) => [f.heat, f.critical?.bound]), [['cold', 'min']]);
    assert.equal(r.decision?.event?.heat, 'cold');
  });

  it('a group whose previous event is under way counts triggers but decides nothing', () => {
    const r = round(input({ waiting: 'a recommendation is open' }, [['w1', { hot: 2, cold: 0 }]]));
    assert.equal(r.fired.length, 1);
    assert.deepEqual([r.decision, r.skipped], [null, 'a recommendation is open']);
  });

  it('a WPAR back within the band starts its count again', () => {
    const s = snapshot([{ name: 'a', cores: 8 }, { name: 'b', cores: 8 }], [{ name: 'w1', on: 'a', cores: 4, movedAt: null }]);
    const r = round(input(s, [['w1', { hot: 2, cold: 0 }]]));
    assert.deepEqual(countersAfter(r).get('w1'), { hot: 0, cold: 0 });
  });
});

describe('no ping-pong, through the engine (fake clock, swinging load)', () => {
  /**
   * Every three minutes the load swings between two pairs of WPARs on three systems of 8
   * cores; every minute the engine runs a round and its event is applied at once (an
   * automatic group). Returns the number of moves in four hours.
   */
  function run(l: Limits, p: RoundInput['policy'], busy: number, idle: number): number {
    const systems = [{ name: 'a', cores: 8 }, { name: 'b', cores: 8 }, { name: 'c', cores: 8 }];
    const wpars: SimWpar[] = ['w1', 'w2', 'w3', 'w4'].map((name, i) => ({ name, on: i < 2 ? 'a' : 'b', cores: 0, movedAt: null }));
    let counters = new Map<string, TriggerCounter>();
    let moves = 0;
    for (let t = 0; t < 240; t++) {
      const even = Math.floor(t / 3) % 2 === 0;
      wpars.forEach((x, i) => (x.cores = (i < 2) === even ? busy : idle));
      const now = t * 60_000;
      const r = round({ policy: p, ...snapshot(systems, wpars), inFlight: [], now, limits: l, counters, waiting: null });
      counters = countersAfter(r);
      const e = r.decision?.event;
      if (!e) continue;
      const x = wpars.find((y) => y.name === e.wpar.name)!;
      x.on = e.to.name;
      x.movedAt = now;
      moves++;
    }
    return moves;
  }
  const none: Limits = { settleMs: 0, marginPoints: 0, maxConcurrentMoves: Infinity };
  // A CPU maximum of 75%: one starved WPAR is a critical metric, firing every round it lasts.
  const critical = { ...policy, triggerCount: 1, metrics: [{ metric: 'cpu' as const, weight: 1, limit: 1, max: 75 }] };

  it('without limits, a critical metric the load swings across moves a WPAR every round', () => {
    assert.equal(run(none, critical, 3.5, 0.3), 240);
  });

  it('the settle time alone bounds the moves: each WPAR at most once per settle time', () => {
    const n = run({ ...none, settleMs: limits.settleMs }, critical, 3.5, 0.3);
    assert.ok(n > 0 && n <= 4 * Math.ceil(240 / 15), `${n} moves`);
  });

  it('with every limit, moves that only shift the heat are not made at all', () => {
    assert.equal(run(limits, critical, 3.5, 0.3), 0);
  });

  // Starved pair and a pair at 60%: the group is hot either way until one move spreads it.
  it('a group hot by its average: one move, then the group stays within its band', () => {
    assert.equal(run(limits, { ...policy, triggerCount: 1 }, 3.9, 3), 1);
  });

  it('a trigger count longer than the swing never fires', () => {
    assert.equal(run(none, { ...policy, triggerCount: 4 }, 3.9, 3), 0);
  });
});

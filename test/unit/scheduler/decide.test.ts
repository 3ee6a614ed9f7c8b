// Mobility events of one group: hot moves its busiest WPAR where it fits best, cold
// consolidates, and the limits against ping-pong hold under an oscillating load.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, type Limits } from '../../../src/manager/scheduler/decide.js';
import { snapshot, type SimWpar } from './sim.js';

const policy = { metrics: [{ metric: 'cpu' as const, weight: 1, limit: 1 }], maxThreshold: 70, minThreshold: 30 };
const limits: Limits = { settleMs: 15 * 60_000, marginPoints: 2, maxConcurrentMoves: 4 };
const NOW = 100 * 60_000;
const sys = (name: string, cores = 8, background = 0) => ({ name, cores, background });
const w = (name: string, on: string, cores: number, movedAt: number | null = null): SimWpar => ({ name, on, cores, movedAt });
const run = (systems: ReturnType<typeof sys>[], wpars: SimWpar[], extra: Partial<Parameters<typeof decide>[0]> = {}) =>
  decide({ policy, ...snapshot(systems, wpars), inFlight: [], now: NOW, limits, ...extra });

describe('mobility events', () => {
  it('none within the band, with the group state', () => {
    const d = run([sys('a', 8, 2), sys('b', 8, 2)], [w('w1', 'a', 3), w('w2', 'b', 3)]);
    assert.equal(d.event, null);
    assert.ok(!d.event && /within 30–70%/.test(d.reason));
  });

  it('none for a group with no WPAR running (not cold: nothing to consolidate)', () => {
    const d = run([sys('a')], []);
    assert.ok(!d.event && d.reason === 'the group has no Active WPAR on a system');
  });

  it('hot: the busiest WPAR goes to the system where it fits best, with the numbers', () => {
    const d = run([sys('a', 8, 4), sys('b'), sys('c', 8, 2)], [w('w1', 'a', 3), w('w2', 'a', 1), w('w3', 'c', 3)]);
    assert.ok(d.event);
    assert.deepEqual([d.event.heat, d.event.wpar.name, d.event.from?.name, d.event.to.name], ['hot', 'w1', 'a', 'b']);
    assert.ok(d.event.before.state > 70 && d.event.after.state < d.event.before.state);
    assert.ok(d.event.gain >= limits.marginPoints);
  });

  it('hot: a WPAR moved within the settle time stays; the next busiest goes', () => {
    const d = run([sys('a', 8, 4), sys('b')], [w('w1', 'a', 3, NOW - 60_000), w('w2', 'a', 1)]);
    assert.deepEqual(d.event && [d.event.wpar.name, d.event.to.name], ['w2', 'b']);
  });

  it('none when the fleet already runs its most moves at once', () => {
    const busy = { wpar: { id: 'x', name: 'x' }, from: null, to: { id: 'b', name: 'b' }, use: { cpuCores: 0, memoryBytes: 0 } };
    const d = run([sys('a', 8, 4), sys('b')], [w('w1', 'a', 3)], { inFlight: [busy, busy, busy, busy] });
    assert.ok(!d.event && /4 moves are under way/.test(d.reason));
  });

  it('a move in flight off the same system leaves the next one its gain (the metrics predate it)', () => {
    const systems = [sys('a', 8, 5), sys('b')];
    const alone = run(systems, [w('w1', 'a', 2.4)]);
    const moving = { wpar: { id: 'x', name: 'x' }, from: { id: 'a', name: 'a' }, to: { id: 'b', name: 'b' }, use: { cpuCores: 2.4, memoryBytes: 0 } };
    const d = run(systems, [w('w1', 'a', 2.4)], { inFlight: [moving] });
    assert.ok(alone.event && d.event, JSON.stringify(d));
    assert.ok(Math.abs(d.event.gain - alone.event.gain) < 5, `${d.event.gain} vs ${alone.event.gain}`);
  });

  it('none when no move brings the group closer to its band by the margin', () => {
    // Every system as busy as the other: a move only shifts the heat.
    const d = run([sys('a', 8, 5.5), sys('b', 8, 5.5), sys('c', 8, 5.5)], [w('w1', 'a', 2), w('w2', 'b', 2)]);
    assert.ok(!d.event && /no move helps enough: moving w1 to c would gain 0.0 points/.test(d.reason), JSON.stringify(d));
  });

  it('cold: a WPAR leaves the least busy system for the busiest that stays under the maximum', () => {
    const d = run([sys('a', 8, 0), sys('b', 8, 3), sys('c', 8, 6.5)], [w('w1', 'a', 0.5), w('w2', 'b', 0.5)]);
    assert.deepEqual(d.event && [d.event.heat, d.event.wpar.name, d.event.from?.name, d.event.to.name], ['cold', 'w1', 'a', 'b']);
  });
});

describe('no ping-pong', () => {
  /**
   * The load swings every `period` minutes between two pairs of WPARs (3.5 cores busy, the
   * others 0.3) on three systems of 8 cores; every minute the group is decided and its event
   * applied. A CPU maximum of 75% makes one starved WPAR heat the whole group (the seed's override).
   */
  function oscillate(l: Limits, minThreshold: number, minutes = 240, period = 3): number {
    const p = { ...policy, minThreshold, metrics: [{ metric: 'cpu' as const, weight: 1, limit: 1, max: 75 }] };
    const systems = [sys('a'), sys('b'), sys('c')];
    const wpars = [w('w1', 'a', 0), w('w2', 'a', 0), w('w3', 'b', 0), w('w4', 'b', 0)];
    let moves = 0;
    for (let t = 0; t < minutes; t++) {
      const even = Math.floor(t / period) % 2 === 0;
      wpars.forEach((x, i) => (x.cores = (i < 2) === even ? 3.5 : 0.3));
      const now = t * 60_000;
      const d = decide({ policy: p, ...snapshot(systems, wpars), inFlight: [], now, limits: l });
      if (!d.event) continue;
      const x = wpars.find((y) => y.name === d.event!.wpar.name)!;
      x.on = d.event.to.name;
      x.movedAt = now;
      moves++;
    }
    return moves;
  }
  const none: Limits = { settleMs: 0, marginPoints: 0, maxConcurrentMoves: Infinity };
  // Each WPAR moves at most once per settle time: 4 WPARs, 240 minutes, 15 minutes.
  const bound = 4 * Math.ceil(240 / 15);

  const cases: [string, Limits, number, (n: number) => boolean][] = [
    ['without limits, a band the load swings across moves a WPAR every minute', none, 30, (n) => n === 240],
    ['the settle time alone bounds it', { ...none, settleMs: limits.settleMs }, 30, (n) => n > 0 && n <= bound],
    ['the margin alone stops moves that gain nothing', { ...none, marginPoints: limits.marginPoints }, 30, (n) => n === 0],
    ['all the limits, a band the load stays within once spread: the two useful moves only', limits, 10, (n) => n === 2],
  ];
  for (const [what, l, min, ok] of cases) {
    it(what, () => {
      const n = oscillate(l, min);
      assert.ok(ok(n), `${n} moves`);
    });
  }
});

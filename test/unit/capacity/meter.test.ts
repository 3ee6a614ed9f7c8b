// The meter's arithmetic over a simulated clock, no I/O: debits cover whole seconds exactly
// once however the runs fall, depletion is projected from the balance and the use, the
// warning and the exhaustion action come once per episode.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assessTemporary, excessCores, meterStep, planDeactivation, projectedDepletion, type MeterDebit } from '../../../src/manager/capacity/meter.js';

/** Runs the meter at each tick of a simulated clock over a timeline of (start second, cores in use). */
function runMeter(start: number, ticks: number[], useAt: (second: number) => number): MeterDebit[] {
  let watermark = start;
  const debits: MeterDebit[] = [];
  for (const now of ticks) {
    const d = meterStep(watermark, now, useAt(watermark));
    if (!d) continue;
    debits.push(d);
    watermark = d.to;
  }
  return debits;
}

describe('meter', () => {
  it('charges the cores beyond the rights, never below zero', () => {
    assert.equal(excessCores(6, 4), 2);
    assert.equal(excessCores(3, 4), 0);
  });

  it('charges each whole second of [watermark, now) once, however the runs fall', () => {
    const start = 1_000;
    const use = () => 3;
    const once = runMeter(start, [start + 3600], use);
    // Irregular ticks, repeated ticks, a tick in the past (a clock step back), a long gap (the manager was down).
    const irregular = runMeter(start, [1_001, 1_001, 1_007, 1_005, 1_500, 1_500, 4_000, start + 3600], use);
    const total = (ds: MeterDebit[]) => ds.reduce((n, d) => n + d.amount, 0);
    assert.equal(total(once), 3 * 3600);
    assert.equal(total(irregular), 3 * 3600);
    // Contiguous: each debit starts where the previous ended.
    for (let i = 1; i < irregular.length; i++) assert.equal(irregular[i]?.from, irregular[i - 1]?.to);
    assert.equal(meterStep(start + 3600, start + 3600, 3), null);
  });

  it('charges at the use metered up to each run (a change of use is metered at the change)', () => {
    // 2 cores beyond the rights for 100 s, then 5 for 50 s: the service meters at each change.
    const d1 = meterStep(0, 100, 2);
    const d2 = meterStep(100, 150, 5);
    assert.deepEqual([d1?.amount, d2?.amount], [200, 250]);
    assert.deepEqual(meterStep(150, 160, 0), { from: 150, to: 160, excess: 0, amount: 0 }, 'the watermark moves on even when nothing is in use');
  });

  it('projects depletion from the balance and the use', () => {
    assert.equal(projectedDepletion(3600, 2, 10_000), 11_800);
    assert.equal(projectedDepletion(3601, 2, 10_000), 11_800, 'rounded down to the second');
    assert.equal(projectedDepletion(3600, 0, 10_000), null);
    assert.equal(projectedDepletion(0, 1, 10_000), 10_000);
    assert.equal(projectedDepletion(-5, 1, 10_000), 10_000);
  });

  it('a simulated day: the balance depletes to the second, warns once within the period, exhausts once', () => {
    let balance = 7200; // two core-hours
    const excess = 2;
    const warningPeriod = 1800;
    let flags = { warned: false, exhausted: false };
    let watermark = 0;
    const warnedAt: number[] = [];
    const exhaustedAt: number[] = [];
    for (let now = 7; now <= 7200; now += 7) {
      const d = meterStep(watermark, now, excess);
      if (d) {
        balance -= d.amount;
        watermark = d.to;
      }
      const a = assessTemporary(balance, excess, warningPeriod, now, flags);
      if (a.warn) warnedAt.push(now);
      if (a.exhaust) exhaustedAt.push(now);
      flags = a.flags;
    }
    // 7200 core-seconds at 2 cores last 3600 s; the warning is due at 3600 − 1800 = 1800 s.
    assert.deepEqual(warnedAt, [1806]);
    assert.deepEqual(exhaustedAt, [3605]);
    assert.equal(balance, 7200 - 2 * 7196);
  });

  it('a new episode after a credit warns again', () => {
    let a = assessTemporary(100, 1, 200, 0, { warned: false, exhausted: false });
    assert.equal(a.warn, true);
    a = assessTemporary(90, 1, 200, 10, a.flags);
    assert.equal(a.warn, false, 'once per episode');
    a = assessTemporary(10_090, 1, 200, 10, a.flags);
    assert.deepEqual([a.warn, a.flags.warned], [false, false], 'a credit ends the episode');
    a = assessTemporary(150, 1, 200, 9_950, a.flags);
    assert.equal(a.warn, true);
    a = assessTemporary(0, 0, 200, 10_100, a.flags);
    assert.deepEqual([a.warn, a.exhaust], [false, false], 'nothing in use: nothing runs out');
  });

  it('deactivates from the systems with the most intended cores first', () => {
    const plan = planDeactivation([{ id: 'a', name: 'a', cores: 2 }, { id: 'b', name: 'b', cores: 5 }, { id: 'c', name: 'c', cores: 5 }], 7);
    assert.deepEqual([...plan.entries()], [['b', 0], ['c', 3]]);
    assert.equal(planDeactivation([{ id: 'a', name: 'a', cores: 2 }], 0).size, 0);
  });
});

// The console's axis labels (web/src/lib/ticks.ts): ticks of small values read apart (a WPAR's
// CPU axis at a few hundredths of a percent read "0%, 0%, 0%" before), each axis with one
// number of decimals, exact where the spacing is round in the label's unit, never "-0".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byteTicks, countTicks, decimalsFor, fixed, percentTicks, tickLabels } from '../../../web/src/lib/ticks.js';

describe('axis tick labels', () => {
  it('reads a WPAR\'s small CPU shares apart: 0.05% steps, not "0%" three times', () => {
    // uPlot's ticks for a series between 0.01% and 0.14% of the host, as fractions.
    assert.deepEqual(percentTicks([0, 0.0005, 0.001, 0.0015]), ['0.00%', '0.05%', '0.10%', '0.15%']);
    assert.deepEqual(percentTicks([0.0002, 0.0004, 0.0006000000000000001, 0.0008]), ['0.02%', '0.04%', '0.06%', '0.08%']);
    assert.deepEqual(percentTicks([0, 0.00001, 0.00002]), ['0.000%', '0.001%', '0.002%']);
    assert.deepEqual(percentTicks([0, 0.25, 0.5, 0.75, 1]), ['0%', '25%', '50%', '75%', '100%'], 'whole percentages stay whole');
    assert.deepEqual(percentTicks([0, 0.025, 0.05, 0.075]), ['0.0%', '2.5%', '5.0%', '7.5%'], 'exact: 2.5%, not 3%');
  });

  it('gives every label of an axis the same decimals, and never two ticks one label', () => {
    for (const ticks of [[0, 0.0005, 0.001], [0.1, 0.2, 0.3], [1e-7, 2e-7, 3e-7], [0.333, 0.666, 0.999], [5, 5.5, 6]]) {
      const labels = percentTicks(ticks);
      assert.equal(new Set(labels).size, labels.length, labels.join(', '));
      assert.equal(new Set(labels.map((l) => l.split('.')[1]?.length ?? 0)).size, 1, labels.join(', '));
    }
    assert.deepEqual(percentTicks([0.5]), ['50%'], 'one tick: no spacing to show');
    assert.deepEqual(percentTicks([]), []);
  });

  it('counts are whole unless the ticks fall between them', () => {
    assert.deepEqual(countTicks([0, 5, 10, 15]), ['0', '5', '10', '15']);
    assert.deepEqual(countTicks([2, 2.5, 3, 3.5]), ['2.0', '2.5', '3.0', '3.5']);
    assert.deepEqual(countTicks([2.9, 3, 3.1]), ['2.9', '3.0', '3.1']);
  });

  it('bytes in one unit for the axis, with the decimals their spacing needs', () => {
    assert.deepEqual(byteTicks([0, 512, 1024, 1536]), ['0.0 KiB', '0.5 KiB', '1.0 KiB', '1.5 KiB']);
    const gib = 2 ** 30;
    const mem = byteTicks([gib, gib + 50_000_000, gib + 100_000_000]);
    assert.deepEqual(mem, ['1.000 GiB', '1.047 GiB', '1.093 GiB'], 'a decimal step in bytes: to one digit past its first');
    assert.deepEqual(byteTicks([0, 100, 200], '/s'), ['0 B/s', '100 B/s', '200 B/s']);
    assert.deepEqual(byteTicks([0, 2 * 1024 ** 2, 4 * 1024 ** 2], '/s'), ['0 MiB/s', '2 MiB/s', '4 MiB/s']);
  });

  it('decimalsFor and fixed', () => {
    assert.deepEqual([0.05, 2.5, 20, 0.1, 1e-9, 0.30000000000000004].map((s) => decimalsFor(s)), [2, 1, 0, 1, 6, 1]);
    assert.equal(fixed(-0.0001, 2), '0.00');
    assert.equal(fixed(-0, 0), '0');
    assert.equal(fixed(-1.5, 1), '-1.5');
    assert.deepEqual(tickLabels([-0.1, 0, 0.1], (v, d) => fixed(v, d)), ['-0.1', '0.0', '0.1']);
  });
});

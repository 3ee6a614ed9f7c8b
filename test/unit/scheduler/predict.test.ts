// Predicted metrics after a move: effective utilisation is use over the room left, so a move
// rescales the CPU and memory metrics of the WPARs on its two systems and of the one that moves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ledgerOf } from '../../../src/manager/scheduler/plan.js';
import { predictMetrics } from '../../../src/manager/scheduler/predict.js';
import { ask, system } from './fixtures.js';

const close = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

describe('scheduler predict', () => {
  // a: 8 cores, 6 used by m (2), s (2) and 2 of background; b: 8 cores, 4 used; c untouched.
  const systems = [system('a', { cpuCores: 6, memoryBytes: 0 }), system('b', { cpuCores: 4, memoryBytes: 0 }), system('c', { cpuCores: 7, memoryBytes: 0 })];
  const two = { cpuCores: 2, memoryBytes: 0 };
  const wpars = [
    { ask: ask('m', 'a', two), metrics: { cpu: 50, processes: 30 } }, // 2 of the 4 left to it
    { ask: ask('s', 'a', two), metrics: { cpu: 50 } },
    { ask: ask('t', 'b', two), metrics: { cpu: 33 } },
    { ask: ask('u', 'c', { cpuCores: 1, memoryBytes: 0 }), metrics: { cpu: 50 } },
  ];
  const after = predictMetrics(wpars, ledgerOf(systems, []), { wpar: { id: 'm', name: 'm' }, from: { id: 'a', name: 'a' }, to: { id: 'b', name: 'b' }, use: two });
  const cases: [string, number, number][] = [
    ['the mover: room 4 on a, 8 − 4 = 4 on b', 0, 50],
    ['left behind on a: room 4 becomes 6', 1, (50 * 4) / 6],
    ['on the arrival: room 6 becomes 4', 2, (33 * 6) / 4],
    ['elsewhere: unchanged', 3, 50],
  ];
  for (const [what, i, cpu] of cases) it(what, () => close(after[i]!.cpu, cpu));
  it('leaves rate metrics as they are', () => assert.equal(after[0]!.processes, 30));
});

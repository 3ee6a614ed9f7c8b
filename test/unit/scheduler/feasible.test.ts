// Feasibility and the cost of a move, as tables.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PairState } from '../../../src/api/compatibility.js';
import type { MemoryMethod } from '../../../src/api/relocation.js';
import { feasible } from '../../../src/manager/scheduler/feasible.js';
import { moveCost } from '../../../src/manager/scheduler/move-cost.js';
import type { SystemSnapshot } from '../../../src/manager/scheduler/types.js';
import { GIB, ask, system } from './fixtures.js';

describe('scheduler feasible', () => {
  const cases: [string, Partial<SystemSnapshot>, PairState, string[]][] = [
    ['fully compatible, online, with room', {}, 'fully', []],
    ['compatible only the other way', {}, 'inbound', ['inbound compatible: automatic selection takes only fully compatible systems']],
    ['compatible only this way for some tests', {}, 'outbound', ['outbound compatible: automatic selection takes only fully compatible systems']],
    ['not yet tested', {}, 'testing', ['compatibility testing is not done']],
    ['offline', { state: 'Offline' }, 'fully', ['the system is Offline']],
    ['being evacuated', { placementBlocked: true }, 'fully', ['the system is being evacuated']],
    ['another domain', { domain: { id: 'd-x', name: 'x' } }, 'fully', ['in relocation domain x, not prod']],
    ['another profile', { systemProfile: 'sp-bbbbbbbbbbbb' }, 'fully', ["system profile sp-bbbbbbbbbbbb is not one of the group's"]],
    ['no host profile', { capacity: null }, 'fully', ['its size is unknown (no host profile)']],
    ['no room', { used: { cpuCores: 8, memoryBytes: 31 * GIB } }, 'fully', ['not enough free CPU: the WPAR uses 1.00 cores, 0.00 cores free', 'not enough free memory: the WPAR uses 2.0 GiB, 1.0 GiB free']],
  ];
  for (const [what, s, state, reasons] of cases) {
    it(what, () => {
      const a = ask('w', null, { cpuCores: 1, memoryBytes: 2 * GIB }, { systemProfiles: ['sp-aaaaaaaaaaaa'], compatibility: () => state });
      assert.deepEqual(feasible(a, system('s', { cpuCores: 0, memoryBytes: 0 }, s)), reasons);
    });
  }
});

describe('scheduler moveCost', () => {
  const cases: [MemoryMethod, number, number][] = [
    ['postCopy', 0, 0.0065],
    ['postCopy', 8 * GIB, 0.0065],
    ['stopAndCopy', 0, 0.005],
    ['stopAndCopy', GIB / 4, 0.005 * 2.6],
    ['stopAndCopy', GIB, 0.005 * 7.4],
    ['preCopy', GIB, 0.005 * 2.1],
  ];
  for (const [method, bytes, cost] of cases) {
    it(`${method}, ${bytes / GIB} GiB`, () => assert.ok(Math.abs(moveCost(bytes, method) - cost) < 1e-12));
  }
});

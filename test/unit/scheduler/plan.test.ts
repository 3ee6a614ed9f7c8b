// The planner: placements see the ones before them and the moves in flight, the largest WPARs
// are placed first, and a WPAR nothing takes comes back with every system's reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plan } from '../../../src/manager/scheduler/plan.js';
import { GIB, ask, system } from './fixtures.js';

const to = (p: ReturnType<typeof plan>) => Object.fromEntries(p.placements.map((x) => [x.wpar.name, x.to.name]));

describe('scheduler plan', () => {
  it('spreads N WPARs instead of putting them all on the idlest system', () => {
    const systems = [system('idle'), system('some', { cpuCores: 1, memoryBytes: 4 * GIB }), system('busy', { cpuCores: 4, memoryBytes: 16 * GIB })];
    const asks = ['w1', 'w2', 'w3', 'w4'].map((n) => ask(n, 'gone', { cpuCores: 2, memoryBytes: 8 * GIB }));
    const p = plan(asks, systems);
    assert.deepEqual(to(p), { w1: 'idle', w2: 'some', w3: 'idle', w4: 'some' });
    assert.deepEqual(p.unplaced, []);
  });

  it('counts moves in flight on both their systems', () => {
    const systems = [system('a'), system('b', { cpuCores: 1, memoryBytes: 0 })];
    const inFlight = [{ wpar: { id: 'x', name: 'x' }, from: { id: 'b', name: 'b' }, to: { id: 'a', name: 'a' }, use: { cpuCores: 4, memoryBytes: 0 } }];
    assert.deepEqual(to(plan([ask('w', null, { cpuCores: 1, memoryBytes: 0 })], systems)), { w: 'a' });
    assert.deepEqual(to(plan([ask('w', null, { cpuCores: 1, memoryBytes: 0 })], systems, inFlight)), { w: 'b' });
  });

  it('places the largest first, so that the big one still finds room', () => {
    const systems = [system('a', { cpuCores: 0, memoryBytes: 20 * GIB }), system('b', { cpuCores: 0, memoryBytes: 24 * GIB })];
    const p = plan([ask('small', null, { cpuCores: 0, memoryBytes: 4 * GIB }), ask('big', null, { cpuCores: 0, memoryBytes: 10 * GIB })], systems);
    assert.deepEqual(to(p), { big: 'a', small: 'b' });
    assert.deepEqual(p.placements.map((x) => x.wpar.name), ['big', 'small']);
  });

  it('never places a WPAR on its own system and frees its use there', () => {
    const systems = [system('home', { cpuCores: 7, memoryBytes: 0 }), system('other', { cpuCores: 4, memoryBytes: 0 })];
    const p = plan([ask('w1', 'home', { cpuCores: 3, memoryBytes: 0 }), ask('w2', null, { cpuCores: 2, memoryBytes: 0 })], systems);
    // w1 leaves home (4 cores), lands on other (7): w2 then fits best on home.
    assert.deepEqual(to(p), { w1: 'other', w2: 'home' });
  });

  it('says, system by system, why a WPAR was not placed', () => {
    const systems = [system('full', { cpuCores: 8, memoryBytes: 0 }), system('off', null, { state: 'Offline' }), system('home')];
    const p = plan([ask('w', 'home', { cpuCores: 1, memoryBytes: 0 })], systems);
    assert.deepEqual(p.placements, []);
    assert.deepEqual(p.unplaced, [{
      wpar: { id: 'w', name: 'w' },
      reasons: ['full: not enough free CPU: the WPAR uses 1.00 cores, 0.00 cores free', 'off: the system is Offline'],
    }]);
  });

  it('ranks by score with the move\'s cost, so a cheaper move wins a near tie', () => {
    const systems = [system('a', { cpuCores: 1, memoryBytes: 0 }), system('b', { cpuCores: 1.1, memoryBytes: 0 })];
    const cost = (id: string) => (id === 'a' ? 0.05 : 0);
    const p = plan([ask('w', null, { cpuCores: 1, memoryBytes: 0 }, { moveCost: cost })], systems);
    assert.deepEqual(to(p), { w: 'b' });
    assert.equal(p.placements[0]!.rank.moveCost, 0);
  });
});

describe('scheduler plan, packing', () => {
  it('packs onto the busiest system that stays at or under the load it is given', () => {
    const systems = [system('empty'), system('half', { cpuCores: 4, memoryBytes: 0 }), system('nearly', { cpuCores: 6, memoryBytes: 0 })];
    const one = (maxLoad: number) => to(plan([ask('w', null, { cpuCores: 1, memoryBytes: 0 })], systems, [], { pack: { maxLoad } }));
    assert.deepEqual(one(0.9), { w: 'nearly' });
    assert.deepEqual(one(0.7), { w: 'half' });
    const none = plan([ask('w', null, { cpuCores: 1, memoryBytes: 0 })], systems, [], { pack: { maxLoad: 0.1 } });
    assert.deepEqual(none.unplaced[0]!.reasons, ['empty: it would be busier than consolidation allows', 'half: it would be busier than consolidation allows', 'nearly: it would be busier than consolidation allows']);
  });
});

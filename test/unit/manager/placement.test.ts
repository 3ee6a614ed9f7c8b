// Relocation target selection without I/O: which systems automatic selection ranks and in
// what order, why each other system is left out, and what manual selection offers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fit, notOffered, place, type Candidate, type PlacementRequest } from '../../../src/manager/mobility/placement.js';

const GIB = 2 ** 30;
const prod = { id: 'd-prod', name: 'prod' };
const test = { id: 'd-test', name: 'test' };

function candidate(name: string, c: Partial<Candidate> = {}): Candidate {
  return {
    system: { id: `id-${name}`, name },
    state: 'Online',
    domain: prod,
    systemProfile: 'sp-aaaaaaaaaaaa',
    compatibility: 'fully',
    placementBlocked: false,
    capacity: { cpuCores: 8, memoryBytes: 32 * GIB },
    used: { cpuCores: 2, memoryBytes: 8 * GIB },
    ...c,
  };
}
const request = (r: Partial<PlacementRequest> = {}): PlacementRequest => ({ use: { cpuCores: 1, memoryBytes: 2 * GIB }, domain: prod, ...r });
const names = (xs: { system: { name: string } }[]) => xs.map((x) => x.system.name);

describe('placement', () => {
  it('ranks eligible systems by their use with the WPAR on them, the busier resource first', () => {
    const p = place(request(), [
      candidate('busy', { used: { cpuCores: 6, memoryBytes: 8 * GIB } }),
      candidate('idle', { used: { cpuCores: 0, memoryBytes: 0 } }),
      candidate('memory-heavy', { used: { cpuCores: 0, memoryBytes: 24 * GIB } }),
      candidate('middle'),
    ]);
    assert.deepEqual(names(p.ranked), ['idle', 'middle', 'memory-heavy', 'busy']);
    assert.deepEqual(p.others, []);
    const idle = p.ranked[0]!;
    assert.equal(idle.cpuUtil, 1 / 8);
    assert.equal(idle.memoryUtil, 2 / 32);
    assert.equal(idle.score, 1 / 8);
    assert.equal(p.ranked[3]!.score, 7 / 8);
  });

  it('breaks ties by the busier-plus-other sum, the group\'s system profile order, then name', () => {
    const same = { used: { cpuCores: 2, memoryBytes: 8 * GIB } };
    const p = place(request({ systemProfiles: ['sp-bbbbbbbbbbbb', 'sp-aaaaaaaaaaaa'] }), [
      candidate('b-first-profile-second', { ...same }),
      candidate('a-first-profile-second', { ...same }),
      candidate('z-profile-first', { ...same, systemProfile: 'sp-bbbbbbbbbbbb' }),
    ]);
    assert.deepEqual(names(p.ranked), ['z-profile-first', 'a-first-profile-second', 'b-first-profile-second']);
  });

  it('counts a system without samples as idle', () => {
    const p = place(request(), [candidate('sampled'), candidate('new', { used: null })]);
    assert.deepEqual(names(p.ranked), ['new', 'sampled']);
  });

  it('leaves out, with every reason, what automatic selection may not take', () => {
    const p = place(request({ systemProfiles: ['sp-aaaaaaaaaaaa'] }), [
      candidate('ok'),
      candidate('outbound', { compatibility: 'outbound' }),
      candidate('inbound', { compatibility: 'inbound' }),
      candidate('incompatible', { compatibility: 'incompatible', domain: test }),
      candidate('untested', { compatibility: 'testing' }),
      candidate('offline', { state: 'Offline' }),
      candidate('evacuating', { placementBlocked: true }),
      candidate('other-domain', { domain: test }),
      candidate('other-profile', { systemProfile: 'sp-cccccccccccc' }),
      candidate('full', { used: { cpuCores: 7.5, memoryBytes: 31 * GIB } }),
      candidate('unreported', { capacity: null, systemProfile: null }),
    ]);
    assert.deepEqual(names(p.ranked), ['ok']);
    const why = Object.fromEntries(p.others.map((o) => [o.system.name, o.notAutomatic]));
    assert.deepEqual(why, {
      outbound: ['outbound compatible: automatic selection takes only fully compatible systems'],
      inbound: ['inbound compatible: automatic selection takes only fully compatible systems'],
      incompatible: ['incompatible: automatic selection takes only fully compatible systems', 'in relocation domain test, not prod'],
      untested: ['compatibility testing is not done'],
      offline: ['the system is Offline'],
      evacuating: ['the system is being evacuated'],
      'other-domain': ['in relocation domain test, not prod'],
      'other-profile': ['system profile sp-cccccccccccc is not one of the group\'s'],
      full: ['not enough free CPU: the WPAR uses 1.00 cores, 0.50 cores free', 'not enough free memory: the WPAR uses 2.0 GiB, 1.0 GiB free'],
      unreported: ['system profile (none) is not one of the group\'s', 'its size is unknown (no host profile)'],
    });
  });

  it('offers manual selection every other tested, online, open system, asking to confirm anything less than fully compatible', () => {
    const p = place(request(), [
      candidate('ok'),
      candidate('outbound', { compatibility: 'outbound' }),
      candidate('inbound', { compatibility: 'inbound' }),
      candidate('incompatible', { compatibility: 'incompatible' }),
      candidate('untested', { compatibility: 'testing' }),
      candidate('offline', { state: 'Unknown' }),
      candidate('evacuating', { placementBlocked: true }),
      candidate('full-but-fully', { used: { cpuCores: 8, memoryBytes: 32 * GIB } }),
    ]);
    const manual = Object.fromEntries(p.others.map((o) => [o.system.name, [o.state, o.offered, o.needsConfirmation, o.notOffered]]));
    assert.deepEqual(manual, {
      outbound: ['outbound', true, true, null],
      inbound: ['inbound', true, true, null],
      incompatible: ['incompatible', true, true, null],
      untested: ['testing', false, false, 'compatibility testing is not done'],
      offline: ['fully', false, false, 'the system is Unknown'],
      evacuating: ['fully', false, false, 'the system is being evacuated'],
      'full-but-fully': ['fully', true, false, null],
    });
    assert.deepEqual(names(p.others), ['evacuating', 'full-but-fully', 'inbound', 'incompatible', 'offline', 'outbound', 'untested']);
  });

  it('gives the reasons manual selection does not offer a system in a fixed order', () => {
    assert.equal(notOffered({ compatibility: 'testing', state: 'Offline', placementBlocked: true }), 'compatibility testing is not done');
    assert.equal(notOffered({ compatibility: 'fully', state: 'Offline', placementBlocked: true }), 'the system is Offline');
    assert.equal(notOffered({ compatibility: 'incompatible', state: 'Online', placementBlocked: false }), null);
  });

  it('fits a WPAR that uses nothing anywhere, and one that uses exactly what is free', () => {
    assert.deepEqual(fit({ cpuCores: 0, memoryBytes: 0 }, { cpuCores: 4, memoryBytes: GIB }, { cpuCores: 4, memoryBytes: GIB }).problems, []);
    const exact = fit({ cpuCores: 2, memoryBytes: GIB }, { cpuCores: 4, memoryBytes: 2 * GIB }, { cpuCores: 2, memoryBytes: GIB });
    assert.deepEqual([exact.problems, exact.cpuUtil, exact.memoryUtil], [[], 1, 1]);
  });
});

// The neighbour entries a relocation carries: which are taken, which are asked again, and
// what a manifest from elsewhere may hold. Pure rules, no I/O.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkNeighbours, knownNeighbours, MAX_NEIGHBOURS, pendingNeighbours, seedBatch, type IpNeigh } from '../../../src/agent/net/neighbours.js';

const table: IpNeigh[] = [
  { dst: '10.238.0.1', dev: 'eth0', lladdr: '02:AB:cd:00:00:01', state: ['REACHABLE'] },
  { dst: '10.238.0.7', dev: 'eth0', lladdr: '02:ab:cd:00:00:07', state: ['STALE'] },
  { dst: '10.239.0.1', dev: 'eth1', lladdr: '02:ab:cd:00:01:01', state: ['DELAY'] },
  { dst: '10.238.0.9', dev: 'eth0', state: ['INCOMPLETE'] },
  { dst: '10.238.0.8', dev: 'eth0', state: ['FAILED'] },
  { dst: '10.238.0.5', dev: 'eth0', lladdr: '02:ab:cd:00:00:05', state: ['NOARP'] },
  { dst: '10.238.0.6', dev: 'lo', lladdr: '00:00:00:00:00:00', state: ['PERMANENT'] },
  { dst: 'fe80::1', dev: 'eth0', lladdr: '02:ab:cd:00:00:02', state: ['REACHABLE'] },
];

describe('neighbour entries across a relocation (pure)', () => {
  it('carries the IPv4 entries of the WPAR\'s interfaces whose address is known, lower-cased', () => {
    assert.deepEqual(knownNeighbours(table), [
      { address: '10.238.0.1', mac: '02:ab:cd:00:00:01', iface: 0 },
      { address: '10.238.0.7', mac: '02:ab:cd:00:00:07', iface: 0 },
      { address: '10.239.0.1', mac: '02:ab:cd:00:01:01', iface: 1 },
    ]);
    const many = Array.from({ length: MAX_NEIGHBOURS + 5 }, (_, i) => ({ dst: `10.1.${i >> 8}.${i & 255}`, dev: 'eth0', lladdr: '02:00:00:00:00:01', state: ['STALE'] }));
    assert.equal(knownNeighbours(many).length, MAX_NEIGHBOURS);
  });

  it('asks again the entries still waiting for an address', () => {
    assert.deepEqual(pendingNeighbours(table), [{ address: '10.238.0.9', dev: 'eth0' }, { address: '10.238.0.8', dev: 'eth0' }]);
  });

  it('holds the entries as STALE, one ip -batch line each', () => {
    assert.equal(
      seedBatch([{ address: '10.238.0.1', mac: '02:ab:cd:00:00:01', iface: 0 }, { address: '10.239.0.1', mac: '02:ab:cd:00:01:01', iface: 1 }]),
      'neigh replace 10.238.0.1 lladdr 02:ab:cd:00:00:01 dev eth0 nud stale\nneigh replace 10.239.0.1 lladdr 02:ab:cd:00:01:01 dev eth1 nud stale\n',
    );
    assert.equal(seedBatch([]), '');
  });

  it('refuses entries from a manifest that are not neighbours of this WPAR with CAP-E1016', () => {
    const ok = [{ address: '10.238.0.1', mac: '02:ab:cd:00:00:01', iface: 0 }];
    assert.deepEqual(checkNeighbours(ok, 1), ok);
    const bad: unknown[] = [
      'x',
      [{ address: '10.238.0.1', mac: '02:ab:cd:00:00:01' }],
      [{ address: '10.238.0.1; reboot', mac: '02:ab:cd:00:00:01', iface: 0 }],
      [{ address: '10.238.0.1', mac: '02:ab:cd:00:00:01 dev lo', iface: 0 }],
      [{ address: '10.238.0.1', mac: '02:AB:cd:00:00:01', iface: 0 }],
      [{ address: '10.238.0.1', mac: '02:ab:cd:00:00:01', iface: 0, extra: 1 }],
      [{ address: '10.238.0.1', mac: '02:ab:cd:00:00:01', iface: 1 }],
      Array.from({ length: MAX_NEIGHBOURS + 1 }, () => ok[0]),
    ];
    for (const b of bad) assert.throws(() => checkNeighbours(b, 1), { code: 'CAP-E1016' }, JSON.stringify(b).slice(0, 80));
  });
});

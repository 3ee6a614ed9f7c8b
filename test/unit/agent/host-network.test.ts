// The host network settings an agent keeps: pure rules, no I/O.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostNetworkOf } from '../../../src/agent/host-engine.js';
import { subnetOf } from '../../../src/agent/net/host-network.js';

describe('host network settings (pure)', () => {
  it('finds the subnet of a gateway address, and refuses what is not one', () => {
    assert.equal(subnetOf('10.50.0.1/24'), '10.50.0.0/24');
    assert.equal(subnetOf('172.20.13.200/20'), '172.20.0.0/20');
    assert.equal(subnetOf('192.0.2.7/32'), '192.0.2.7/32');
    for (const bad of ['10.50.0.1', '10.50.0.300/24', '10.50.0.1/33', 'bridge/24', '']) {
      assert.throws(() => subnetOf(bad), { code: 'CAP-E0001' }, bad);
    }
  });

  it('gives the default bridge the default gateway, a named bridge none unless told, and NAT only when asked', () => {
    assert.deepEqual(hostNetworkOf({ bridge: 'capstan0' }), { bridge: 'capstan0', address: '10.50.0.1/24', nat: false });
    assert.deepEqual(hostNetworkOf({ bridge: 'capstan0', bridgeAddress: null }), { bridge: 'capstan0', nat: false });
    assert.deepEqual(hostNetworkOf({ bridge: 'capbr0' }), { bridge: 'capbr0', nat: false });
    assert.deepEqual(hostNetworkOf({ bridge: 'br1', bridgeAddress: '10.9.0.1/16', nat: true }), { bridge: 'br1', address: '10.9.0.1/16', nat: true });
  });
});

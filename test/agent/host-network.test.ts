// The host network an agent keeps: its bridge and gateway address, and NAT only when asked.
// Runs on a bridge and subnet of its own, and removes them and their rules, also on failure.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { run, runOk } from '../../src/agent/exec.js';
import { applyHostNetwork, natRules, subnetOf } from '../../src/agent/net/host-network.js';
import { deleteBridge } from '../../src/agent/net/index.js';

describe('host network on this machine', () => {
  const bridge = `cth${randomBytes(3).toString('hex')}`;
  const address = `10.233.${1 + Math.floor(Math.random() * 250)}.1/24`;
  const present = async (rule: string[]): Promise<boolean> => {
    const [t, table, chain, ...spec] = rule as [string, string, string, ...string[]];
    return (await run('iptables', ['-w', t, table, '-C', chain, ...spec])).code === 0;
  };

  after(async () => {
    await applyHostNetwork({ bridge, address, nat: false }).catch(() => undefined);
    await deleteBridge(bridge);
  });

  it('creates and addresses the bridge, adds NAT when asked (once, however often applied) and takes it away when not', async () => {
    await applyHostNetwork({ bridge, address, nat: false });
    const link = JSON.parse((await runOk('ip', ['-json', 'addr', 'show', 'dev', bridge])).stdout) as { flags: string[]; addr_info: { local: string; prefixlen: number }[] }[];
    assert.ok(link[0]?.flags.includes('UP'));
    assert.deepEqual(link[0]?.addr_info.filter((a) => a.local.startsWith('10.233.')).map((a) => `${a.local}/${a.prefixlen}`), [address]);
    const rules = natRules(bridge, subnetOf(address));
    for (const r of rules) assert.equal(await present(r), false, 'no NAT unless asked');

    await applyHostNetwork({ bridge, address, nat: true });
    await applyHostNetwork({ bridge, address, nat: true });
    for (const r of rules) assert.equal(await present(r), true, r.join(' '));
    const saved = (await runOk('iptables-save', ['-t', 'nat'])).stdout;
    assert.equal(saved.split('\n').filter((l) => l.includes(`capstan ${bridge}`)).length, 1, 'one MASQUERADE rule, not one per start');

    await applyHostNetwork({ bridge, address, nat: false });
    for (const r of rules) assert.equal(await present(r), false, 'NAT taken away');
  });
});

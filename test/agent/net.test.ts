import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { CapstanError } from '../../src/api/errors.js';
import { run, runOk } from '../../src/agent/exec.js';
import {
  announce,
  createWparNetns,
  deleteBridge,
  deleteWparNetns,
  ensureBridge,
  hostVethName,
  vethPrefix,
  wparMac,
} from '../../src/agent/net/index.js';
import { alsoOnTermination } from '../helpers/on-termination.js';

const id = randomBytes(3).toString('hex');
const bridge = `ctn${id}`;
const bridge2 = `ctm${id}`;
const subnet = `10.232.${1 + Math.floor(Math.random() * 250)}`;
const ns1 = `capstan-t1-${id}`;
const ns2 = `capstan-t2-${id}`;
const ns3 = `capstan-t3-${id}`;
const iface = (n: number) => ({ address: `${subnet}.${n}`, prefix: 24, gateway: `${subnet}.1` });

async function links(ns?: string): Promise<{ ifname: string; master?: string; address?: string; flags?: string[] }[]> {
  const r = await runOk('ip', [...(ns ? ['-n', ns] : []), '-json', 'link', 'show']);
  return JSON.parse(r.stdout) as { ifname: string; master?: string; address?: string; flags?: string[] }[];
}

/** busybox's ping (the host has no other), from inside a namespace. */
function ping(ns: string, address: string) {
  return run('ip', ['netns', 'exec', ns, 'busybox', 'ping', '-c', '1', '-W', '2', address]);
}

before(async () => {
  await ensureBridge(bridge, `${subnet}.1/24`);
});

async function cleanup(): Promise<void> {
  for (const ns of [ns1, ns2, ns3]) await deleteWparNetns(ns).catch((e: unknown) => console.error(e));
  await deleteBridge(bridge).catch((e: unknown) => console.error(e));
  await deleteBridge(bridge2).catch((e: unknown) => console.error(e));
}
const forget = alsoOnTermination(cleanup);

after(async () => {
  forget();
  await cleanup();
});

test('ensureBridge is idempotent and leaves the bridge up with one gateway address', async () => {
  await ensureBridge(bridge, `${subnet}.1/24`);
  await ensureBridge(bridge);
  const [addr] = JSON.parse((await runOk('ip', ['-json', 'addr', 'show', 'dev', bridge])).stdout) as {
    flags: string[];
    addr_info: { family: string; local: string; prefixlen: number }[];
  }[];
  assert.ok(addr?.flags.includes('UP'));
  assert.deepEqual(
    addr?.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
    [`${subnet}.1/24`],
  );
  await assert.rejects(ensureBridge('lo'), (e: unknown) => e instanceof CapstanError && e.code === 'CAP-E0003');
  await assert.rejects(ensureBridge(bridge, '10.0.0.1'), (e: unknown) => e instanceof CapstanError && e.code === 'CAP-E0001');
  await assert.rejects(ensureBridge('name-longer-than-15'), (e: unknown) => e instanceof CapstanError && e.code === 'CAP-E0001');
});

test('two namespaces on the bridge reach each other at their static addresses', async () => {
  const path1 = await createWparNetns(ns1, [iface(10)], { defaultBridge: bridge });
  const path2 = await createWparNetns(ns2, [iface(11)], { defaultBridge: bridge });
  assert.equal(path1, `/var/run/netns/${ns1}`);
  assert.ok(await stat(path2));

  const inside = await links(ns1);
  assert.deepEqual(inside.map((l) => l.ifname).sort(), ['eth0', 'lo']);
  assert.ok(inside.every((l) => l.flags?.includes('UP')));
  assert.equal(inside.find((l) => l.ifname === 'eth0')?.address, wparMac(ns1, 0, `${subnet}.10`));
  const host = (await links()).find((l) => l.ifname === hostVethName(ns1, 0));
  assert.equal(host?.master, bridge);
  assert.ok(hostVethName(ns1, 0).length <= 15);

  const route = await runOk('ip', ['-n', ns1, '-json', 'route', 'show', 'default']);
  assert.equal((JSON.parse(route.stdout) as { gateway: string }[])[0]?.gateway, `${subnet}.1`);

  const a = await ping(ns1, `${subnet}.11`);
  assert.equal(a.code, 0, a.stdout + a.stderr);
  const b = await ping(ns2, `${subnet}.10`);
  assert.equal(b.code, 0, b.stdout + b.stderr);
  // And the host's gateway address on the bridge.
  assert.equal((await ping(ns1, `${subnet}.1`)).code, 0);
});

test('createWparNetns is idempotent and repairs a half-made namespace', async () => {
  const before = await links();
  await createWparNetns(ns1, [iface(10)], { defaultBridge: bridge });
  assert.deepEqual((await links()).map((l) => l.ifname).sort(), before.map((l) => l.ifname).sort());
  assert.deepEqual((await links(ns1)).map((l) => l.ifname).sort(), ['eth0', 'lo']);

  // Lose the pair (as if a crash came between `ip netns add` and the veth): a second call completes it.
  await runOk('ip', ['link', 'del', 'dev', hostVethName(ns1, 0)]);
  await runOk('ip', ['-n', ns1, 'link', 'set', 'lo', 'down']);
  await createWparNetns(ns1, [iface(10)], { defaultBridge: bridge });
  assert.ok((await links(ns1)).every((l) => l.flags?.includes('UP')));
  assert.equal((await ping(ns1, `${subnet}.11`)).code, 0);
});

test('several interfaces: eth0, eth1 on their own bridges, one default route', async () => {
  await ensureBridge(bridge2, '10.233.7.1/24');
  await createWparNetns(
    ns3,
    [iface(12), { address: '10.233.7.5', prefix: 24, gateway: '10.233.7.1', bridge: bridge2 }],
    { defaultBridge: bridge },
  );
  assert.deepEqual((await links(ns3)).map((l) => l.ifname).sort(), ['eth0', 'eth1', 'lo']);
  const hosts = await links();
  assert.equal(hosts.find((l) => l.ifname === hostVethName(ns3, 0))?.master, bridge);
  assert.equal(hosts.find((l) => l.ifname === hostVethName(ns3, 1))?.master, bridge2);
  const routes = JSON.parse((await runOk('ip', ['-n', ns3, '-json', 'route', 'show', 'default'])).stdout) as { dev: string }[];
  assert.deepEqual(routes.map((r) => r.dev), ['eth0']);
  assert.equal((await ping(ns3, '10.233.7.1')).code, 0);
  assert.equal((await ping(ns3, `${subnet}.10`)).code, 0);
});

test('bad input is refused before anything is created', async () => {
  const isBad = (e: unknown) => e instanceof CapstanError && e.code === 'CAP-E0001';
  await assert.rejects(createWparNetns('bad/name', [], { defaultBridge: bridge }), isBad);
  await assert.rejects(createWparNetns(`capstan-bad-${id}`, [{ address: '10.1.1.300', prefix: 24 }], { defaultBridge: bridge }), isBad);
  await assert.rejects(createWparNetns(`capstan-bad-${id}`, [{ address: '10.1.1.3', prefix: 33 }], { defaultBridge: bridge }), isBad);
  await assert.rejects(
    createWparNetns(`capstan-bad-${id}`, [iface(20)], { defaultBridge: `nobr${id}` }),
    (e: unknown) => e instanceof CapstanError && e.code === 'CAP-E0002',
  );
  await deleteWparNetns(`capstan-bad-${id}`);
  assert.equal(await stat(`/var/run/netns/capstan-bad-${id}`).catch(() => undefined), undefined);
});

test('announce updates a neighbour that holds a stale MAC for the address', async () => {
  const stale = '02:00:00:00:00:01';
  await runOk('ip', ['-n', ns2, 'neigh', 'replace', `${subnet}.10`, 'lladdr', stale, 'dev', 'eth0', 'nud', 'stale']);
  await announce(ns1);
  const entry = async () =>
    (JSON.parse((await runOk('ip', ['-n', ns2, '-json', 'neigh', 'show', `${subnet}.10`])).stdout) as { lladdr?: string }[])[0]?.lladdr;
  assert.equal(await entry(), wparMac(ns1, 0, `${subnet}.10`));
  // A namespace without addresses has nothing to announce.
  await announce(ns2).then(() => undefined);
});

test('deleteWparNetns removes the namespace and its veths, and is idempotent', async () => {
  await deleteWparNetns(ns1);
  await deleteWparNetns(ns1);
  assert.equal(await stat(`/var/run/netns/${ns1}`).catch(() => undefined), undefined);
  assert.ok(!(await links()).some((l) => l.ifname.startsWith(vethPrefix(ns1))));
  assert.notEqual((await ping(ns2, `${subnet}.10`)).code, 0);

  await deleteWparNetns(ns3);
  assert.ok(!(await links()).some((l) => l.ifname.startsWith(vethPrefix(ns3))));
  await deleteBridge(bridge2);
  await deleteBridge(bridge2);
  assert.ok(!(await links()).some((l) => l.ifname === bridge2));
});

// One network namespace per WPAR: loopback, and one veth pair per interface with the
// host side on a bridge and the WPAR side as eth0, eth1… holding the WPAR's static address.
// Every step checks what is already there, so a create interrupted anywhere is finished by
// calling it again, and a delete works on whatever half of it exists.
import { stat } from 'node:fs/promises';
import type { NetworkInterface } from '../../api/wpar.js';
import { CapstanError } from '../../api/errors.js';
import { run } from '../exec.js';
import { getLink, ip, listLinks } from './ip.js';
import { hostVethName, MAX_INTERFACES, validateIfname, validateIpv4, validateNetnsName, vethPrefix, wparMac } from './names.js';

export const NETNS_DIR = '/var/run/netns';

export function netnsPath(nsName: string): string {
  return `${NETNS_DIR}/${nsName}`;
}

/** Whether the namespace exists and can be entered (a file left by a crash cannot). */
async function netnsUsable(nsName: string): Promise<boolean> {
  if (!(await stat(netnsPath(nsName)).catch(() => undefined))) return false;
  return (await run('ip', ['-n', nsName, 'link', 'show', 'dev', 'lo'])).code === 0;
}

async function ensureNetns(nsName: string): Promise<void> {
  if (await netnsUsable(nsName)) return;
  // A stale file (ip netns add interrupted before its bind mount) blocks a new add.
  if (await stat(netnsPath(nsName)).catch(() => undefined)) await run('ip', ['netns', 'delete', nsName]);
  const r = await run('ip', ['netns', 'add', nsName]);
  if (r.code !== 0 && !(/File exists/.test(r.stderr) && (await netnsUsable(nsName)))) {
    throw new Error(`ip netns add ${nsName}: ${r.stderr.trim()}`);
  }
}

function validateInterfaces(ifaces: NetworkInterface[], defaultBridge: string): void {
  if (ifaces.length > MAX_INTERFACES) throw new CapstanError('CAP-E0001', `at most ${MAX_INTERFACES} interfaces`);
  for (const [i, iface] of ifaces.entries()) {
    validateIpv4(iface.address, `interface ${i} address`);
    const prefix = iface.prefix ?? 24;
    if (!Number.isInteger(prefix) || prefix < 1 || prefix > 32) throw new CapstanError('CAP-E0001', `interface ${i} prefix ${prefix} is not 1-32`);
    if (iface.gateway !== undefined) validateIpv4(iface.gateway, `interface ${i} gateway`);
    validateIfname(iface.bridge ?? defaultBridge, 'bridge');
  }
}

/** One veth pair, host side on the bridge (or off it and down: `detached`), WPAR side as `eth<index>` with its address. */
async function ensureInterface(nsName: string, index: number, iface: NetworkInterface, bridge: string, detached: boolean): Promise<void> {
  const host = hostVethName(nsName, index);
  const inside = `eth${index}`;
  const br = await getLink(bridge);
  if (br?.linkinfo?.info_kind !== 'bridge') throw new CapstanError('CAP-E0002', `bridge ${bridge} does not exist on this host`);

  const peer = await getLink(inside, nsName);
  let hostLink = await getLink(host);
  if (!peer || !hostLink) {
    // Half a pair cannot be: both ends die together. A host link without the peer in the
    // namespace is a leftover of an earlier namespace of the same name; start afresh.
    if (hostLink) await ip(['link', 'del', 'dev', host]);
    if (peer) await ip(['link', 'del', 'dev', inside], nsName);
    // The peer is born inside the namespace with its final name: no window in which it
    // sits in the host's namespace under a temporary name.
    await ip(['link', 'add', 'name', host, 'type', 'veth', 'peer', 'name', inside,
      'address', wparMac(nsName, index, iface.address), 'netns', nsName]);
    hostLink = await getLink(host);
  }
  if (detached) {
    if (hostLink?.master || hostLink?.flags?.includes('UP')) await ip(['link', 'set', 'dev', host, 'down', 'nomaster']);
  } else {
    if (hostLink?.master !== bridge) await ip(['link', 'set', 'dev', host, 'master', bridge]);
    await ip(['link', 'set', 'dev', host, 'up']);
  }

  await ip(['addr', 'replace', `${iface.address}/${iface.prefix ?? 24}`, 'dev', inside], nsName);
  await ip(['link', 'set', 'dev', inside, 'up'], nsName);
}

/**
 * Creates (or completes) the WPAR's network namespace and returns its path for the OCI
 * config. Interfaces use iface.bridge or the default bridge, which must exist. `detached`
 * leaves the host ends off their bridges and down (the addresses are there, nothing flows),
 * for a restore whose connections must see no packet before their sockets exist.
 */
export async function createWparNetns(nsName: string, ifaces: NetworkInterface[], opts: { defaultBridge: string; detached?: boolean }): Promise<string> {
  validateNetnsName(nsName);
  validateInterfaces(ifaces, opts.defaultBridge);
  await ensureNetns(nsName);
  await ip(['link', 'set', 'dev', 'lo', 'up'], nsName);
  for (const [index, iface] of ifaces.entries()) await ensureInterface(nsName, index, iface, iface.bridge ?? opts.defaultBridge, opts.detached ?? false);
  // One default route: through the first interface that names a gateway.
  const withGateway = ifaces.findIndex((i) => i.gateway !== undefined);
  const gw = ifaces[withGateway]?.gateway;
  if (gw) await ip(['route', 'replace', 'default', 'via', gw, 'dev', `eth${withGateway}`], nsName);
  return netnsPath(nsName);
}

/** Deletes the namespace and every host-side veth it had; absent is fine. */
export async function deleteWparNetns(nsName: string): Promise<void> {
  validateNetnsName(nsName);
  // Explicitly: while a process (a container being torn down) still holds the namespace,
  // deleting its name alone would leave the pairs alive on the bridge.
  const prefix = vethPrefix(nsName);
  for (const link of await listLinks()) {
    if (!link.ifname.startsWith(prefix) || !/^\d+$/.test(link.ifname.slice(prefix.length))) continue;
    const r = await run('ip', ['link', 'del', 'dev', link.ifname]);
    if (r.code !== 0 && !/Cannot find device|does not exist/.test(r.stderr)) throw new Error(`ip link del ${link.ifname}: ${r.stderr.trim()}`);
  }
  if (!(await stat(netnsPath(nsName)).catch(() => undefined))) return;
  const r = await run('ip', ['netns', 'delete', nsName]);
  if (r.code !== 0 && (await stat(netnsPath(nsName)).catch(() => undefined))) throw new Error(`ip netns delete ${nsName}: ${r.stderr.trim()}`);
}

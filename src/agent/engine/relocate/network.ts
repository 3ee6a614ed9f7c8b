// A relocating WPAR's interfaces on and off their host bridges: no packet may reach its
// sockets while they are frozen on the departure or not yet restored on the arrival.
import type { NetworkInterface } from '../../../api/wpar.js';
import { ip } from '../../net/ip.js';
import { hostVethName } from '../../net/index.js';

/**
 * Takes the WPAR's interfaces off their host bridges and down, so that its address answers
 * only from the arrival from now on, and nothing reaches the processes here: a packet the
 * kernel accepted here for an open connection would be lost to the copy that carries on.
 */
export async function detachInterfaces(nsName: string, ifaces: NetworkInterface[]): Promise<void> {
  await Promise.all(ifaces.map((_, i) => ip(['link', 'set', 'dev', hostVethName(nsName, i), 'down', 'nomaster'])));
}

/**
 * Puts the interfaces of a namespace made detached (createWparNetns) on their bridges: after
 * a restore, whose connections must see no packet before their sockets exist (in a new
 * namespace CRIU finds no lock on them, and the kernel would answer with a reset).
 */
export async function attachInterfaces(nsName: string, ifaces: NetworkInterface[], defaultBridge: string): Promise<void> {
  await Promise.all(ifaces.map((iface, i) => ip(['link', 'set', 'dev', hostVethName(nsName, i), 'master', iface.bridge ?? defaultBridge, 'up'])));
}

// Names and addresses derived from a WPAR's namespace name, deterministically, so any
// later call (another process, after a crash, on another host) finds the same links.
import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { CapstanError } from '../../api/errors.js';

/** Interface names: 15 characters at most (IFNAMSIZ - 1). */
export const IFNAME_PATTERN = /^[a-zA-Z0-9_.-]{1,15}$/;
/** `ip netns` names become file names under /var/run/netns. */
export const NETNS_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,63}$/;
/** Ninety-nine interfaces keep the host name within 15 characters: cv + 8 + 2. */
export const MAX_INTERFACES = 99;

export function validateNetnsName(name: string): void {
  if (typeof name !== 'string' || !NETNS_PATTERN.test(name)) {
    throw new CapstanError('CAP-E0001', `network namespace name ${JSON.stringify(name)} must match ${NETNS_PATTERN.source}`);
  }
}

export function validateIfname(name: string, what = 'interface'): void {
  if (typeof name !== 'string' || !IFNAME_PATTERN.test(name) || name === '.' || name === '..') {
    throw new CapstanError('CAP-E0001', `${what} name ${JSON.stringify(name)} must match ${IFNAME_PATTERN.source}`);
  }
}

export function validateIpv4(address: string, what: string): void {
  if (typeof address !== 'string' || !isIPv4(address)) throw new CapstanError('CAP-E0001', `${what} ${JSON.stringify(address)} is not an IPv4 address`);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The prefix every host-side veth of the namespace starts with: "cv" + 8 hex digits. */
export function vethPrefix(nsName: string): string {
  return `cv${digest(nsName).subarray(0, 4).toString('hex')}`;
}

/** Host side of the namespace's interface number `index` (its eth<index>). */
export function hostVethName(nsName: string, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_INTERFACES) throw new CapstanError('CAP-E0001', `at most ${MAX_INTERFACES} interfaces`);
  return `${vethPrefix(nsName)}${index}`;
}

/**
 * The WPAR-side MAC address: locally administered, unicast, derived from the namespace
 * and the address. A WPAR that moves keeps its MAC with its address, so neighbours' ARP
 * entries stay right even before the gratuitous ARP reaches them.
 */
export function wparMac(nsName: string, index: number, address: string): string {
  const h = digest(`${nsName}/${index}/${address}`);
  const bytes = [0x02, ...h.subarray(0, 5)];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

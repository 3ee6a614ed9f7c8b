// The host side of WPAR networking that an agent keeps: its bridge, the host's address on it
// (the WPARs' gateway) and, only where the administrator asks, NAT from the bridge's subnet
// to the host's uplinks. Applied at every agent start, idempotently, so a reboot or a bridge
// removed by hand is mended.
import { CapstanError } from '../../api/errors.js';
import { run, runOk } from '../exec.js';
import { ensureBridge } from './bridge.js';

/** The default bridge's default gateway: the README's tour addresses WPARs in 10.50.0.0/24. */
export const DEFAULT_BRIDGE_ADDRESS = '10.50.0.1/24';

export interface HostNetwork {
  bridge: string;
  /** The host's address on the bridge, with its prefix; undefined: the bridge gets none (lab hosts bridge an uplink). */
  address?: string;
  /** Masquerade the bridge's subnet to every other interface, and let it be forwarded. */
  nat: boolean;
}

/** The subnet of an address with a prefix: 10.50.0.1/24 → 10.50.0.0/24. */
export function subnetOf(cidr: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d{1,2})$/.exec(cidr);
  const prefix = Number(m?.[5]);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  if (!m || octets.some((o) => o > 255) || prefix < 1 || prefix > 32) {
    throw new CapstanError('CAP-E0001', `bridge address ${JSON.stringify(cidr)} must be an IPv4 address with a prefix, e.g. ${DEFAULT_BRIDGE_ADDRESS}`);
  }
  const value = octets.reduce((v, o) => v * 256 + o, 0);
  const network = prefix === 32 ? value : value - (value % 2 ** (32 - prefix));
  return `${[24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join('.')}/${prefix}`;
}

/** iptables rules for NAT of a bridge's subnet, each tagged so that an administrator sees whose they are. */
export function natRules(bridge: string, subnet: string): string[][] {
  const tag = ['-m', 'comment', '--comment', `capstan ${bridge}`];
  return [
    ['-t', 'nat', 'POSTROUTING', '-s', subnet, '!', '-o', bridge, '-j', 'MASQUERADE', ...tag],
    ['-t', 'filter', 'FORWARD', '-i', bridge, '!', '-o', bridge, '-j', 'ACCEPT', ...tag],
    ['-t', 'filter', 'FORWARD', '-o', bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT', ...tag],
  ];
}

async function ensureRule(rule: string[]): Promise<void> {
  const [t, table, chain, ...spec] = rule as [string, string, string, ...string[]];
  const present = await run('iptables', ['-w', t, table, '-C', chain, ...spec]);
  if (present.code !== 0) await runOk('iptables', ['-w', t, table, '-A', chain, ...spec]);
}

async function dropRule(rule: string[]): Promise<void> {
  const [t, table, chain, ...spec] = rule as [string, string, string, ...string[]];
  // -D removes one copy: repeat while one is there.
  while ((await run('iptables', ['-w', t, table, '-D', chain, ...spec])).code === 0);
}

/** Brings the host's WPAR network to what the settings say. */
export async function applyHostNetwork(n: HostNetwork): Promise<void> {
  await ensureBridge(n.bridge, n.address);
  if (!n.address) return;
  const rules = natRules(n.bridge, subnetOf(n.address));
  if (n.nat) {
    await runOk('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    for (const r of rules) await ensureRule(r);
  } else {
    for (const r of rules) await dropRule(r);
  }
}

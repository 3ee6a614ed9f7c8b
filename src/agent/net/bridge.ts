// The host bridge WPAR veths hang off. Only a switch: no NAT, no forwarding rules and no
// routes are added, so WPAR traffic reaches nothing but the bridge's own segment.
import { randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { CapstanError } from '../../api/errors.js';
import { run } from '../exec.js';
import { getLink, ip } from './ip.js';
import { validateIfname } from './names.js';

function parseCidr(cidr: string): { address: string; prefix: number } {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(cidr);
  const prefix = Number(m?.[2]);
  if (!m?.[1] || !isIPv4(m[1]) || prefix < 1 || prefix > 32) {
    throw new CapstanError('CAP-E0001', `gateway ${JSON.stringify(cidr)} must be an IPv4 address with a prefix, e.g. 10.0.0.1/24`);
  }
  return { address: m[1], prefix };
}

/** Creates the bridge if needed, brings it up and gives it the gateway address if asked. */
export async function ensureBridge(name: string, gatewayCidr?: string): Promise<void> {
  validateIfname(name, 'bridge');
  const gateway = gatewayCidr === undefined ? undefined : parseCidr(gatewayCidr);
  let link = await getLink(name);
  if (link && link.linkinfo?.info_kind !== 'bridge') {
    throw new CapstanError('CAP-E0003', `${name} exists and is not a bridge (${link.linkinfo?.info_kind ?? link.link_type ?? 'unknown kind'})`);
  }
  if (!link) {
    // An explicit MAC: a bridge with a kernel-chosen one takes the lowest MAC of its ports,
    // so it would change as WPARs come and go and the gateway's neighbours would go stale.
    const mac = [0x02, ...randomBytes(5)].map((b) => b.toString(16).padStart(2, '0')).join(':');
    const r = await run('ip', ['link', 'add', 'name', name, 'address', mac, 'type', 'bridge']);
    // Another caller may have won the race; anything else is a real failure.
    if (r.code !== 0 && !/File exists/.test(r.stderr)) throw new Error(`ip link add ${name} type bridge: ${r.stderr.trim()}`);
    link = await getLink(name);
    if (link?.linkinfo?.info_kind !== 'bridge') throw new Error(`${name} could not be created as a bridge`);
  }
  if (!link.flags?.includes('UP')) await ip(['link', 'set', 'dev', name, 'up']);
  if (gateway) await ip(['addr', 'replace', `${gateway.address}/${gateway.prefix}`, 'dev', name]);
}

/** Deletes the bridge; absent is fine. WPAR veths still on it are detached by the kernel. */
export async function deleteBridge(name: string): Promise<void> {
  validateIfname(name, 'bridge');
  const link = await getLink(name);
  if (!link) return;
  if (link.linkinfo?.info_kind !== 'bridge') throw new CapstanError('CAP-E0001', `${name} is not a bridge`);
  const r = await run('ip', ['link', 'del', 'dev', name]);
  if (r.code !== 0 && !/Cannot find device|does not exist/.test(r.stderr)) throw new Error(`ip link del ${name}: ${r.stderr.trim()}`);
}

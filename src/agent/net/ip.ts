// Thin helpers over iproute2: every network change goes through `ip`, and every read
// through its JSON output, so no text formats are parsed by hand.
import { run, runOk } from '../exec.js';

export interface IpAddrInfo {
  family: string;
  local: string;
  prefixlen: number;
}

export interface IpLink {
  ifname: string;
  /** The bridge this port is enslaved to. */
  master?: string;
  flags?: string[];
  address?: string;
  operstate?: string;
  link_type?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: IpAddrInfo[];
}

/** `ip` in the host's namespace, or inside `ns` (ip -n). */
export function ipArgs(ns: string | undefined, args: string[]): string[] {
  return ns ? ['-n', ns, ...args] : args;
}

export async function ip(args: string[], ns?: string): Promise<void> {
  await runOk('ip', ipArgs(ns, args));
}

/** A link's details (with -details: linkinfo), or undefined when it does not exist. */
export async function getLink(name: string, ns?: string): Promise<IpLink | undefined> {
  const r = await run('ip', ipArgs(ns, ['-json', '-details', 'link', 'show', 'dev', name]));
  if (r.code !== 0) {
    if (/does not exist|Cannot find device/i.test(r.stderr)) return undefined;
    throw new Error(`ip link show ${name}${ns ? ` in ${ns}` : ''}: ${r.stderr.trim()}`);
  }
  return (JSON.parse(r.stdout) as IpLink[])[0];
}

export async function listLinks(ns?: string): Promise<IpLink[]> {
  const r = await runOk('ip', ipArgs(ns, ['-json', 'link', 'show']));
  return JSON.parse(r.stdout || '[]') as IpLink[];
}

/** Links with their addresses. */
export async function listAddresses(ns?: string): Promise<IpLink[]> {
  const r = await runOk('ip', ipArgs(ns, ['-json', 'addr', 'show']));
  return JSON.parse(r.stdout || '[]') as IpLink[];
}

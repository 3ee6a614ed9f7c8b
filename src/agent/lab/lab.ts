// Lab hosts: test hosts on this machine, each a network namespace on the private lab bridge
// with its own host bridge, engine root and agent, so mobility can be tried on one machine.
// The lab subnet is 10.240.0.0/16 (one segment): the lab bridge on the machine is 10.240.0.1,
// lab host N is 10.240.0.(10+N), and WPARs on lab hosts take addresses from 10.240.1.0 up.
// No uplink, NAT or default route leaves the machine.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CapstanError } from '../../api/errors.js';
import { Layout } from '../engine/layout.js';
import { endCgroupTree } from '../host/cgroups.js';
import { removeTree } from '../images/fs-safety.js';
import { run, runOk } from '../exec.js';
import { ensureBridge } from '../net/index.js';
import { getLink, ip } from '../net/ip.js';

export const LAB = {
  bridge: 'capstan-lab',
  gateway: '10.240.0.1',
  prefix: 16,
  /** The bridge inside every lab host that its uplink and its WPARs' veths hang off. */
  hostBridge: 'capbr0',
  root: '/var/lib/capstan/lab',
  maxHosts: 200,
} as const;

export interface LabHost {
  index: number;
  /** Its system name in the manager. */
  name: string;
  netns: string;
  address: string;
  /** Root-side end of its uplink veth. */
  uplink: string;
  agentDir: string;
  engineRoot: string;
}

export function labHost(index: number): LabHost {
  if (!Number.isInteger(index) || index < 1 || index > LAB.maxHosts) throw new CapstanError('CAP-E0610', `host numbers run from 1 to ${LAB.maxHosts}`);
  const dir = join(LAB.root, `h${index}`);
  return {
    index,
    name: `lab-h${index}`,
    netns: `capstan-lab-h${index}`,
    address: `10.240.0.${10 + index}`,
    uplink: `caplab-h${index}`,
    agentDir: join(dir, 'agent'),
    engineRoot: join(dir, 'engine'),
  };
}

/** The lab hosts that exist on this machine (by their directories). */
export async function existingLabHosts(): Promise<LabHost[]> {
  const names = await readdir(LAB.root).catch(() => [] as string[]);
  return names.map((n) => /^h(\d+)$/.exec(n)).filter((m): m is RegExpExecArray => !!m).map((m) => labHost(Number(m[1]))).sort((a, b) => a.index - b.index);
}

/** Environment that makes a command (agent, local commands) act as the lab host. */
export function labEnv(h: LabHost): NodeJS.ProcessEnv {
  return { CAPSTAN_AGENT_DIR: h.agentDir, CAPSTAN_ENGINE_ROOT: h.engineRoot, CAPSTAN_ENGINE_SCOPE: h.name, CAPSTAN_BRIDGE: LAB.hostBridge };
}

/** The command line that runs `argv` inside the lab host's network namespace (the machine's mounts). */
export function inLabHost(h: LabHost, argv: string[]): string[] {
  return ['nsenter', `--net=/run/netns/${h.netns}`, '--', 'env', ...Object.entries(labEnv(h)).map(([k, v]) => `${k}=${v}`), ...argv];
}

/** Creates the lab bridge and the host's namespace, uplink and host bridge; idempotent. */
export async function createLabHost(h: LabHost): Promise<void> {
  await ensureBridge(LAB.bridge, `${LAB.gateway}/${LAB.prefix}`);
  await mkdir(h.agentDir, { recursive: true, mode: 0o700 });
  await mkdir(h.engineRoot, { recursive: true });
  const ns = await run('ip', ['netns', 'add', h.netns]);
  if (ns.code !== 0 && !/File exists/.test(ns.stderr)) throw new Error(`ip netns add ${h.netns}: ${ns.stderr.trim()}`);
  if (!(await getLink(h.uplink))) {
    await ip(['link', 'add', h.uplink, 'type', 'veth', 'peer', 'name', 'uplink0', 'netns', h.netns]);
  }
  await ip(['link', 'set', h.uplink, 'master', LAB.bridge, 'up']);
  await ip(['link', 'set', 'lo', 'up'], h.netns);
  if (!(await getLink(LAB.hostBridge, h.netns))) await ip(['link', 'add', LAB.hostBridge, 'type', 'bridge'], h.netns);
  await ip(['link', 'set', 'uplink0', 'master', LAB.hostBridge, 'up'], h.netns);
  await ip(['addr', 'replace', `${h.address}/${LAB.prefix}`, 'dev', LAB.hostBridge], h.netns);
  await ip(['link', 'set', LAB.hostBridge, 'up'], h.netns);
}

/** Removes the host's namespace (its uplink goes with it), its directories and its (empty) cgroups. */
export async function deleteLabHost(h: LabHost): Promise<void> {
  await run('ip', ['netns', 'delete', h.netns]);
  await run('ip', ['link', 'delete', h.uplink]);
  // What a run killed mid-way left running in its cgroups goes with the host.
  const left = await endCgroupTree(new Layout(h.engineRoot, h.name).cgroupParent, 10_000);
  // Mounts a killed run left inside (a WPAR's overlay root) are detached, not descended into.
  await removeTree(join(LAB.root, `h${h.index}`));
  if (left.length > 0) throw new Error(`${h.name}: could not remove the cgroups ${left.join(', ')}`);
}

/** Removes the lab bridge once no lab host is left. */
export async function deleteLabBridgeIfUnused(): Promise<void> {
  if ((await existingLabHosts()).length > 0) return;
  if (await getLink(LAB.bridge)) await runOk('ip', ['link', 'delete', LAB.bridge]);
}

// The seed's attribute=value flags of mkwpar/wparexec, mapped onto a WparSpec:
//   -N address=A[/prefix] [netmask=M] [gateway=G] [bridge=B]  (repeat address= for more interfaces)
//   -R shares_CPU=N  CPU=cores  memory=SIZE  totalProcesses=N   (also: shares, cpu, totalVirtMem, procs)
//   -M directory=/in/wpar dev=/host/path [vfs=bind|tmpfs] [ro=yes]
//   -S privs=CAP_A,CAP_B
import type { Command } from 'commander';
import type { Mount, NetworkInterface, ResourceControls, WparSpec, WparType } from '../../api/wpar.js';
import { UsageError } from './command.js';

function pairs(tokens: string[], flag: string): [string, string][] {
  return tokens.map((t) => {
    const eq = t.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag}: expected attribute=value, got "${t}"`);
    return [t.slice(0, eq), t.slice(eq + 1)];
  });
}

function netmaskToPrefix(mask: string): number {
  const bits = mask.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  if (!/^1*0*$/.test(bits) || bits.length !== 32) throw new UsageError(`-N: bad netmask ${mask}`);
  return bits.indexOf('0') === -1 ? 32 : bits.indexOf('0');
}

export function parseInterfaces(tokens: string[] = []): NetworkInterface[] {
  const result: NetworkInterface[] = [];
  for (const [key, value] of pairs(tokens, '-N')) {
    if (key === 'address') {
      const [address = '', prefix] = value.split('/');
      result.push({ address, prefix: prefix ? Number(prefix) : 24 });
      continue;
    }
    const current = result.at(-1);
    if (!current) throw new UsageError('-N: address= must come first');
    if (key === 'netmask') current.prefix = netmaskToPrefix(value);
    else if (key === 'gateway') current.gateway = value;
    else if (key === 'bridge') current.bridge = value;
    else throw new UsageError(`-N: unknown attribute ${key}`);
  }
  return result;
}

/** "256M", "1G", "512" (MiB) → MiB. */
function mebibytes(value: string): number {
  const m = /^(\d+)([MmGg])?$/.exec(value);
  if (!m) throw new UsageError(`-R: bad size ${value}`);
  return Number(m[1]) * (m[2]?.toUpperCase() === 'G' ? 1024 : 1);
}

function positive(value: string, key: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`-R: ${key} must be a positive number`);
  return n;
}

export function parseResources(tokens: string[] = []): ResourceControls {
  const r: ResourceControls = {};
  for (const [key, value] of pairs(tokens, '-R')) {
    switch (key) {
      case 'shares_CPU':
      case 'shares':
        r.cpuShares = positive(value, key);
        break;
      case 'CPU':
      case 'cpu':
        r.cpuLimit = positive(value, key);
        break;
      case 'memory':
      case 'totalVirtMem':
        r.memoryLimitMiB = mebibytes(value);
        break;
      case 'totalProcesses':
      case 'procs':
        r.processLimit = positive(value, key);
        break;
      case 'active':
        break; // the seed's on/off switch: controls given here are always active
      default:
        throw new UsageError(`-R: unknown resource control ${key}`);
    }
  }
  return r;
}

export function parseMounts(tokens: string[] = []): Mount[] {
  const result: Mount[] = [];
  let current: Partial<Mount> | undefined;
  const finish = (): void => {
    if (!current) return;
    if (!current.target) throw new UsageError('-M: directory= is required');
    const type = current.type ?? 'bind';
    const source = type === 'tmpfs' ? 'tmpfs' : current.source;
    if (!source) throw new UsageError('-M: dev= is required for a bind mount');
    result.push({ source, target: current.target, type, readOnly: current.readOnly ?? false });
  };
  for (const [key, value] of pairs(tokens, '-M')) {
    if (key === 'directory') {
      finish();
      current = { target: value };
      continue;
    }
    if (!current) throw new UsageError('-M: directory= must come first');
    if (key === 'dev') current.source = value;
    else if (key === 'vfs') {
      if (value !== 'bind' && value !== 'tmpfs') throw new UsageError(`-M: vfs must be bind or tmpfs`);
      current.type = value;
    } else if (key === 'ro') current.readOnly = value === 'yes' || value === 'true';
    else throw new UsageError(`-M: unknown attribute ${key}`);
  }
  finish();
  return result;
}

export function parsePrivileges(tokens: string[] = []): string[] | undefined {
  let privs: string[] | undefined;
  for (const [key, value] of pairs(tokens, '-S')) {
    if (key !== 'privs') throw new UsageError(`-S: unknown attribute ${key}`);
    privs = value.split(',').filter(Boolean);
  }
  return privs;
}

export const SPEC_OPTIONS_HELP = `
Linux mappings of the seed's attributes:
  -N address=10.1.0.5/24 [netmask=255.255.255.0] [gateway=G] [bridge=BR]
       a static IPv4 address in the WPAR's own network namespace, on a veth into BR
       (default: the host bridge); repeat address= for more interfaces
  -R shares_CPU=N       cgroup cpu.shares (relative weight)
  -R CPU=0.5            hard CPU limit in cores (CFS quota)
  -R memory=256M        hard memory limit (no swap beyond it: the OOM killer acts)
  -R totalProcesses=N   pids.limit
  -M directory=/data dev=/srv/data [vfs=bind|tmpfs] [ro=yes]   a mount in the WPAR
  -S privs=CAP_NET_ADMIN,CAP_KILL   the capability set (default: runc's)
  -e IMAGE              base image from the host image store ("host": the host's /, application WPARs)`;

export interface SpecFlags {
  checkpointable?: boolean;
  hostname?: string;
  image?: string;
  network?: string[];
  resources?: string[];
  mounts?: string[];
  security?: string[];
}

/** The WPAR-defining flags mkwpar and wparexec share. */
export function addSpecOptions(cmd: Command): Command {
  return cmd
    .option('-c, --checkpointable', 'the WPAR can be paused, frozen, checkpointed and restarted')
    .option('-h, --hostname <name>', 'host name inside the WPAR (default: its name)')
    .option('-e, --image <image>', 'base image (default: busybox)')
    .option('-N, --network <attr...>', 'network interface (see below)')
    .option('-R, --resources <attr...>', 'resource controls (see below)')
    .option('-M, --mounts <attr...>', 'mounts (see below)')
    .option('-S, --security <attr...>', 'privileges (see below)')
    .addHelpText('after', SPEC_OPTIONS_HELP);
}

/**
 * The spec the flags describe. Over `base` (a spec file, a WPAR being changed) a flag given
 * replaces what it names: -R attributes one by one, the other flags their whole field.
 */
export function specFromFlags(name: string, type: WparType, flags: SpecFlags, command?: string[], base?: WparSpec): WparSpec {
  const privileges = parsePrivileges(flags.security) ?? base?.privileges;
  const hostname = flags.hostname ?? base?.hostname;
  const cmd = command && command.length > 0 ? command : base?.command;
  return {
    name,
    type,
    image: flags.image ?? base?.image ?? 'busybox',
    interfaces: flags.network ? parseInterfaces(flags.network) : (base?.interfaces ?? []),
    mounts: flags.mounts ? parseMounts(flags.mounts) : (base?.mounts ?? []),
    resources: { ...base?.resources, ...parseResources(flags.resources) },
    checkpointable: flags.checkpointable ?? base?.checkpointable ?? false,
    ...(hostname ? { hostname } : {}),
    ...(cmd ? { command: cmd } : {}),
    ...(privileges ? { privileges } : {}),
  };
}

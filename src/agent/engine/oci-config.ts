// The OCI runtime configuration of a WPAR, derived from its spec on top of runc's own
// defaults (`runc spec`), so every WPAR gets runc's default capabilities and device rules
// unless the spec says otherwise, and always the engine's hardening (hardening.ts).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mount, WparSpec } from '../../api/wpar.js';
import { runOk } from '../exec.js';
import { harden } from './hardening.js';
import type { AppliedResources } from './records.js';

/** The parts of the OCI spec the engine reads or changes; the rest passes through untouched. */
export interface OciConfig {
  process: {
    terminal?: boolean;
    args: string[];
    cwd: string;
    env?: string[];
    capabilities?: Record<string, string[]>;
    rlimits?: { type: string; hard: number; soft: number }[];
    [key: string]: unknown;
  };
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts: { destination: string; type?: string; source?: string; options?: string[] }[];
  linux: {
    namespaces: { type: string; path?: string }[];
    cgroupsPath?: string;
    resources?: Record<string, unknown>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

let runcDefaults: Promise<OciConfig> | undefined;

/** runc's default configuration, asked once per process. */
export function runcDefaultConfig(): Promise<OciConfig> {
  runcDefaults ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capstan-runc-spec-'));
    try {
      await runOk('runc', ['spec', '--bundle', dir]);
      return JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as OciConfig;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return runcDefaults;
}

/** The resource limit names of /proc/self/limits, by OCI rlimit type. */
const LIMIT_LABEL: Record<string, string> = {
  RLIMIT_NOFILE: 'Max open files',
  RLIMIT_NPROC: 'Max processes',
  RLIMIT_CORE: 'Max core file size',
  RLIMIT_MEMLOCK: 'Max locked memory',
  RLIMIT_STACK: 'Max stack size',
};

/** Hard limits of this process: a WPAR may never ask for more (no CAP_SYS_RESOURCE here). */
export async function currentHardLimits(): Promise<Map<string, number>> {
  const text = await readFile('/proc/self/limits', 'utf8');
  const hard = new Map<string, number>();
  for (const [type, label] of Object.entries(LIMIT_LABEL)) {
    const line = text.split('\n').find((l) => l.startsWith(label));
    const value = line?.slice(label.length).trim().split(/\s+/)[1];
    if (value && value !== 'unlimited') hard.set(type, Number(value));
  }
  return hard;
}

const CFS_PERIOD_US = 100_000;
/** A WPAR's process (and thread) limit when its spec sets none: a fork bomb stops there. */
export const DEFAULT_PIDS_LIMIT = 4096;
const MIB = 1024 * 1024;

export interface ConfigInputs {
  spec: WparSpec;
  rootfs: string;
  readonlyRoot: boolean;
  /** Network namespace to join; none means the host's network (application WPARs without addresses). */
  netnsPath?: string;
  hardLimits: Map<string, number>;
  /** The cgroup the WPAR's own cgroup goes under. */
  cgroupParent: string;
  /** The parent's CPU quota in cores where no child may exceed it (cgroup v1). */
  cpuCeilingCores?: number;
  /** The CRIU configuration runc hands CRIU for this container (see relocate/criu-config.ts). */
  criuConfig: string;
}

/** runc gives CRIU the file this annotation names as its RPC configuration, applied over runc's own options. */
export const CRIU_CONFIG_ANNOTATION = 'org.criu.config';

function ociMount(m: Mount): OciConfig['mounts'][number] {
  if (m.type === 'tmpfs') {
    return { destination: m.target, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', m.readOnly ? 'ro' : 'rw'] };
  }
  return { destination: m.target, type: 'bind', source: m.source, options: ['rbind', m.readOnly ? 'ro' : 'rw'] };
}

/** The cgroup settings and capabilities a spec asks for. */
export function resourcesFor(spec: WparSpec, defaultCaps: string[], cpuCeilingCores?: number): AppliedResources {
  const r = spec.resources;
  const applied: AppliedResources = { capabilities: spec.privileges ?? defaultCaps };
  if (r.cpuShares !== undefined) applied.cpuShares = r.cpuShares;
  if (r.cpuLimit !== undefined) {
    applied.cpuPeriodUs = CFS_PERIOD_US;
    applied.cpuQuotaUs = Math.max(1000, Math.round(Math.min(r.cpuLimit, cpuCeilingCores ?? Infinity) * CFS_PERIOD_US));
  }
  if (r.memoryLimitMiB !== undefined) {
    applied.memoryLimitBytes = r.memoryLimitMiB * MIB;
    // Memory+swap equal to memory: no swap to escape into, so the OOM killer acts at the limit.
    applied.memorySwapBytes = applied.memoryLimitBytes;
  }
  applied.pidsLimit = r.processLimit ?? DEFAULT_PIDS_LIMIT;
  return applied;
}

export function buildConfig(base: OciConfig, inputs: ConfigInputs): { config: OciConfig; resources: AppliedResources } {
  const { spec } = inputs;
  const config = structuredClone(base);
  const defaultCaps = base.process.capabilities?.bounding ?? [];
  const resources = resourcesFor(spec, defaultCaps, inputs.cpuCeilingCores);

  config.process.terminal = false;
  config.process.args = spec.command ?? ['/sbin/init'];
  config.process.cwd = '/';
  if (config.process.capabilities) {
    for (const set of Object.keys(config.process.capabilities)) config.process.capabilities[set] = resources.capabilities;
  }
  harden(config, resources.capabilities);
  config.process.rlimits = (config.process.rlimits ?? []).map((l) => {
    const hard = Math.min(l.hard, inputs.hardLimits.get(l.type) ?? l.hard);
    return { type: l.type, hard, soft: Math.min(l.soft, hard) };
  });

  config.root = { path: inputs.rootfs, readonly: inputs.readonlyRoot };
  config.hostname = spec.hostname ?? spec.name;

  config.mounts = [...config.mounts, ...spec.mounts.map(ociMount)];
  if (spec.type === 'application' && !spec.mounts.some((m) => m.target === '/tmp')) {
    config.mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] });
  }

  const namespaces = config.linux.namespaces.filter((ns) => ns.type !== 'network');
  if (inputs.netnsPath) namespaces.push({ type: 'network', path: inputs.netnsPath });
  config.linux.namespaces = namespaces;
  config.linux.cgroupsPath = `${inputs.cgroupParent}/${spec.name}`;
  config.annotations = { ...(config.annotations as Record<string, string> | undefined), [CRIU_CONFIG_ANNOTATION]: inputs.criuConfig };

  config.linux.resources = { ...(config.linux.resources ?? {}), ...linuxResources(resources) };
  return { config, resources };
}

/** The OCI linux.resources of the cgroup settings (also what `runc update` takes). */
export function linuxResources(resources: AppliedResources): Record<string, unknown> {
  const cgroup: Record<string, unknown> = {};
  if (resources.cpuShares !== undefined || resources.cpuQuotaUs !== undefined) {
    cgroup.cpu = { shares: resources.cpuShares, quota: resources.cpuQuotaUs, period: resources.cpuPeriodUs };
  }
  if (resources.memoryLimitBytes !== undefined) {
    cgroup.memory = { limit: resources.memoryLimitBytes, swap: resources.memorySwapBytes };
  }
  if (resources.pidsLimit !== undefined) cgroup.pids = { limit: resources.pidsLimit };
  return cgroup;
}

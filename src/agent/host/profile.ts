// The host profile: what relocation compatibility and capacity are decided on. Read from
// /proc, /etc/os-release and the tools themselves; re-read on "update profile".
import { readFile } from 'node:fs/promises';
import { cpus, hostname, release, totalmem } from 'node:os';
import type { HostProfile } from '../../api/agents.js';
import { findCriu } from '../engine/criu.js';
import { runcDefaultConfig } from '../engine/oci-config.js';
import { memoryTransfer } from '../engine/relocate/methods.js';
import { run } from '../exec.js';
import { cgroupVersion } from './cgroups.js';

/** Capability numbers of the kernel's list (linux/capability.h), for decoding CapBnd. */
const CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT',
  'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE',
  'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ',
  'PERFMON', 'BPF', 'CHECKPOINT_RESTORE',
].map((c) => `CAP_${c}`);

export async function readProfile(): Promise<HostProfile> {
  const [cpuinfo, osRelease, status, libc, runc, criu, cgroup, ntp, defaults, memory] = await Promise.all([
    readFile('/proc/cpuinfo', 'utf8'),
    readFile('/etc/os-release', 'utf8').catch(() => ''),
    readFile('/proc/self/status', 'utf8'),
    run('getconf', ['GNU_LIBC_VERSION']),
    run('runc', ['--version']),
    findCriu().then((c) => c.version, () => 'missing'),
    cgroupVersion(),
    ntpSynchronized(),
    runcDefaultConfig().then((c) => c.process.capabilities?.bounding ?? [], () => []),
    memoryTransfer(),
  ]);
  const field = (name: string): string => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const os = (key: string): string => new RegExp(`^${key}="?([^"\\n]*)"?$`, 'm').exec(osRelease)?.[1] ?? 'unknown';
  const bnd = BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`);
  return {
    hostname: hostname(),
    cpu: {
      vendor: field('vendor_id'),
      model: field('model name'),
      flags: field('flags').split(/\s+/).filter(Boolean).sort(),
      cores: cpus().length,
      mhz: Number(field('cpu MHz')) || cpus()[0]?.speed || 0,
    },
    memoryBytes: totalmem(),
    kernel: release(),
    os: { id: os('ID'), version: os('VERSION_ID'), name: os('PRETTY_NAME') },
    libc: libc.stdout.trim() || 'unknown',
    runc: /runc version (\S+)/.exec(runc.stdout)?.[1] ?? 'missing',
    criu,
    cgroupVersion: cgroup,
    ntpSynchronized: ntp,
    privileges: { available: CAPABILITIES.filter((_, i) => (bnd >> BigInt(i)) & 1n), default: defaults },
    // Asked of the kernel through CRIU (see the engine's relocate/methods.ts).
    memoryTransfer: { postCopy: memory.postCopy, preCopy: memory.preCopy },
    collectedAt: new Date().toISOString(),
  };
}

/** From timedatectl where systemd runs, else from the kernel's adjtimex state through chrony/ntpstat; null when nothing tells. */
async function ntpSynchronized(): Promise<boolean | null> {
  const t = await run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeoutMs: 3000 });
  if (t.code === 0 && /^(yes|no)$/.test(t.stdout.trim())) return t.stdout.trim() === 'yes';
  const n = await run('ntpstat', [], { timeoutMs: 3000 });
  if (n.code === 0) return true;
  if (n.code === 1) return false;
  return null;
}

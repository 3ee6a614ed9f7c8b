// Host profiles for the mobility suites: a Debian 12 host, and changes to it.
import type { HostProfile } from '../../src/api/agents.js';

const GIB = 2 ** 30;

export type ProfileChanges = Partial<Omit<HostProfile, 'cpu' | 'os'>> & { cpu?: Partial<HostProfile['cpu']>; os?: Partial<HostProfile['os']> };

export function hostProfile(changes: ProfileChanges = {}): HostProfile {
  const { cpu, os, ...rest } = changes;
  return {
    hostname: 'h',
    cpu: { vendor: 'GenuineIntel', model: 'Xeon', flags: ['avx2', 'sse4_2', 'aes'], cores: 8, mhz: 2400, ...cpu },
    memoryBytes: 32 * GIB,
    kernel: '6.1.0-18-amd64',
    os: { id: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)', ...os },
    libc: 'glibc 2.36',
    runc: '1.1.5',
    criu: '4.2.1',
    cgroupVersion: 2,
    ntpSynchronized: true,
    privileges: { available: ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_ADMIN'], default: ['CAP_CHOWN'] },
    memoryTransfer: { postCopy: true, preCopy: false },
    collectedAt: '2030-01-01T00:00:00Z',
    ...rest,
  };
}

// The seed's system profiles: shared by systems of one relocation domain with the same hardware.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostProfile } from '../../../src/api/agents.js';
import { systemProfileId } from '../../../src/manager/inventory/system-profile.js';

const host = (o: { cores?: number; model?: string; memoryBytes?: number; kernel?: string } = {}): HostProfile => ({
  hostname: 'h', cpu: { vendor: 'GenuineIntel', model: o.model ?? 'Xeon', flags: ['avx2', 'sse4_2'], cores: o.cores ?? 8, mhz: 2400 },
  memoryBytes: o.memoryBytes ?? 32 * 2 ** 30, kernel: o.kernel ?? '6.1.0', os: { id: 'debian', version: '12', name: 'Debian 12' }, libc: 'glibc 2.36',
  runc: '1.1.5', criu: '4.2.1', cgroupVersion: 1, ntpSynchronized: true, privileges: { available: [], default: [] },
  memoryTransfer: { postCopy: true, preCopy: false }, collectedAt: '2026-11-22T00:00:00Z',
});

describe('system profiles', () => {
  it('is shared by systems of one domain with the same hardware, whatever their software', () => {
    assert.equal(systemProfileId('d1', host()), systemProfileId('d1', host({ kernel: '6.12.0', memoryBytes: 32 * 2 ** 30 - 4096 * 100 })));
  });
  it('differs across domains and hardware, and is absent before the agent reports', () => {
    const base = systemProfileId('d1', host());
    assert.notEqual(systemProfileId('d2', host()), base);
    assert.notEqual(systemProfileId('d1', host({ cores: 16 })), base);
    assert.notEqual(systemProfileId('d1', host({ model: 'EPYC' })), base);
    assert.notEqual(systemProfileId('d1', host({ memoryBytes: 64 * 2 ** 30 })), base);
    assert.equal(systemProfileId('d1', null), null);
  });
});

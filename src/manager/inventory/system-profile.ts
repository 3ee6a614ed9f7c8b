// The seed's system profiles: systems of the same relocation domain with the same hardware
// characteristics share one profile, named by what they have in common. A system whose agent
// has not reported has none; "update profile" re-reads the host and so may move it to another.
import { createHash } from 'node:crypto';
import type { HostProfile } from '../../api/agents.js';

const GIB = 2 ** 30;

export function systemProfileId(domainId: string, profile: HostProfile | null): string | null {
  if (!profile?.cpu) return null;
  const hardware = {
    vendor: profile.cpu.vendor,
    model: profile.cpu.model,
    flags: profile.cpu.flags,
    cores: profile.cpu.cores,
    // Memory as the host reports it varies by a few pages between identical machines.
    memoryGiB: Math.round(profile.memoryBytes / GIB),
  };
  return `sp-${createHash('sha256').update(domainId).update(JSON.stringify(hardware)).digest('hex').slice(0, 12)}`;
}

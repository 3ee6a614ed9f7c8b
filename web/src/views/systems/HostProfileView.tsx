// A host profile (agents.ts HostProfile) as readable properties. A profile in another shape
// (an older agent) is shown as it came.
import type { HostProfile } from '../../../../src/api/agents.js';
import { Properties, PropertyList } from '../../components/PropertyList.js';
import { formatBytes, formatTime, humanize } from '../../lib/format.js';

function isHostProfile(v: unknown): v is HostProfile {
  const p = v as Partial<HostProfile> | null;
  return typeof p === 'object' && p !== null && typeof p.cpu === 'object' && p.cpu !== null && typeof p.os === 'object' && p.os !== null && typeof p.privileges === 'object' && typeof p.memoryTransfer === 'object';
}

const capabilities = (caps: string[]) => (caps.length === 0 ? 'none' : caps.map((c) => c.replace(/^CAP_/, '')).join(', '));

export function HostProfileView({ profile, name }: { profile: unknown; name: string }) {
  if (!isHostProfile(profile)) return <PropertyList value={profile} label={`Profile of ${name}`} />;
  const p = profile;
  const methods = [p.memoryTransfer.preCopy ? 'pre-copy' : '', p.memoryTransfer.postCopy ? 'post-copy' : ''].filter(Boolean);
  return (
    <div role="group" aria-label={`Host profile of ${name}`}>
      <Properties items={[
        ['Host name', p.hostname],
        ['Cores', String(p.cpu.cores)],
        ['Processor', `${p.cpu.model} (${p.cpu.vendor}${p.cpu.mhz ? `, ${Math.round(p.cpu.mhz)} MHz` : ''})`],
        ['Memory', formatBytes(p.memoryBytes)],
        ['Kernel', p.kernel],
        ['Operating system', p.os.name || `${p.os.id} ${p.os.version}`],
        ['C library', p.libc],
        ['runc', p.runc],
        ['CRIU', p.criu],
        ['cgroup version', `v${p.cgroupVersion}`],
        ['Clock synchronised by NTP', p.ntpSynchronized === null ? 'cannot tell' : p.ntpSynchronized ? 'yes' : 'no'],
        ['Memory transfer for live relocation', methods.length ? methods.join(', ') : 'none'],
        ['Default privileges of WPARs', capabilities(p.privileges.default)],
        ['Privileges available to WPARs', capabilities(p.privileges.available)],
        ['Collected', formatTime(p.collectedAt)],
      ]} />
      <details>
        <summary>{humanize('cpuFeatureFlags')} ({p.cpu.flags.length})</summary>
        <p className="flags">{p.cpu.flags.join(' ')}</p>
      </details>
    </div>
  );
}

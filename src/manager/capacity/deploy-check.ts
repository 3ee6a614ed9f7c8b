// Whether a system has the active capacity for one more WPAR: the CPU limits (cores) and
// memory limits of the WPARs deployed there plus the new one must fit in what the system
// has active — the lower of intended and actual, so a pending deactivation already counts —
// and a system with no active core runs nothing.
import type { Components } from '../../api/capacity.js';
import type { ResourceControls } from '../../api/wpar.js';

/** What a WPAR's resource controls claim of its system. */
export type WparResourceNeeds = Pick<ResourceControls, 'cpuLimit' | 'memoryLimitMiB'>;

export interface DeployShortfall {
  reason: string;
}

export function deployShortfall(active: Components, deployed: WparResourceNeeds[], wpar: WparResourceNeeds): DeployShortfall | null {
  if (active.cores === 0) return { reason: 'the system has no active core' };
  const all = [...deployed, wpar];
  const cores = all.reduce((n, w) => n + (w.cpuLimit ?? 0), 0);
  if (cores > active.cores) return { reason: `its WPARs would be limited to ${cores} cores; ${active.cores} are active` };
  if (active.memoryGiB !== null) {
    const mib = all.reduce((n, w) => n + (w.memoryLimitMiB ?? 0), 0);
    if (mib > active.memoryGiB * 1024) return { reason: `its WPARs would be limited to ${mib} MiB of memory; ${active.memoryGiB} GiB are active` };
  }
  return null;
}

/** The active components a placement may count on: the lower of intended and actual (intended while never reported). */
export function placeableActive(intended: Components, actual: Components | null): Components {
  if (actual === null) return intended;
  const low = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));
  return { cores: Math.min(intended.cores, actual.cores), memoryGiB: low(intended.memoryGiB, actual.memoryGiB), cells: low(intended.cells, actual.cells) };
}

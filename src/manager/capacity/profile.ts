// What instant capacity reads from a system's host profile (reported by its agent): the
// cores and memory installed. Read defensively: a profile is a JSON document that older
// or newer agents may shape differently, and absent until the agent reports.

function at(profile: unknown, ...path: string[]): unknown {
  let v: unknown = profile;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

/** The host's cores (profile.cpu.cores); null until known. */
export function hostCores(profile: unknown): number | null {
  return count(at(profile, 'cpu', 'cores'));
}

/** The host's memory in whole GiB (profile.memoryBytes); null until known. */
export function hostMemoryGiB(profile: unknown): number | null {
  const bytes = at(profile, 'memoryBytes');
  return typeof bytes === 'number' && bytes >= 0 ? Math.floor(bytes / 2 ** 30) : null;
}

/** A complex's installed total: declared, or else the sum over its hosts once every one is known. */
export function installed(declared: number | null, perHost: (number | null)[]): number | null {
  if (declared !== null) return declared;
  if (perHost.length === 0 || perHost.some((n) => n === null)) return null;
  return perHost.reduce<number>((a, n) => a + (n ?? 0), 0);
}

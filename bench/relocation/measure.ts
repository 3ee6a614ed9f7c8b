// What one relocation measured, and the medians a table row shows.

export interface Measure {
  frozen: number;
  total: number;
  /** What the engines said: departure frozenAt to arrival resumedAt. */
  engineFrozen?: number;
  /** The longest silence the client saw, and the lines it lost or got twice (over all runs). */
  silence?: number;
  lostOrRepeated?: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

export function medianOf(ms: Measure[]): Measure {
  const defined = (k: 'engineFrozen' | 'silence' | 'lostOrRepeated'): number[] => ms.map((m) => m[k]).filter((x): x is number => x !== undefined);
  const [engine, silence, broken] = [defined('engineFrozen'), defined('silence'), defined('lostOrRepeated')];
  return {
    frozen: median(ms.map((m) => m.frozen)), total: median(ms.map((m) => m.total)),
    ...(engine.length ? { engineFrozen: median(engine) } : {}),
    ...(silence.length ? { silence: median(silence) } : {}),
    ...(broken.length ? { lostOrRepeated: broken.reduce((x, y) => x + y, 0) } : {}),
  };
}

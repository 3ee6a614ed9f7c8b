// Labels of a chart's value axis. Every tick gets as many decimals as the spacing of the ticks
// needs in the label's own unit (ticks 0.05% apart read "0.05%, 0.10%, 0.15%", not "0%, 0%,
// 0%") — exactly where the spacing is round in that unit, else to one digit past its first —
// and more if two labels would still read the same; all ticks of an axis get the same number
// of decimals. Pure functions: no DOM, tested on their own.

const MAX_DECIMALS = 6;
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** The fewest decimals (up to `max`) that write `step` exactly: 0.05 → 2, 2.5 → 1, 20 → 0. */
export function decimalsFor(step: number, max = MAX_DECIMALS): number {
  const a = Math.abs(step);
  for (let d = 0; d < max; d++) {
    const scaled = a * 10 ** d;
    const whole = Math.round(scaled);
    if (whole !== 0 && Math.abs(scaled - whole) <= 1e-6 * scaled) return d;
  }
  return max;
}

/** The decimals that show a step's first significant digit, and one more: 0.0465 → 3, 2.5 → 1, 20 → 1. */
function leadingDecimals(step: number): number {
  return Math.max(0, Math.ceil(-Math.log10(Math.abs(step)))) + 1;
}

/** `v` with `d` decimals, never "-0". */
export function fixed(v: number, d: number): string {
  const s = v.toFixed(d);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** The smallest gap between two neighbouring ticks; 0 for fewer than two. */
function spacing(ticks: readonly number[]): number {
  const sorted = [...ticks].sort((a, b) => a - b);
  let step = Infinity;
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    if (gap > 0) step = Math.min(step, gap);
  }
  return Number.isFinite(step) ? step : 0;
}

/**
 * The labels of `ticks`: `label(v, decimals)` with the decimals the ticks' spacing needs once
 * multiplied by `scale` (the label's unit: 100 for a percentage of a fraction), more while two
 * labels of different ticks read the same.
 */
export function tickLabels(ticks: readonly number[], label: (v: number, decimals: number) => string, scale = 1): string[] {
  const step = spacing(ticks) * scale;
  for (let d = step > 0 ? Math.min(decimalsFor(step), leadingDecimals(step), MAX_DECIMALS) : 0; ; d++) {
    const labels = ticks.map((v) => label(v, d));
    if (d >= MAX_DECIMALS || distinct(ticks, labels)) return labels;
  }
}

function distinct(ticks: readonly number[], labels: readonly string[]): boolean {
  const seen = new Map<string, number>();
  for (const [i, l] of labels.entries()) {
    const v = ticks[i]!;
    const other = seen.get(l);
    if (other !== undefined && other !== v) return false;
    seen.set(l, v);
  }
  return true;
}

/** Fractions as percentages: 0.0005 → "0.05%". */
export function percentTicks(ticks: readonly number[]): string[] {
  return tickLabels(ticks, (v, d) => `${fixed(v * 100, d)}%`, 100);
}

/** Plain counts (processes): whole numbers unless the ticks fall between them. */
export function countTicks(ticks: readonly number[]): string[] {
  return tickLabels(ticks, (v, d) => fixed(v, d));
}

/** Bytes in one binary unit for the whole axis, the one its largest tick reads best in; `suffix`: e.g. "/s". */
export function byteTicks(ticks: readonly number[], suffix = ''): string[] {
  const largest = Math.max(0, ...ticks.map(Math.abs));
  let i = 0;
  while (largest >= 1024 ** (i + 1) && i < UNITS.length - 1) i++;
  const unit = 1024 ** i;
  return tickLabels(ticks, (v, d) => `${fixed(v / unit, d)} ${UNITS[i]}${suffix}`, 1 / unit);
}

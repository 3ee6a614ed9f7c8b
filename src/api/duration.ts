// Durations as people type them, the same in the CLI and the console: "30d", "12h", "90m",
// "45s" or plain seconds.

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

export const DURATION_EXAMPLES = '30d, 12h, 90m or 3600 (seconds)';

/** Its seconds, or undefined when the text is not a duration. */
export function readDuration(text: string): number | undefined {
  const m = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  return m ? Number(m[1]) * UNITS[m[2] || 's']! : undefined;
}

/** Seconds in the largest unit that divides them, as readDuration reads them back. */
export function durationText(s: number): string {
  for (const u of ['d', 'h', 'm'] as const) if (s > 0 && s % UNITS[u]! === 0) return `${s / UNITS[u]!}${u}`;
  return String(s);
}

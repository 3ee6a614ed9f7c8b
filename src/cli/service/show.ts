// How the service commands show a process: its uptime, and the end of its log (pino's JSON
// lines made readable) when it did not start. Pure.

/** "45s", "12m 5s", "3h 12m", "2d 4h". */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** One log line as a person reads it: a pino line as "LEVEL message: error", anything else as it is. */
export function readableLogLine(line: string): string {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof o !== 'object' || o === null || !('msg' in o)) return line;
  const r = o as { level?: number; msg?: unknown; err?: { message?: unknown }; error?: { message?: unknown } };
  const level = LEVEL_NAMES[r.level ?? 30] ?? String(r.level);
  const err = r.err?.message ?? r.error?.message;
  return `${level.toUpperCase().padEnd(5)} ${String(r.msg)}${err ? `: ${String(err)}` : ''}`;
}

/** The last `n` non-empty lines of a log, made readable. */
export function logTail(text: string, n: number): string[] {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-n).map(readableLogLine);
}

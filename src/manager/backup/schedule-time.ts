// When a daily backup is due, in the manager's local time ("HH:MM"). Pure: the clock is an
// argument. Days are stepped with the local calendar (Date's local fields), not by adding
// 24 hours, so a run stays at its wall-clock time across daylight saving changes. On the
// day a time does not exist (clocks forward over it), the run comes that much later (02:30
// becomes 03:30); on the day it exists twice (clocks back), it runs at the first one only.
import { CapstanError } from '../../api/errors.js';
import { DAILY_TIME } from '../../api/operations.js';

export interface DailyTime {
  hour: number;
  minute: number;
}

/** "HH:MM", 00:00 to 23:59; anything else is refused with CAP-E1032. */
export function parseDailyTime(text: string): DailyTime {
  const m = DAILY_TIME.exec(text);
  if (!m) throw new CapstanError('CAP-E1032', `"${text}"`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

export function formatDailyTime(t: DailyTime): string {
  return `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
}

/** The run at `t` on the local day of `day`, shifted by `days` days. */
function onDay(t: DailyTime, day: Date, days: number): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + days, t.hour, t.minute, 0, 0);
}

/** The first run strictly after `after`. */
export function nextDailyRun(t: DailyTime, after: Date): Date {
  // Today's, else tomorrow's; a third day only for a time pushed across midnight by a change of clocks.
  for (let days = 0; days <= 2; days++) {
    const run = onDay(t, after, days);
    if (run.getTime() > after.getTime()) return run;
  }
  throw new Error(`no daily run at ${formatDailyTime(t)} after ${after.toISOString()}`);
}

/** The latest run at or before `now`. */
export function previousDailyRun(t: DailyTime, now: Date): Date {
  for (let days = 0; days >= -2; days--) {
    const run = onDay(t, now, days);
    if (run.getTime() <= now.getTime()) return run;
  }
  throw new Error(`no daily run at ${formatDailyTime(t)} before ${now.toISOString()}`);
}

/**
 * The run that is due at `now`, if any: the schedule's time has come since `since` (when the
 * schedule was set, or the last run was due). However many were missed while the manager was
 * down, one run is due, counted as the latest of them, so the next is due at the next time.
 */
export function dueRun(t: DailyTime, since: Date, now: Date): Date | undefined {
  return nextDailyRun(t, since).getTime() <= now.getTime() ? previousDailyRun(t, now) : undefined;
}

// How instant capacity amounts read: temporary capacity is kept in core-seconds, which
// people read best as core-hours or core-days.
import { DURATION_EXAMPLES, readDuration } from '../../../../src/api/duration.js';

export function formatCoreSeconds(s: number): string {
  const sign = s < 0 ? '−' : '';
  const a = Math.abs(s);
  if (a >= 86_400) return `${sign}${(a / 86_400).toFixed(a >= 10 * 86_400 ? 0 : 1)} core-days`;
  if (a >= 3600) return `${sign}${(a / 3600).toFixed(1)} core-hours`;
  if (a >= 60) return `${sign}${Math.round(a / 60)} core-minutes`;
  return `${sign}${a} core-seconds`;
}

/** A duration in seconds, for warning periods. */
export function formatDuration(s: number): string {
  if (s >= 86_400 && s % 86_400 === 0) return `${s / 86_400} ${s === 86_400 ? 'day' : 'days'}`;
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600} ${s === 3600 ? 'hour' : 'hours'}`;
  if (s >= 60 && s % 60 === 0) return `${s / 60} minutes`;
  return `${s} seconds`;
}

/** A duration as typed (the CLI's syntax); throws with the message shown beside the field when it is not one. */
export function parseDuration(text: string): number {
  const s = readDuration(text);
  if (s === undefined) throw new Error(`Must be a duration such as ${DURATION_EXAMPLES}.`);
  return s;
}

/** A count as typed; throws with the message shown beside the field when it is not one. */
export function parseCount(text: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw new Error('Must be a whole number.');
  return Number(t);
}

// The temporary capacity meter as pure arithmetic over whole seconds: what to debit for the
// time since the last metering, when the balance will run out, and whether to warn or act.
// No clock, no I/O: the service passes the time in, and tests pass a simulated one.

/** The seed: cores may be activated with temporary capacity only while 30 minutes remain for each. */
export const TEMPORARY_SECONDS_PER_ACTIVATED_CORE = 30 * 60;

/** Cores active beyond the core usage rights: what depletes the balance, one core-second per second each. */
export function excessCores(activeCores: number, rightsCores: number): number {
  return Math.max(0, activeCores - rightsCores);
}

/** A debit covering the seconds [from, to) at `excess` cores: `amount` core-seconds. */
export interface MeterDebit {
  from: number;
  to: number;
  excess: number;
  amount: number;
}

/**
 * Meters [meteredUntil, now): null when no whole second has passed. The interval is returned
 * even when nothing was in use (amount 0), so the watermark moves on and a later rate never
 * applies to seconds that were already metered.
 */
export function meterStep(meteredUntil: number, now: number, excess: number): MeterDebit | null {
  if (now <= meteredUntil) return null;
  return { from: meteredUntil, to: now, excess, amount: excess * (now - meteredUntil) };
}

/** When the balance runs out at this use (Unix seconds, rounded down); null when nothing depletes it. */
export function projectedDepletion(balance: number, excess: number, now: number): number | null {
  if (excess === 0) return null;
  if (balance <= 0) return now;
  return now + Math.floor(balance / excess);
}

/** Whether a warning (and the exhaustion action) already went out for the current episode. */
export interface TemporaryFlags {
  warned: boolean;
  exhausted: boolean;
}

export interface TemporaryAssessment {
  projected: number | null;
  /** Send the depletion warning now (once per episode). */
  warn: boolean;
  /** Take the exhaustion action now (once per episode). */
  exhaust: boolean;
  /** The flags to keep: an episode ends when the balance is no longer in that state. */
  flags: TemporaryFlags;
}

export function assessTemporary(balance: number, excess: number, warningPeriod: number, now: number, flags: TemporaryFlags): TemporaryAssessment {
  const projected = projectedDepletion(balance, excess, now);
  const inWarning = projected !== null && balance > 0 && projected - now <= warningPeriod;
  const exhausted = excess > 0 && balance <= 0;
  return {
    projected,
    warn: inWarning && !flags.warned,
    exhaust: exhausted && !flags.exhausted,
    flags: { warned: inWarning, exhausted },
  };
}

/**
 * Which systems give up cores to bring the intended active total down by `excess`: those with
 * the most intended cores first (then by name), so the reduction is spread predictably.
 * Returns the new intended core count of each system that changes.
 */
export function planDeactivation(systems: { id: string; name: string; cores: number }[], excess: number): Map<string, number> {
  const plan = new Map<string, number>();
  let left = excess;
  const order = [...systems].sort((a, b) => b.cores - a.cores || a.name.localeCompare(b.name));
  for (const s of order) {
    if (left <= 0) break;
    const take = Math.min(s.cores, left);
    if (take > 0) plan.set(s.id, s.cores - take);
    left -= take;
  }
  return plan;
}

// Slows password guessing: after a few failed logins for one user name from one address,
// that pair is locked out for a while, even for the right password (otherwise guessing
// would simply go on). An attempt takes its slot before the password is hashed, so guesses
// sent all at once count as much as guesses sent one after another. Keyed by name AND address so that a stranger cannot lock a real
// user out from elsewhere. Kept in memory: a restart forgets it, which only gives back
// one round of attempts.
import { CapstanError } from '../../api/errors.js';

export interface ThrottleOptions {
  /** Consecutive failures that lock the pair out. */
  maxFailures: number;
  lockMs: number;
  /** After this long without a failure the count starts over, so occasional typos never add up. */
  windowMs: number;
  /** Bounds memory under a flood of distinct names or addresses. */
  maxEntries: number;
  now: () => number;
}

const DEFAULT_THROTTLE: ThrottleOptions = {
  maxFailures: 5,
  lockMs: 30_000,
  windowMs: 15 * 60_000,
  maxEntries: 10_000,
  now: Date.now,
};

interface Entry {
  failures: number;
  lastAt: number;
  lockedUntil: number;
}

export class LoginThrottle {
  /** In order of last failure, oldest first (re-inserted on every failure). */
  private readonly entries = new Map<string, Entry>();
  /** Attempts under way per pair; each may yet fail. Bounded by the requests in flight. */
  private readonly pending = new Map<string, number>();
  private readonly opts: ThrottleOptions;

  constructor(opts: Partial<ThrottleOptions> = {}) {
    this.opts = { ...DEFAULT_THROTTLE, ...opts };
  }

  /**
   * Takes a slot for one attempt, to be given back by failed, succeeded or abandoned. Throws
   * CAP-E0106 while the pair is locked out, or while the attempts under way could lock it.
   */
  begin(name: string, from: string): void {
    const k = key(name, from);
    const entry = this.entries.get(k);
    const now = this.opts.now();
    if (entry && entry.lockedUntil > now) {
      const retryAfterSeconds = Math.ceil((entry.lockedUntil - now) / 1000);
      throw new CapstanError('CAP-E0106', `retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
    const failures = entry && entry.lockedUntil === 0 && !this.isStale(entry, now) ? entry.failures : 0;
    const pending = this.pending.get(k) ?? 0;
    if (failures + pending >= this.opts.maxFailures) {
      throw new CapstanError('CAP-E0106', 'too many attempts under way', { retryAfterSeconds: 1 });
    }
    this.pending.set(k, pending + 1);
  }

  /** Gives the slot back without an outcome (the check itself failed). */
  abandoned(name: string, from: string): void {
    const k = key(name, from);
    const pending = (this.pending.get(k) ?? 0) - 1;
    if (pending > 0) this.pending.set(k, pending);
    else this.pending.delete(k);
  }

  failed(name: string, from: string): void {
    this.abandoned(name, from);
    const now = this.opts.now();
    const k = key(name, from);
    const previous = this.entries.get(k);
    this.entries.delete(k);
    // A lockout that has run out starts a fresh count, as does a long quiet spell.
    const entry = previous && previous.lockedUntil === 0 && !this.isStale(previous, now)
      ? previous
      : { failures: 0, lastAt: now, lockedUntil: 0 };
    entry.failures += 1;
    entry.lastAt = now;
    if (entry.failures >= this.opts.maxFailures) entry.lockedUntil = now + this.opts.lockMs;
    this.prune(now);
    this.entries.set(k, entry);
  }

  succeeded(name: string, from: string): void {
    this.abandoned(name, from);
    this.entries.delete(key(name, from));
  }

  private isStale(e: Entry, now: number): boolean {
    return now - e.lastAt > this.opts.windowMs && e.lockedUntil <= now;
  }

  /** Drops stale entries from the oldest end, then the oldest ones while over the bound. */
  private prune(now: number): void {
    for (const [k, e] of this.entries) {
      if (!this.isStale(e, now) && this.entries.size < this.opts.maxEntries) break;
      this.entries.delete(k);
    }
  }
}

const key = (name: string, from: string) => `${name}\u0000${from}`;

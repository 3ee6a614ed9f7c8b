// The login throttle on its own, with a clock the test moves.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CapstanError } from '../../../src/api/errors.js';
import { LoginThrottle } from '../../../src/manager/auth/throttle.js';

function throttle(extra: { maxEntries?: number } = {}) {
  const clock = { now: 1_000_000 };
  const t = new LoginThrottle({ maxFailures: 3, lockMs: 30_000, windowMs: 60_000, now: () => clock.now, ...extra });
  return { t, clock };
}

const lockedOut = (fn: () => void) => assert.throws(fn, (e: unknown) => e instanceof CapstanError && e.code === 'CAP-E0106');

describe('login throttle', () => {
  it('locks a name and address out after the maximum failures, until the lockout runs out', () => {
    const { t, clock } = throttle();
    for (let i = 0; i < 3; i++) { t.begin('ann', 'a'); t.failed('ann', 'a'); }
    lockedOut(() => t.begin('ann', 'a'));
    t.begin('ann', 'b');
    t.begin('bob', 'a');
    clock.now += 29_999;
    lockedOut(() => t.begin('ann', 'a'));
    clock.now += 1;
    t.begin('ann', 'a');
    // A fresh count after the lockout: one more failure does not lock again.
    t.failed('ann', 'a');
    t.begin('ann', 'a');
  });

  it('tells how long the lockout still lasts', () => {
    const { t, clock } = throttle();
    for (let i = 0; i < 3; i++) t.failed('ann', 'a');
    clock.now += 10_500;
    assert.throws(() => t.begin('ann', 'a'), (e: unknown) => e instanceof CapstanError && (e.details as { retryAfterSeconds: number }).retryAfterSeconds === 20);
  });

  it('forgets failures after a success or a quiet spell', () => {
    const { t, clock } = throttle();
    t.failed('ann', 'a'); t.failed('ann', 'a');
    t.succeeded('ann', 'a');
    t.failed('ann', 'a'); t.failed('ann', 'a');
    t.begin('ann', 'a');
    clock.now += 60_001;
    t.failed('ann', 'a');
    t.begin('ann', 'a');
  });

  it('stays bounded under many names, dropping the oldest first', () => {
    const { t } = throttle({ maxEntries: 10 });
    for (let i = 0; i < 3; i++) t.failed('first', 'a');
    lockedOut(() => t.begin('first', 'a'));
    for (let i = 0; i < 10; i++) t.failed(`n${i}`, 'a');
    t.begin('first', 'a');
    for (let i = 0; i < 2; i++) t.failed('n9', 'a');
    lockedOut(() => t.begin('n9', 'a'));
  });

  it('counts attempts under way: concurrent guesses cannot pass the maximum', () => {
    const { t } = throttle();
    t.begin('ann', 'a'); t.begin('ann', 'a'); t.begin('ann', 'a');
    lockedOut(() => t.begin('ann', 'a'));
    t.begin('ann', 'b');
    // One gives its slot back without an outcome, another succeeds: two slots are free again.
    t.abandoned('ann', 'a');
    t.succeeded('ann', 'a');
    t.begin('ann', 'a'); t.begin('ann', 'a');
    lockedOut(() => t.begin('ann', 'a'));
  });

  it('counts attempts under way on top of earlier failures', () => {
    const { t } = throttle();
    t.begin('ann', 'a'); t.failed('ann', 'a');
    t.begin('ann', 'a'); t.begin('ann', 'a');
    lockedOut(() => t.begin('ann', 'a'));
  });
});

// Waiting in tests: poll until a probe yields a value. The limit is a safety net so a broken
// precondition fails the test with a name instead of hanging the suite; it is set far above
// the time the thing takes, and is not what the test checks.
import { setTimeout as sleep } from 'node:timers/promises';

export async function until<T>(
  what: string,
  probe: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  { within = 60_000, every = 100 }: { within?: number; every?: number } = {},
): Promise<T> {
  const deadline = Date.now() + within;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${within} ms for ${what}`);
    await sleep(every);
  }
}

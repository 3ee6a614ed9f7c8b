// When a daily backup is due: "HH:MM" checked, the next run after a time, the run due at
// the manager's start after runs were missed (one, the latest), and wall-clock times kept
// across daylight saving changes (in zones that have them, set for the test).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CapstanError } from '../../../src/api/errors.js';
import { dueRun, formatDailyTime, nextDailyRun, parseDailyTime, previousDailyRun } from '../../../src/manager/backup/schedule-time.js';

/** Runs the tests of `fn` with the process in time zone `tz`. */
function inZone(tz: string, fn: () => void): void {
  describe(`in ${tz}`, () => {
    const was = process.env.TZ;
    before(() => { process.env.TZ = tz; });
    after(() => {
      if (was === undefined) delete process.env.TZ;
      else process.env.TZ = was;
    });
    fn();
  });
}

/** A local time, as the zone in force reads it: "2025-03-30 03:30". */
const local = (d: Date): string =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${formatDailyTime({ hour: d.getHours(), minute: d.getMinutes() })}`;

describe('the daily time', () => {
  it('takes HH:MM from 00:00 to 23:59', () => {
    assert.deepEqual(parseDailyTime('02:00'), { hour: 2, minute: 0 });
    assert.deepEqual(parseDailyTime('00:00'), { hour: 0, minute: 0 });
    assert.deepEqual(parseDailyTime('23:59'), { hour: 23, minute: 59 });
    assert.equal(formatDailyTime(parseDailyTime('07:05')), '07:05');
  });

  it('refuses anything else with CAP-E1032', () => {
    for (const bad of ['24:00', '2:00', '02:0', '02:60', '0200', '02-00', ' 02:00', '02:00 ', '', 'ab:cd', '02:00:00', '-1:00', '１２:００']) {
      assert.throws(() => parseDailyTime(bad), (e: CapstanError) => e.code === 'CAP-E1032', JSON.stringify(bad));
    }
  });
});

inZone('UTC', () => {
  const t = parseDailyTime('02:00');
  it('runs later today when the time is still to come, else tomorrow; never at the instant given', () => {
    assert.equal(nextDailyRun(t, new Date('2025-06-10T01:59:59.999Z')).toISOString(), '2025-06-10T02:00:00.000Z');
    assert.equal(nextDailyRun(t, new Date('2025-06-10T02:00:00.000Z')).toISOString(), '2025-06-11T02:00:00.000Z');
    assert.equal(nextDailyRun(t, new Date('2025-06-10T23:00:00.000Z')).toISOString(), '2025-06-11T02:00:00.000Z');
    // Across a month's and a year's end.
    assert.equal(nextDailyRun(t, new Date('2025-12-31T12:00:00.000Z')).toISOString(), '2026-01-01T02:00:00.000Z');
  });

  it('the previous run is the latest at or before now', () => {
    assert.equal(previousDailyRun(t, new Date('2025-06-10T02:00:00.000Z')).toISOString(), '2025-06-10T02:00:00.000Z');
    assert.equal(previousDailyRun(t, new Date('2025-06-10T01:59:00.000Z')).toISOString(), '2025-06-09T02:00:00.000Z');
  });

  it('is due once its time has come since the schedule was set (or last ran), not before', () => {
    const setAt = new Date('2025-06-10T01:00:00.000Z');
    assert.equal(dueRun(t, setAt, new Date('2025-06-10T01:59:59.000Z')), undefined);
    assert.equal(dueRun(t, setAt, new Date('2025-06-10T02:00:00.000Z'))?.toISOString(), '2025-06-10T02:00:00.000Z');
    // Set after today's time: nothing until tomorrow's.
    const late = new Date('2025-06-10T03:00:00.000Z');
    assert.equal(dueRun(t, late, new Date('2025-06-10T23:59:00.000Z')), undefined);
    assert.equal(dueRun(t, late, new Date('2025-06-11T02:00:30.000Z'))?.toISOString(), '2025-06-11T02:00:00.000Z');
    // The run just made is not due again.
    assert.equal(dueRun(t, new Date('2025-06-11T02:00:00.000Z'), new Date('2025-06-11T02:05:00.000Z')), undefined);
  });

  it('after a week down, one run is due, counted as the latest missed one: the next is due at the next time', () => {
    const lastRun = new Date('2025-06-01T02:00:00.000Z');
    const start = new Date('2025-06-08T09:30:00.000Z');
    const due = dueRun(t, lastRun, start);
    assert.equal(due?.toISOString(), '2025-06-08T02:00:00.000Z');
    assert.equal(dueRun(t, due!, start), undefined, 'not due again at once');
    assert.equal(nextDailyRun(t, due!).toISOString(), '2025-06-09T02:00:00.000Z');
  });
});

inZone('Europe/Berlin', () => {
  it('keeps the wall-clock time across the change to summer time (23 hours apart)', () => {
    const t = parseDailyTime('02:00');
    // 29 March 2025 02:00 CET; the next is 31 March 02:00 CEST: on 30 March 02:00 does not exist.
    const sat = nextDailyRun(t, new Date(2025, 2, 29, 1, 0));
    assert.equal(local(sat), '2025-03-29 02:00');
    const sun = nextDailyRun(t, sat);
    assert.equal(local(sun), '2025-03-30 03:00', 'the missing hour: that day\'s run comes an hour later');
    assert.equal(local(nextDailyRun(t, sun)), '2025-03-31 02:00');
    const t1 = parseDailyTime('01:00');
    const a = nextDailyRun(t1, new Date(2025, 2, 29, 12, 0));
    const b = nextDailyRun(t1, a);
    assert.equal(local(b), '2025-03-31 01:00');
    assert.equal((b.getTime() - a.getTime()) / 3_600_000, 23);
  });

  it('runs once on the day the clocks go back, though its time comes twice (25 hours apart)', () => {
    const t = parseDailyTime('02:30');
    const sat = nextDailyRun(t, new Date(2025, 9, 25, 1, 0));
    assert.equal(local(sat), '2025-10-25 02:30');
    const sun = nextDailyRun(t, sat);
    assert.equal(local(sun), '2025-10-26 02:30');
    assert.equal(sun.toISOString(), '2025-10-26T00:30:00.000Z', 'the first 02:30 (summer time)');
    // During the repeated hour, after the first 02:30 ran: the next is Monday's.
    const secondHalf = new Date('2025-10-26T01:45:00.000Z'); // 02:45 winter time
    assert.equal(local(nextDailyRun(t, secondHalf)), '2025-10-27 02:30');
    assert.equal(dueRun(t, sun, secondHalf), undefined, 'not due again in the repeated hour');
    const mon = nextDailyRun(t, sun);
    assert.equal((mon.getTime() - sun.getTime()) / 3_600_000, 25);
  });
});

inZone('America/New_York', () => {
  it('a time in the hour skipped in spring runs at the same offset later that day', () => {
    const t = parseDailyTime('02:30');
    const run = nextDailyRun(t, new Date(2025, 2, 9, 0, 0));
    assert.equal(local(run), '2025-03-09 03:30');
    assert.equal(local(nextDailyRun(t, run)), '2025-03-10 02:30');
  });
});

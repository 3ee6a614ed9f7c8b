// Scheduled backups: a daily backup at a local time, kept in the settings table with how many
// backups to keep. At that time the manager runs the same task as `capstan db backup`; once it
// has succeeded, the oldest backups beyond the number kept are deleted: only the manager's own
// backups (files in its backups directory named as it names them), never anything else there.
//
// A run that was due while the manager was down runs once when it starts (however many were
// missed). The loop wakes at the due time, or every minute at most, and compares the time with
// the clock (injectable: tests move it instead of waiting); a run in progress is never doubled.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BackupResult } from '../../api/backup.js';
import type { BackupScheduleView, ScheduledRun } from '../../api/operations.js';
import type { TaskView } from '../../api/tasks.js';
import type { Database } from '../db/schema.js';
import type { TaskEngine } from '../tasks/engine.js';
import { isEnded } from '../tasks/store.js';
import { dueRun, nextDailyRun, parseDailyTime } from './schedule-time.js';
import type { BackupService } from './service.js';

const SCHEDULE_KEY = 'backup.schedule';
const LAST_RUN_KEY = 'backup.schedule.lastRun';
/** The longest the loop sleeps: a clock set forward, or a suspended host, is noticed within it. */
const MAX_SLEEP_MS = 60_000;
/** The shortest: a run that cannot be recorded is tried again at this pace, not in a tight loop. */
const MIN_SLEEP_MS = 1_000;
/** Who the scheduled backup tasks are created by. */
export const SCHEDULER = 'backup schedule';

type Schedule = NonNullable<BackupScheduleView['schedule']>;

export class BackupScheduler {
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private armed = 0;
  private ticking: Promise<ScheduledRun | undefined> | undefined;
  /** Waits on a backup task, ended when the manager stops (the task then resumes at its next start). */
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly backup: BackupService,
    private readonly tasks: TaskEngine,
    private readonly log: Logger,
    /** The time now, in ms; tests set their own. */
    public clock: () => number = Date.now,
  ) {}

  async view(): Promise<BackupScheduleView> {
    const { schedule, lastRun } = await this.read();
    let nextRunAt: string | null = null;
    if (schedule) {
      const now = new Date(this.clock());
      const t = parseDailyTime(schedule.daily);
      const since = sinceOf(schedule, lastRun);
      nextRunAt = (dueRun(t, since, now) ? now : nextDailyRun(t, since)).toISOString();
    }
    return { schedule, nextRunAt, lastRun };
  }

  async set(daily: string, keep: number, by: string | null): Promise<BackupScheduleView> {
    parseDailyTime(daily);
    const schedule: Schedule = { daily, keep, setAt: new Date(this.clock()).toISOString(), setBy: by };
    await this.write(SCHEDULE_KEY, schedule);
    this.log.info({ daily, keep, by }, 'backup schedule set');
    this.arm();
    return this.view();
  }

  async remove(by: string | null): Promise<BackupScheduleView> {
    const gone = await this.db.deleteFrom('settings').where('key', '=', SCHEDULE_KEY).executeTakeFirst();
    if (Number(gone.numDeletedRows) > 0) this.log.info({ by }, 'backup schedule removed');
    this.arm();
    return this.view();
  }

  /**
   * Starts the loop; resolves with the run made at the start, if one was missed while the
   * manager was down (the manager does not wait for it).
   */
  start(): Promise<ScheduledRun | undefined> {
    this.started = true;
    const first = this.tick(true);
    first.catch(() => undefined).finally(() => this.arm());
    return first;
  }

  /** Stops the loop; a backup under way goes on as a task (and resumes at the next start if cut). */
  async stop(): Promise<void> {
    this.started = false;
    this.armed++;
    clearTimeout(this.timer);
    for (const w of [...this.waiters]) w();
    await this.ticking?.catch(() => undefined);
  }

  /** Runs the backup if one is due now (at most one at a time); resolves with the run, if any. */
  tick(atStart = false): Promise<ScheduledRun | undefined> {
    this.ticking ??= this.runIfDue(atStart)
      .catch((e: unknown) => {
        this.log.error({ err: e }, 'the backup schedule failed');
        return undefined;
      })
      .finally(() => {
        this.ticking = undefined;
      });
    return this.ticking;
  }

  private async runIfDue(atStart: boolean): Promise<ScheduledRun | undefined> {
    const { schedule, lastRun } = await this.read();
    // A run the last process left under way: its task resumed at this start; finish it.
    if (atStart && lastRun?.status === 'running' && lastRun.taskId) return this.finish(lastRun, schedule?.keep);
    if (!schedule) return undefined;
    const now = new Date(this.clock());
    const due = dueRun(parseDailyTime(schedule.daily), sinceOf(schedule, lastRun), now);
    if (!due) return undefined;
    let run: ScheduledRun = {
      scheduledFor: due.toISOString(), startedAt: now.toISOString(), reason: atStart ? 'missed' : 'scheduled',
      taskId: null, status: 'running', backup: null, deleted: [], error: null,
    };
    // Recorded before the task is: a crash in between skips this run rather than doubling it.
    await this.write(LAST_RUN_KEY, run);
    try {
      const task = await this.backup.start(SCHEDULER);
      run = { ...run, taskId: task.id };
      await this.write(LAST_RUN_KEY, run);
    } catch (e) {
      run = { ...run, status: 'failed', error: e instanceof Error ? e.message : String(e) };
      await this.write(LAST_RUN_KEY, run);
      this.log.error({ err: e, scheduledFor: run.scheduledFor }, 'the scheduled backup did not start');
      return run;
    }
    this.log.info({ taskId: run.taskId, scheduledFor: run.scheduledFor, reason: run.reason }, atStart
      ? 'scheduled backup started: its time passed while the manager was down'
      : 'scheduled backup started');
    return this.finish(run, schedule.keep);
  }

  /** Waits for the run's task; when it succeeded, applies the retention (with no schedule left: none). */
  private async finish(run: ScheduledRun, keep: number | undefined): Promise<ScheduledRun> {
    const task = await this.waitFor(run.taskId as string);
    if (!task) return run;
    if (task.status === 'succeeded') {
      const made = (task.result as BackupResult).name;
      const deleted = keep === undefined ? [] : await this.retain(keep, made);
      run = { ...run, status: 'succeeded', backup: made, deleted };
      this.log.info({ taskId: task.id, backup: made, deleted, keep }, 'scheduled backup done');
    } else {
      run = { ...run, status: 'failed', error: task.error?.message ?? `the task ended ${task.status}` };
      this.log.error({ taskId: task.id, error: task.error }, 'the scheduled backup failed');
    }
    await this.write(LAST_RUN_KEY, run);
    return run;
  }

  /** Deletes the oldest of the manager's backups beyond `keep`; the one just made stays. */
  private async retain(keep: number, made: string): Promise<string[]> {
    const older = (await this.backup.list()).filter((b) => b.name !== made);
    const deleted: string[] = [];
    for (const b of older.slice(Math.max(keep - 1, 0))) {
      try {
        await rm(join(this.backup.dir, b.name));
        deleted.push(b.name);
      } catch (e) {
        this.log.error({ err: e, backup: b.name }, 'an old backup could not be deleted');
      }
    }
    return deleted;
  }

  private waitFor(taskId: string): Promise<TaskView | undefined> {
    return new Promise((resolve, reject) => {
      let unsubscribe = (): void => undefined;
      const done = (v: TaskView | undefined): void => {
        unsubscribe();
        this.waiters.delete(stopped);
        resolve(v);
      };
      const stopped = (): void => done(undefined);
      this.waiters.add(stopped);
      unsubscribe = this.tasks.subscribe(taskId, (e) => {
        if (e.type === 'end') done(e.task);
      });
      // Subscribed first, so an end between this read and the subscription is not missed.
      this.tasks.get(taskId).then((v) => {
        if (isEnded(v.status)) done(v);
      }, (e: unknown) => {
        unsubscribe();
        this.waiters.delete(stopped);
        reject(e);
      });
    });
  }

  /** Sleeps until the next run is due (a minute at most), then ticks, and so on. */
  private arm(): void {
    const generation = ++this.armed;
    clearTimeout(this.timer);
    if (!this.started) return;
    void this.read().then(({ schedule, lastRun }) => {
      if (generation !== this.armed || !schedule) return;
      const next = nextDailyRun(parseDailyTime(schedule.daily), sinceOf(schedule, lastRun));
      const ms = Math.min(Math.max(next.getTime() - this.clock(), MIN_SLEEP_MS), MAX_SLEEP_MS);
      this.log.debug({ nextRunAt: next.toISOString(), wakeInMs: ms }, 'backup schedule waiting');
      this.timer = setTimeout(() => void this.tick().finally(() => this.arm()), ms);
      this.timer.unref();
    }, (e: unknown) => this.log.error({ err: e }, 'the backup schedule could not be read'));
  }

  private async read(): Promise<{ schedule: Schedule | null; lastRun: ScheduledRun | null }> {
    const rows = await this.db.selectFrom('settings').select(['key', 'value']).where('key', 'in', [SCHEDULE_KEY, LAST_RUN_KEY]).execute();
    const value = <T>(key: string): T | null => {
      const row = rows.find((r) => r.key === key);
      return row ? (JSON.parse(row.value) as T) : null;
    };
    return { schedule: value<Schedule>(SCHEDULE_KEY), lastRun: value<ScheduledRun>(LAST_RUN_KEY) };
  }

  private async write(key: string, v: unknown): Promise<void> {
    const value = JSON.stringify(v);
    await this.db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  }
}

/** Runs are due after this: the schedule's setting, or the last run's due time, whichever is later. */
function sinceOf(schedule: Schedule, lastRun: ScheduledRun | null): Date {
  const set = Date.parse(schedule.setAt);
  const last = lastRun ? Date.parse(lastRun.scheduledFor) : -Infinity;
  return new Date(Math.max(set, last));
}

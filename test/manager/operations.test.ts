// Operating the manager, in-process on a real database and task engine: its log levels changed
// while it runs (a component's debug lines appear once raised, a request's logger follows its
// component, unknown levels and components are refused with their codes, the levels survive a
// restart), and scheduled backups with an injected clock: the backup runs when its time comes,
// only once, the oldest of the manager's backups beyond --keep go (never another file), and a
// run missed while the manager was down runs once at its start.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { BackupScheduleView, LogLevelsView } from '../../src/api/operations.js';
import type { TaskView } from '../../src/api/tasks.js';
import { LogLevels } from '../../src/manager/logging/levels.js';
import { startTestManager, type TestManager } from '../helpers/manager.js';
import { caller, refused, type Caller } from './users-fixtures.js';

interface Line {
  level: number;
  msg: string;
  component?: string;
  [k: string]: unknown;
}

/** A pino logger at `level` whose lines are kept, parsed. */
function memoryLogger(level: string): { log: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  return { log: pino({ level }, stream), lines };
}

/** Lets pino's stream deliver what was written. */
const flushed = () => new Promise((r) => setImmediate(r));

describe('log levels while the manager runs', () => {
  let m: TestManager;
  let call: ReturnType<typeof caller>;
  let admin: Caller;
  let user: Caller;
  const { log, lines } = memoryLogger('info');

  before(async () => {
    m = await startTestManager({ log });
    call = caller(m);
    admin = { headers: (await m.userWithRoles(['WPARAdministrator'])).headers };
    user = { headers: (await m.userWithRoles(['WPARUser'])).headers };
  });
  after(async () => { await m?.close(); });

  const backupTask = async (): Promise<void> => {
    const res = await call('POST', '/backups', admin);
    assert.equal(res.statusCode, 202, res.body);
    await m.services.tasks.wait((res.json() as TaskView).id);
    await flushed();
  };
  const debugOf = (component: string) => lines.filter((l) => l.level === 20 && l.component === component);

  it('shows the level the manager started with, and no component of its own', async () => {
    const res = await call('GET', '/logging', admin);
    assert.equal(res.statusCode, 200, res.body);
    const v = res.json() as LogLevelsView;
    assert.deepEqual([v.level, v.configuredLevel, v.setAtRunTime, v.components], ['info', 'info', false, []]);
    assert.ok(v.knownComponents.includes('tasks') && v.knownComponents.includes('http'));
  });

  it('a component raised to debug logs its debug lines from then on; the others stay at info', async () => {
    await backupTask();
    assert.equal(debugOf('tasks').length, 0, 'nothing at debug before');
    const res = await call('PUT', '/logging/components/tasks', admin, { level: 'debug' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((res.json() as LogLevelsView).components, [{ name: 'tasks', level: 'debug' }]);
    await backupTask();
    assert.deepEqual(debugOf('tasks').map((l) => l.msg), ['task queued', 'task running', 'task ended']);
    assert.equal(lines.filter((l) => l.level < 30 && l.component !== 'tasks').length, 0);
    assert.ok(lines.some((l) => l.level === 40 && l.msg === 'log levels changed'), 'the change itself is logged, at warn');
  });

  it('lwilog -removeLogger: the component is back at the manager\'s level', async () => {
    const res = await call('DELETE', '/logging/components/tasks', admin);
    assert.deepEqual((res.json() as LogLevelsView).components, []);
    const before = debugOf('tasks').length;
    await backupTask();
    assert.equal(debugOf('tasks').length, before);
  });

  it('the manager\'s level applies to every component without one of its own; a request\'s logger follows its component', async () => {
    // A component logger made now, and a child of it as Fastify makes one per request.
    const http = log.child({ component: 'http' });
    const request = http.child({ reqId: 'req-1' });
    assert.equal(request.isLevelEnabled('debug'), false);
    const v = (await call('PUT', '/logging/level', admin, { level: 'debug' })).json() as LogLevelsView;
    assert.deepEqual([v.level, v.setAtRunTime], ['debug', true]);
    assert.equal(request.isLevelEnabled('debug'), true);
    assert.equal(request.isLevelEnabled('trace'), false);
    const traced = (await call('PUT', '/logging/components/http', admin, { level: 'trace' })).json() as LogLevelsView;
    assert.deepEqual(traced.components, [{ name: 'http', level: 'trace' }]);
    assert.equal(request.isLevelEnabled('trace'), true, 'lwilog -addLogger: trace for the component');
    assert.equal(m.services.tasks.log.isLevelEnabled('trace'), false, 'not for the others');
    const before = debugOf('tasks').length;
    await backupTask();
    assert.equal(debugOf('tasks').length, before + 3);
  });

  it('refuses an unknown level (CAP-E1030) or component (CAP-E1031), and callers without administration', async () => {
    refused(await call('PUT', '/logging/level', admin, { level: 'verbose' }), 400, 'CAP-E1030');
    refused(await call('PUT', '/logging/components/http', admin, { level: 'loud' }), 400, 'CAP-E1030');
    refused(await call('PUT', '/logging/components/nosuch', admin, { level: 'debug' }), 400, 'CAP-E1031');
    refused(await call('DELETE', '/logging/components/nosuch', admin), 400, 'CAP-E1031');
    refused(await call('PUT', '/logging/level', user, { level: 'debug' }), 403, 'CAP-E0102');
    refused(await call('GET', '/logging', user), 403, 'CAP-E0102');
  });

  it('keeps the levels in the database: a manager started again on it logs at them', async () => {
    const next = memoryLogger('info');
    const again = new LogLevels(m.services.db, next.log);
    const tasks = next.log.child({ component: 'tasks' });
    const http = next.log.child({ component: 'http' });
    await again.load();
    assert.deepEqual([again.view().level, again.view().components], ['debug', [{ name: 'http', level: 'trace' }]]);
    assert.equal(tasks.isLevelEnabled('debug'), true);
    assert.equal(http.isLevelEnabled('trace'), true);
    await flushed();
    assert.ok(next.lines.some((l) => /as set while the manager ran/.test(l.msg)), 'the start says so');
  });

  it('reset: back to the level the manager was started with, and nothing kept', async () => {
    const v = (await call('DELETE', '/logging', admin)).json() as LogLevelsView;
    assert.deepEqual([v.level, v.setAtRunTime, v.components], ['info', false, []]);
    assert.equal(m.services.tasks.log.isLevelEnabled('debug'), false);
    const row = await m.services.db.selectFrom('settings').select('key').where('key', '=', 'logging.levels').executeTakeFirst();
    assert.equal(row, undefined);
  });
});

describe('scheduled backups and their retention (the clock injected)', () => {
  let m: TestManager;
  let call: ReturnType<typeof caller>;
  let admin: Caller;
  let now = 0;
  const at = (y: number, mo: number, d: number, h: number, mi: number, s = 0) => (now = new Date(y, mo - 1, d, h, mi, s).getTime());
  const dir = () => m.services.backup.dir;
  const backups = () => readdirSync(dir()).filter((f) => /^capstan-sqlite-\d{8}T\d{9}Z-[0-9a-f]{8}\.tar$/.test(f)).sort();

  before(async () => {
    m = await startTestManager();
    call = caller(m);
    admin = { headers: (await m.userWithRoles(['WPARAdministrator'])).headers };
    m.services.backupSchedule.clock = () => now;
    // Files in the backups directory that are not the manager's backups: retention never touches them.
    mkdirSync(dir(), { recursive: true });
    writeFileSync(join(dir(), 'notes.txt'), 'keep me');
    writeFileSync(join(dir(), 'capstan-sqlite-before-upgrade.tar'), 'a copy of my own');
  });
  after(async () => {
    await m?.services.backupSchedule.stop();
    await m?.close();
  });

  const manualBackup = async (): Promise<string> => {
    const res = await call('POST', '/backups', admin);
    const task = await m.services.tasks.wait((res.json() as TaskView).id);
    assert.equal(task.status, 'succeeded');
    return (task.result as { name: string }).name;
  };

  it('shows no schedule at first; refuses a time that is not HH:MM (CAP-E1032) and a keep below 1', async () => {
    const v = (await call('GET', '/backups/schedule', admin)).json() as BackupScheduleView;
    assert.deepEqual(v, { schedule: null, nextRunAt: null, lastRun: null });
    refused(await call('PUT', '/backups/schedule', admin, { daily: '24:00', keep: 3 }), 400, 'CAP-E1032');
    refused(await call('PUT', '/backups/schedule', admin, { daily: '2:00', keep: 3 }), 400, 'CAP-E1032');
    refused(await call('PUT', '/backups/schedule', admin, { daily: '02:00', keep: 0 }), 400, 'CAP-E0001');
  });

  it('runs the backup task at its time, once; keeps the newest N of the manager\'s backups and nothing else goes', async () => {
    const manual = [await manualBackup(), await manualBackup()];
    at(2030, 1, 10, 1, 0);
    const set = await call('PUT', '/backups/schedule', admin, { daily: '02:00', keep: 3 });
    assert.equal(set.statusCode, 200, set.body);
    const v = set.json() as BackupScheduleView;
    assert.equal(v.schedule?.daily, '02:00');
    assert.equal(new Date(v.nextRunAt!).getTime(), new Date(2030, 0, 10, 2, 0).getTime());

    at(2030, 1, 10, 1, 59, 59);
    assert.equal(await m.services.backupSchedule.tick(), undefined, 'not yet');

    at(2030, 1, 10, 2, 0, 5);
    const first = await m.services.backupSchedule.tick();
    assert.equal(first?.status, 'succeeded', JSON.stringify(first));
    assert.equal(first?.reason, 'scheduled');
    assert.deepEqual(first?.deleted, [], 'three backups: none beyond keep');
    assert.equal(backups().length, 3);
    const task = await m.services.tasks.get(first!.taskId!);
    assert.deepEqual([task.kind, task.createdBy], ['db.backup', 'backup schedule']);
    assert.equal(await m.services.backupSchedule.tick(), undefined, 'not twice');

    at(2030, 1, 11, 2, 0, 30);
    const second = await m.services.backupSchedule.tick();
    assert.deepEqual(second?.deleted, [manual[0]], 'the oldest goes');
    at(2030, 1, 12, 2, 1);
    const third = await m.services.backupSchedule.tick();
    assert.deepEqual(third?.deleted, [manual[1]]);
    assert.deepEqual(backups(), [first!.backup, second!.backup, third!.backup].sort());
    assert.ok(existsSync(join(dir(), 'notes.txt')) && existsSync(join(dir(), 'capstan-sqlite-before-upgrade.tar')), 'other files stay');

    const shown = (await call('GET', '/backups/schedule', admin)).json() as BackupScheduleView;
    assert.deepEqual([shown.lastRun?.status, shown.lastRun?.backup, shown.lastRun?.deleted], ['succeeded', third!.backup, [manual[1]]]);
    assert.equal(new Date(shown.nextRunAt!).getTime(), new Date(2030, 0, 13, 2, 0).getTime());
  });

  it('a smaller keep applies at the next scheduled backup: the one just made stays', async () => {
    at(2030, 1, 12, 9, 0);
    await call('PUT', '/backups/schedule', admin, { daily: '02:00', keep: 1 });
    assert.equal(backups().length, 3, 'nothing deleted when the schedule changes');
    at(2030, 1, 13, 2, 0);
    const run = await m.services.backupSchedule.tick();
    assert.equal(run?.deleted.length, 3);
    assert.deepEqual(backups(), [run!.backup]);
  });

  it('a run missed while the manager was down runs once at its start, and the next at its time', async () => {
    // Down from the 13th, 03:00 to the 16th, 10:00: three runs missed.
    at(2030, 1, 16, 10, 0);
    const run = await m.services.backupSchedule.start();
    assert.equal(run?.reason, 'missed');
    assert.equal(new Date(run!.scheduledFor).getTime(), new Date(2030, 0, 16, 2, 0).getTime(), 'counted as the latest missed');
    assert.equal(run?.status, 'succeeded');
    assert.equal(await m.services.backupSchedule.tick(), undefined, 'one run, not three');
    await m.services.backupSchedule.stop();
    const shown = (await call('GET', '/backups/schedule', admin)).json() as BackupScheduleView;
    assert.equal(new Date(shown.nextRunAt!).getTime(), new Date(2030, 0, 17, 2, 0).getTime());
    // Started again the same day: nothing is due.
    at(2030, 1, 16, 11, 0);
    assert.equal(await m.services.backupSchedule.start(), undefined);
    await m.services.backupSchedule.stop();
  });

  it('--off: no more runs; the backups made stay', async () => {
    const before = backups();
    const v = (await call('DELETE', '/backups/schedule', admin)).json() as BackupScheduleView;
    assert.deepEqual([v.schedule, v.nextRunAt], [null, null]);
    at(2030, 1, 20, 2, 0);
    assert.equal(await m.services.backupSchedule.tick(), undefined);
    assert.deepEqual(backups(), before);
  });
});

// A manager process killed in the middle of its tasks (SIGKILL: no chance to clean up)
// and started again: the interrupted backup is resumed and completes, with a whole backup
// file and no partial files left; a task whose kind must not be resumed ends failed with
// CAP-E0401 and the reason, and its kind's repair (onFailed) runs.
import { after, before, describe, it } from 'node:test';
import { until } from '../helpers/until.js';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import SQLite from 'better-sqlite3';
import type { BackupResult } from '../../src/api/backup.js';
import type { TaskView } from '../../src/api/tasks.js';
import { SessionService } from '../../src/manager/auth/sessions.js';
import { openDatabase } from '../../src/manager/db/index.js';
import { restoreBackup } from '../../src/manager/backup/restore.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'crash-manager.ts');
/** Rows of 1 MiB in small (1 KiB) pages: a quarter of a million pages to copy. */
const FILLER_ROWS = 192;
/** One page per event-loop turn: the backup takes seconds, the manager stays responsive. */
const PAGES_PER_STEP = 1;

interface Manager {
  child: ChildProcess;
  address: string;
  holdTaskId: string | null;
}

describe('manager crash and restart', () => {
  let dataDir: string;
  let headers: { authorization: string };
  let manager: Manager | undefined;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'capstan-crash-'));
    const file = join(dataDir, 'capstan.db');
    // Small pages, set before the first table exists, make many steps for the backup.
    const raw = new SQLite(file);
    raw.pragma('page_size = 1024');
    raw.close();
    const h = await openDatabase(file);
    const sqlite = h.sqlite as SQLite.Database;
    const insert = sqlite.prepare('insert into settings (key, value) values (?, ?)');
    const filler = JSON.stringify('x'.repeat(1 << 20));
    sqlite.transaction(() => {
      for (let i = 0; i < FILLER_ROWS; i++) insert.run(`test.filler.${i}`, filler);
    })();
    const userId = randomUUID();
    const t = new Date().toISOString();
    await h.db.insertInto('users').values({ id: userId, name: 'admin', full_name: '', password_hash: 'unused', disabled: 0, created_at: t }).execute();
    await h.db.insertInto('role_mappings').values({ role: 'WPARAdministrator', principal_type: 'user', principal: 'admin', created_at: t }).execute();
    const { token } = await new SessionService(h.db).createToken(userId, 'crash-test');
    headers = { authorization: `Bearer ${token}` };
    await h.close();
  });
  after(async () => {
    if (manager?.child.exitCode === null) {
      manager.child.kill('SIGKILL');
      await once(manager.child, 'exit');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes an interrupted backup to completion and fails a task that must not resume', async () => {
    manager = await startManager(dataDir, ['--hold']);
    const holdId = manager.holdTaskId as string;
    const res = await fetch(`${manager.address}/api/v1/backups`, { method: 'POST', headers });
    assert.equal(res.status, 202);
    const backupId = ((await res.json()) as TaskView).id;

    // Mid-task: the backup has copied part of the database, the held task is in its operation.
    const mid = await pollTask(manager, backupId, (v) => v.status === 'running' && v.progress > 0 && v.progress < 1);
    await pollTask(manager, holdId, (v) => v.operations.some((o) => o.status === 'running'));
    manager.child.kill('SIGKILL');
    await once(manager.child, 'exit');
    assert.ok(mid.progress < 1);

    // What the dead manager left: both tasks running in the database, scratch files, no backup.
    const backupsDir = join(dataDir, 'backups');
    const left = readdirSync(backupsDir);
    assert.ok(left.length > 0 && left.every((f) => f.startsWith(`.capstan-${backupId}.`)), `scratch files only: ${left.join(', ')}`);
    const h = await openDatabase(join(dataDir, 'capstan.db'));
    try {
      const rows = await h.db.selectFrom('tasks').select(['id', 'status']).where('id', 'in', [backupId, holdId]).execute();
      assert.deepEqual(rows.map((r) => r.status), ['running', 'running']);
    } finally {
      await h.close();
    }

    manager = await startManager(dataDir, []);
    const backup = await pollTask(manager, backupId, (v) => v.status !== 'queued' && v.status !== 'running');
    assert.equal(backup.status, 'succeeded', JSON.stringify(backup.error));
    assert.equal(backup.attempts, 2);
    assert.equal(backup.progress, 1);
    const interrupted = backup.operations.filter((o) => o.error?.code === 'CAP-E0401');
    assert.equal(interrupted.length, 1, 'the copy that was running when the manager died');
    assert.match(interrupted[0]?.name ?? '', /copy the database/);
    assert.ok(backup.operations.some((o) => o.name === 'recovery' && /resumed after manager restart/.test(o.output)));
    assert.ok(backup.operations.some((o) => o.name === 'prepare' && /removed \.capstan-/.test(o.output)), 'the resumed run removed the scratch files');

    const result = backup.result as BackupResult;
    assert.deepEqual(readdirSync(backupsDir), [result.name], 'one complete backup, no partial files');
    // Complete: it restores into a database that holds every row and passes SQLite's integrity check.
    const restored = join(dataDir, 'restored', 'capstan.db');
    await restoreBackup(result.path, restored);
    const check = new SQLite(restored, { readonly: true });
    try {
      assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
      assert.equal((check.prepare("select count(*) as n from settings where key like 'test.filler.%'").get() as { n: number }).n, FILLER_ROWS);
    } finally {
      check.close();
    }

    const hold = await getTask(manager, holdId);
    assert.equal(hold.status, 'failed');
    assert.equal(hold.error?.code, 'CAP-E0401');
    assert.match(hold.error?.message ?? '', /the test\.hold task was running \(attempt 1\) when the manager stopped and is not safe to run again/);
    assert.equal(hold.operations[0]?.status, 'failed');

    // onFailed ran in the restarted manager; stop it to read its database.
    await stopManager(manager);
    const after = await openDatabase(join(dataDir, 'capstan.db'));
    try {
      const trace = await after.db.selectFrom('settings').select('value').where('key', '=', `test.onFailed.${holdId}`).executeTakeFirst();
      assert.equal((JSON.parse(trace?.value ?? 'null') as { code: string } | null)?.code, 'CAP-E0401');
    } finally {
      await after.close();
    }
  });

  async function getTask(m: Manager, id: string): Promise<TaskView> {
    const res = await fetch(`${m.address}/api/v1/tasks/${id}`, { headers });
    assert.equal(res.status, 200);
    return (await res.json()) as TaskView;
  }

  function pollTask(m: Manager, id: string, wanted: (v: TaskView) => boolean): Promise<TaskView> {
    return until(`task ${id}`, async () => {
      const v = await getTask(m, id);
      return wanted(v) && v;
    }, { every: 10 });
  }
});

async function startManager(dataDir: string, extra: string[]): Promise<Manager> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir, String(PAGES_PER_STEP), ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the manager exited with ${String(code)} before listening`);
  });
  const firstLine = once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line').then(([line]) => String(line));
  // An exit after this line (the test kills it) is expected: race has handled the rejection.
  const line = await Promise.race([firstLine, exited]);
  const { address, holdTaskId } = JSON.parse(line) as { address: string; holdTaskId: string | null };
  return { child, address, holdTaskId };
}

async function stopManager(m: Manager): Promise<void> {
  const exited = once(m.child, 'exit');
  m.child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);
}

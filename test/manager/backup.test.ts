// Backup and restore of the manager's database, on both kinds: an online backup through
// the API, then changes, then an offline restore brings the backed-up data back, completely.
// Files that are not Capstan backups, or are for the other kind or a newer schema, are
// refused with their codes and change nothing. The manager records which database it runs
// with, for an offline restore that is not told.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import type { CapstanError } from '../../src/api/errors.js';
import type { BackupResult } from '../../src/api/backup.js';
import type { TaskView } from '../../src/api/tasks.js';
import { openDatabase, type DbHandle } from '../../src/manager/db/index.js';
import type { DbKind } from '../../src/manager/db/kind.js';
import { writeArchive } from '../../src/manager/backup/archive.js';
import { restoreBackup } from '../../src/manager/backup/restore.js';
import { DATABASE_RECORD, recordDatabase, recordedDatabase, shownDatabase } from '../../src/manager/config.js';
import { startTestManager, type TestManager } from '../helpers/manager.js';
import { DB_KINDS, skipUnlessAvailable } from './fixtures/test-db.js';

// What `capstan db restore` replaces when not told: the database the manager recorded at its start.
describe('the database record of a data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-record-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names a SQLite file in the data directory relative to it, so the record moves with the directory', () => {
    const data = join(dir, 'a');
    mkdirSync(data);
    assert.equal(recordedDatabase(data), undefined, 'nothing recorded yet');
    recordDatabase(data, join(data, 'capstan.db'));
    renameSync(data, join(dir, 'moved'));
    assert.equal(recordedDatabase(join(dir, 'moved'))?.location, join(dir, 'moved', 'capstan.db'));
    recordDatabase(join(dir, 'moved'), join(dir, 'elsewhere.db'));
    assert.equal(recordedDatabase(join(dir, 'moved'))?.location, join(dir, 'elsewhere.db'));
  });

  it('keeps a URL whole, readable by its owner alone, and shows it without its password', () => {
    const url = 'postgres://capstan:s3cret@db.example:5432/capstan?sslmode=require';
    recordDatabase(dir, url);
    assert.equal(recordedDatabase(dir)?.location, url);
    assert.equal(statSync(join(dir, DATABASE_RECORD)).mode & 0o777, 0o600);
    assert.equal(shownDatabase(url), 'postgres://capstan:***@db.example:5432/capstan?sslmode=require');
    assert.equal(shownDatabase('postgres://db.example/capstan?user=capstan&password=s3cret'), 'postgres://db.example/capstan?user=capstan&password=***');
    assert.equal(shownDatabase(join(dir, 'capstan.db')), join(dir, 'capstan.db'));
  });

  it('refuses a record that does not name a database, with CAP-E0001', () => {
    for (const text of ['not json', '{}', '{"db": 5}', 'null']) {
      writeFileSync(join(dir, DATABASE_RECORD), text);
      assert.throws(() => recordedDatabase(dir), (e: CapstanError) => e.code === 'CAP-E0001' && /--db/.test(e.message), text);
    }
  });
});

for (const kind of DB_KINDS) {
  describe(`backup and restore (${kind})`, { skip: skipUnlessAvailable(kind) }, () => {
    let m: TestManager;
    let location: string;
    let schema: string | undefined;
    let backup: BackupResult;
    let reopened: DbHandle | undefined;

    before(async () => {
      m = await startTestManager({ kind });
      location = m.services.dbHandle.location;
      schema = m.services.dbHandle.schema;
    });
    after(async () => {
      await reopened?.close();
      if (schema) {
        const client = new pg.Client(location);
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      }
      rmSync(m.dataDir, { recursive: true, force: true });
    });

    it('backs up online through the API, as a task, into the backups directory', async () => {
      const admin = (await m.userWithRoles(['WPARAdministrator'])).headers;
      const monitor = (await m.userWithRoles(['WPARMonitor'])).headers;
      await addDomain(m.services.db, 'before-backup');
      // A scratch file an interrupted backup left behind.
      const dir = join(m.dataDir, 'backups');
      m.services.backup.pagesPerStep = 5; // several steps even for a small database
      await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
      writeFileSync(join(dir, '.capstan-dead-task.tar.partial'), 'half a backup');

      assert.equal((await m.app.inject({ method: 'POST', url: '/api/v1/backups', headers: monitor })).statusCode, 403);
      const res = await m.app.inject({ method: 'POST', url: '/api/v1/backups', headers: admin });
      assert.equal(res.statusCode, 202);
      const task = res.json() as TaskView;
      assert.equal(task.kind, 'db.backup');
      const done = await m.services.tasks.wait(task.id);
      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      assert.equal(done.progress, 1);
      backup = done.result as BackupResult;
      assert.equal(backup.dbKind, kind);
      assert.match(backup.name, new RegExp(`^capstan-${kind}-\\d{8}T\\d{9}Z-[0-9a-f]{8}\\.tar$`));
      assert.equal(backup.schemaVersion, (await sql<{ name: string }>`select max(name) as name from kysely_migration`.execute(m.services.db)).rows[0]?.name);
      assert.ok(existsSync(backup.path));
      assert.deepEqual(readdirSync(dir), [backup.name], 'no scratch files remain');
      assert.match(done.operations[0]?.output ?? '', /removed \.capstan-dead-task\.tar\.partial/);

      const list = await m.app.inject({ method: 'GET', url: '/api/v1/backups', headers: admin });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json().items.map((b: { name: string; dbKind: string; sizeBytes: number }) => [b.name, b.dbKind, b.sizeBytes]),
        [[backup.name, kind, backup.sizeBytes]]);
    });

    it('cancels a running backup: it stops copying and leaves no files', { skip: kind !== 'sqlite' && 'pg_dump of a small database ends before a cancel can reach it' }, async () => {
      // Enough pages that the copy, one page per step, is still going when the cancel lands.
      await m.services.db.insertInto('settings').values({ key: 'test.filler', value: JSON.stringify('x'.repeat(4 << 20)) }).execute();
      m.services.backup.pagesPerStep = 1;
      const task = await m.services.backup.start('tester');
      const cancelling = new Promise<void>((resolve, reject) => {
        const unsubscribe = m.services.tasks.subscribe(task.id, (e) => {
          if (e.type !== 'progress') return;
          unsubscribe();
          m.services.tasks.cancel(task.id, 'tester').then(() => resolve(), reject);
        });
      });
      await cancelling;
      const done = await m.services.tasks.wait(task.id);
      assert.equal(done.status, 'cancelled');
      assert.equal(done.error?.code, 'CAP-E0403');
      assert.ok(done.progress < 1);
      assert.deepEqual(readdirSync(join(m.dataDir, 'backups')), [backup.name], 'only the earlier backup');
      await m.services.db.deleteFrom('settings').where('key', '=', 'test.filler').execute();
    });

    it('after changes and a stop, refuses files that are not a backup for this database, changing nothing', async () => {
      await m.services.db.deleteFrom('relocation_domains').where('name', '=', 'before-backup').execute();
      await addDomain(m.services.db, 'after-backup');
      await sql`create table zz_after_backup (x integer)`.execute(m.services.db);
      // Offline from here: the manager is stopped.
      await m.services.tasks.shutdown();
      await m.app.close();
      await m.services.dbHandle.close();
      const before = await fingerprint(kind, location, schema);

      const notBackup = join(m.dataDir, 'notes.txt');
      writeFileSync(notBackup, 'not a backup at all\n'.repeat(100));
      await refused(restoreBackup(notBackup, location), 'CAP-E0500');
      if (kind === 'sqlite') await refused(restoreBackup(location, location), 'CAP-E0500'); // the live database itself is no backup
      const otherKind: DbKind = kind === 'sqlite' ? 'postgres' : 'sqlite';
      await refused(restoreBackup(await fakeBackup(m.dataDir, { dbKind: otherKind, schema: 'public' }), location), 'CAP-E0501');
      await refused(restoreBackup(await fakeBackup(m.dataDir, { dbKind: kind, schemaVersion: '9999_from_the_future', schema: 'public' }), location), 'CAP-E0503');
      await refused(restoreBackup(join(m.dataDir, 'missing.tar'), location), 'CAP-E0505');
      // A backup file cut short (copied while being written elsewhere, say).
      const truncated = join(m.dataDir, 'truncated.tar');
      writeFileSync(truncated, readFileSync(backup.path).subarray(0, 4096));
      await refused(restoreBackup(truncated, location), 'CAP-E0500');

      assert.deepEqual(await fingerprint(kind, location, schema), before);
    });

    it('restores: the database is replaced completely by the backed-up one', async () => {
      const manifest = await restoreBackup(backup.path, location);
      assert.equal(manifest.dbKind, kind);
      assert.equal(manifest.schemaVersion, backup.schemaVersion);
      if (kind === 'sqlite') {
        assert.ok(!existsSync(location + '-wal') || readFileSync(location + '-wal').length === 0);
        assert.deepEqual(readdirSync(m.dataDir).filter((f) => f.endsWith('.partial')), []);
      }
      reopened = await openDatabase(location, { schema });
      const names = (await reopened.db.selectFrom('relocation_domains').select('name').orderBy('name').execute()).map((r) => r.name);
      assert.deepEqual(names, ['before-backup', 'default']);
      const tables = kind === 'sqlite'
        ? await sql<{ name: string }>`select name from sqlite_master where name = 'zz_after_backup'`.execute(reopened.db)
        : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = ${schema} and table_name = 'zz_after_backup'`.execute(reopened.db);
      assert.deepEqual(tables.rows, [], 'what was created after the backup is gone');
      // The restored database works: users and tokens of the backup are there again.
      assert.ok((await reopened.db.selectFrom('users').select('id').execute()).length >= 2);
    });
  });
}

async function addDomain(db: TestManager['services']['db'], name: string): Promise<void> {
  await db.insertInto('relocation_domains').values({ id: crypto.randomUUID(), name, description: '', created_at: new Date().toISOString() }).execute();
}

async function refused(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: CapstanError) => {
    assert.equal(e.code, code, e.message);
    return true;
  });
}

/** A well-formed Capstan backup archive with the given manifest fields (and a dummy database). */
async function fakeBackup(dir: string, fields: { dbKind: DbKind; schemaVersion?: string; schema?: string }): Promise<string> {
  const db = join(dir, 'fake-db');
  writeFileSync(db, 'fake database');
  const file = join(dir, `fake-${fields.dbKind}-${fields.schemaVersion ?? 'current'}.tar`);
  const manifest = {
    format: 'capstan-backup',
    formatVersion: 1,
    schemaVersion: '0001_foundation',
    createdAt: new Date().toISOString(),
    taskId: 'fake',
    database: 'database.bin',
    ...fields,
  };
  await writeArchive(file, { name: 'manifest.json', content: Buffer.from(JSON.stringify(manifest)) }, { name: 'database.bin', source: db });
  return file;
}

/** What the database holds: the file's bytes (SQLite) or its domain names and table list (PostgreSQL). */
async function fingerprint(kind: DbKind, location: string, schema: string | undefined): Promise<string> {
  if (kind === 'sqlite') {
    const h = createHash('sha256').update(readFileSync(location));
    if (existsSync(location + '-wal')) h.update(readFileSync(location + '-wal'));
    return h.digest('hex');
  }
  const client = new pg.Client(location);
  await client.connect();
  try {
    const domains = await client.query(`select name from "${schema}".relocation_domains order by name`);
    const tables = await client.query('select table_name from information_schema.tables where table_schema = $1 order by table_name', [schema]);
    return JSON.stringify([domains.rows, tables.rows]);
  } finally {
    await client.end();
  }
}

// The data layer: the same suite against SQLite and PostgreSQL. Migrations are idempotent,
// the defaults exist, every table round-trips its rows (JSON documents stored as text
// included), unique constraints and foreign keys hold, and transactions roll back whole.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Migrator, sql, type Kysely } from 'kysely';
import type { DbHandle } from '../../src/manager/db/index.js';
import { DEFAULTS, migrationProvider } from '../../src/manager/db/migrations.js';
import type { Database } from '../../src/manager/db/schema.js';
import { DB_KINDS, skipUnlessAvailable, testDb, type TestDb } from './fixtures/test-db.js';

const now = () => new Date().toISOString();
const id = () => randomUUID();

/** A document with what JSON text columns must keep: nesting, unicode, numbers, nulls, booleans. */
const doc = (tag: string) => ({ tag, nested: { list: [1, 2.5, -3], none: null, yes: true }, text: 'Größe – 東京 "quoted" \\ back' });

for (const kind of DB_KINDS) {
  describe(`data layer (${kind})`, { skip: skipUnlessAvailable(kind) }, () => {
    let t: TestDb;
    let h: DbHandle;
    let db: Kysely<Database>;

    before(async () => {
      t = testDb(kind);
      h = await t.open();
      db = h.db;
    });
    after(async () => {
      await t.destroy(h);
    });

    it('migrates once: reopening applies nothing again and keeps the data', async () => {
      const all = Object.keys(await migrationProvider.getMigrations()).sort();
      const applied = async (d: Kysely<Database>) =>
        (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(d)).rows.map((r) => r.name);
      assert.deepEqual(await applied(db), all);
      await db.insertInto('settings').values({ key: 'test.reopen', value: '"kept"' }).execute();

      const again = await t.open();
      try {
        assert.deepEqual(await applied(again.db), all);
        const { results, error } = await new Migrator({ db: again.db, provider: migrationProvider }).migrateToLatest();
        assert.equal(error, undefined);
        assert.deepEqual(results, []);
        assert.equal((await again.db.selectFrom('settings').select('value').where('key', '=', 'test.reopen').executeTakeFirst())?.value, '"kept"');
      } finally {
        await again.close();
      }
    });

    it('acknowledges a commit only once it is on disk', { skip: kind !== 'sqlite' }, () => {
      // WAL with synchronous=FULL (2) syncs every commit; PostgreSQL does by default.
      assert.equal(h.sqlite!.pragma('synchronous', { simple: true }), 2);
      assert.equal(h.sqlite!.pragma('journal_mode', { simple: true }), 'wal');
    });

    it('has the defaults: the default relocation domain and WPAR group, and the Capstan marker', async () => {
      const domain = await db.selectFrom('relocation_domains').selectAll().where('id', '=', DEFAULTS.domainId).executeTakeFirstOrThrow();
      assert.equal(domain.name, DEFAULTS.domainName);
      const group = await db.selectFrom('wpar_groups').selectAll().where('id', '=', DEFAULTS.groupId).executeTakeFirstOrThrow();
      assert.equal(group.name, DEFAULTS.groupName);
      assert.deepEqual(JSON.parse(group.policy), {});
      const marker = await db.selectFrom('settings').select('value').where('key', '=', 'capstan.schema').executeTakeFirstOrThrow();
      assert.equal(JSON.parse(marker.value), 'capstan');
    });

    it('round-trips users, group memberships, role mappings, sessions and API tokens', async () => {
      const user = { id: id(), name: 'u-' + id().slice(0, 8), full_name: 'Zoë Q', password_hash: 'scrypt$x', disabled: 0, created_at: now() };
      await db.insertInto('users').values(user).execute();
      assert.deepEqual(await db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirst(), { ...user, must_change_password: 0 });
      await db.updateTable('users').set({ disabled: 1, must_change_password: 1 }).where('id', '=', user.id).execute();
      assert.deepEqual(await db.selectFrom('users').select(['disabled', 'must_change_password']).where('id', '=', user.id).executeTakeFirst(), { disabled: 1, must_change_password: 1 });

      const member = { user_id: user.id, group_name: 'staff' };
      await db.insertInto('user_group_members').values(member).execute();
      assert.deepEqual(await db.selectFrom('user_group_members').selectAll().where('user_id', '=', user.id).execute(), [member]);

      const mapping = { role: 'WPARUser', principal_type: 'user' as const, principal: user.name, created_at: now() };
      await db.insertInto('role_mappings').values(mapping).execute();
      assert.deepEqual(await db.selectFrom('role_mappings').selectAll().where('principal', '=', user.name).execute(), [mapping]);

      const session = { id: 'sess-' + id(), user_id: user.id, created_at: now(), expires_at: now() };
      await db.insertInto('sessions').values(session).execute();
      assert.deepEqual(await db.selectFrom('sessions').selectAll().where('id', '=', session.id).executeTakeFirst(), session);

      const token = { id: id(), user_id: user.id, name: 'ci', token_hash: 'hash-' + id(), created_at: now(), expires_at: null, last_used_at: null };
      await db.insertInto('api_tokens').values(token).execute();
      assert.deepEqual(await db.selectFrom('api_tokens').selectAll().where('id', '=', token.id).executeTakeFirst(), token);
      await db.updateTable('api_tokens').set({ last_used_at: '2030-01-01T00:00:00.000Z' }).where('id', '=', token.id).execute();
      assert.equal((await db.selectFrom('api_tokens').select('last_used_at').where('id', '=', token.id).executeTakeFirst())?.last_used_at, '2030-01-01T00:00:00.000Z');

      // Deleting the user takes what hangs off it (ON DELETE CASCADE), on both kinds.
      await db.deleteFrom('users').where('id', '=', user.id).execute();
      for (const table of ['sessions', 'api_tokens', 'user_group_members'] as const) {
        assert.deepEqual(await db.selectFrom(table).select('user_id').where('user_id', '=', user.id).execute(), [], table);
      }
      await db.deleteFrom('role_mappings').where('principal', '=', user.name).execute();
    });

    it('round-trips domains, systems (JSON profile), groups (JSON policy) and WPARs (JSON spec)', async () => {
      const domain = { id: id(), name: 'd-' + id().slice(0, 8), description: 'lab', allowance: '{"mountSources":["/srv"],"capabilities":[]}', created_at: now() };
      await db.insertInto('relocation_domains').values(domain).execute();
      assert.deepEqual(await db.selectFrom('relocation_domains').selectAll().where('id', '=', domain.id).executeTakeFirst(), domain);

      const system = { id: id(), name: 's-' + id().slice(0, 8), host: '10.0.0.5', state: 'Online', domain_id: domain.id, profile: JSON.stringify(doc('profile')), created_at: now(), updated_at: now(), last_seen_at: null };
      await db.insertInto('systems').values(system).execute();
      const gotSystem = await db.selectFrom('systems').selectAll().where('id', '=', system.id).executeTakeFirstOrThrow();
      assert.deepEqual(gotSystem, system);
      assert.deepEqual(JSON.parse(gotSystem.profile ?? 'null'), doc('profile'));

      const group = { id: id(), name: 'g-' + id().slice(0, 8), description: '', policy: JSON.stringify(doc('policy')), created_at: now() };
      await db.insertInto('wpar_groups').values(group).execute();
      assert.deepEqual(JSON.parse((await db.selectFrom('wpar_groups').select('policy').where('id', '=', group.id).executeTakeFirstOrThrow()).policy), doc('policy'));

      const wpar = { id: id(), name: 'w-' + id().slice(0, 8), type: 'system', spec: JSON.stringify(doc('spec')), state: 'Defined', state_reason: null, exit_status: null, system_id: system.id, group_id: group.id, busy_task_id: null, privileges_unaccepted: 1, created_at: now(), updated_at: now() };
      await db.insertInto('wpars').values(wpar).execute();
      assert.deepEqual(await db.selectFrom('wpars').selectAll().where('id', '=', wpar.id).executeTakeFirst(), wpar);
      await db.updateTable('wpars').set({ state: 'Broken', state_reason: 'start failed', exit_status: 101 }).where('id', '=', wpar.id).execute();
      assert.deepEqual(await db.selectFrom('wpars').select(['state', 'state_reason', 'exit_status']).where('id', '=', wpar.id).executeTakeFirst(), { state: 'Broken', state_reason: 'start failed', exit_status: 101 });

      // A WPAR may not point at a system or group that does not exist.
      await assert.rejects(db.insertInto('wpars').values({ ...wpar, id: id(), name: 'w-orphan', system_id: 'no-such-system' }).execute());

      await db.deleteFrom('wpars').where('id', '=', wpar.id).execute();
      await db.deleteFrom('wpar_groups').where('id', '=', group.id).execute();
      await db.deleteFrom('systems').where('id', '=', system.id).execute();
      await db.deleteFrom('relocation_domains').where('id', '=', domain.id).execute();
      assert.equal(await db.selectFrom('systems').select('id').where('id', '=', system.id).executeTakeFirst(), undefined);
    });

    it('round-trips tasks (JSON params and result, fractional progress) and their operations', async () => {
      const task = {
        id: id(), kind: 'test.kind', status: 'succeeded', target_kind: 'wpar', target_id: 'w1', target_name: 'web',
        params: JSON.stringify(doc('params')), result: JSON.stringify(doc('result')), error_code: null, error: null,
        progress: 0.75, progress_message: 'three quarters', attempts: 2, created_by: 'alice',
        created_at: now(), started_at: now(), ended_at: now(),
      };
      await db.insertInto('tasks').values(task).execute();
      const got = await db.selectFrom('tasks').selectAll().where('id', '=', task.id).executeTakeFirstOrThrow();
      assert.deepEqual({ ...got, progress: Number(got.progress) }, task);
      assert.deepEqual(JSON.parse(got.result ?? 'null'), doc('result'));

      const op = { task_id: task.id, seq: 1, name: 'step', status: 'failed', output: 'line 1\nline 2\n', error: 'boom', error_code: 'CAP-E0404', started_at: now(), ended_at: now() };
      await db.insertInto('task_operations').values(op).execute();
      assert.deepEqual(await db.selectFrom('task_operations').selectAll().where('task_id', '=', task.id).execute(), [op]);
      await assert.rejects(db.insertInto('task_operations').values(op).execute(), 'one operation per (task, seq)');
      await assert.rejects(db.insertInto('task_operations').values({ ...op, task_id: 'no-such-task' }).execute(), 'operations belong to a task');

      await db.deleteFrom('tasks').where('id', '=', task.id).execute();
      assert.deepEqual(await db.selectFrom('task_operations').select('seq').where('task_id', '=', task.id).execute(), [], 'operations go with their task');
    });

    it('round-trips settings as JSON text', async () => {
      await db.insertInto('settings').values({ key: 'test.doc', value: JSON.stringify(doc('setting')) }).execute();
      await db.updateTable('settings').set({ value: JSON.stringify(doc('changed')) }).where('key', '=', 'test.doc').execute();
      assert.deepEqual(JSON.parse((await db.selectFrom('settings').select('value').where('key', '=', 'test.doc').executeTakeFirstOrThrow()).value), doc('changed'));
      await db.deleteFrom('settings').where('key', '=', 'test.doc').execute();
    });

    it('enforces unique names and keys', async () => {
      const t0 = now();
      const user = { id: id(), name: 'unique-user', full_name: '', password_hash: 'x', disabled: 0, created_at: t0 };
      await db.insertInto('users').values(user).execute();
      const duplicates: [string, () => Promise<unknown>][] = [
        ['users.name', () => db.insertInto('users').values({ ...user, id: id() }).execute()],
        ['users.id', () => db.insertInto('users').values({ ...user, name: 'other-name' }).execute()],
        ['relocation_domains.name', () => db.insertInto('relocation_domains').values({ id: id(), name: DEFAULTS.domainName, description: '', created_at: t0 }).execute()],
        ['wpar_groups.name', () => db.insertInto('wpar_groups').values({ id: id(), name: DEFAULTS.groupName, description: '', policy: '{}', created_at: t0 }).execute()],
        ['settings.key', () => db.insertInto('settings').values({ key: 'capstan.schema', value: '"again"' }).execute()],
        ['role_mappings key', async () => {
          const m = { role: 'WPARMonitor', principal_type: 'group' as const, principal: 'ops', created_at: t0 };
          await db.insertInto('role_mappings').values(m).execute();
          await db.insertInto('role_mappings').values(m).execute();
        }],
        ['api_tokens.token_hash', async () => {
          const tok = { user_id: user.id, name: 't', token_hash: 'same-hash', created_at: t0, expires_at: null, last_used_at: null };
          await db.insertInto('api_tokens').values({ ...tok, id: id() }).execute();
          await db.insertInto('api_tokens').values({ ...tok, id: id() }).execute();
        }],
        ['systems.name', async () => {
          const s = { name: 'same-system', host: 'h', state: 'Online', domain_id: DEFAULTS.domainId, profile: null, created_at: t0, updated_at: t0, last_seen_at: null };
          await db.insertInto('systems').values({ ...s, id: id() }).execute();
          await db.insertInto('systems').values({ ...s, id: id() }).execute();
        }],
        ['wpars.name', async () => {
          const w = { name: 'same-wpar', type: 'application', spec: '{}', state: 'Undeployed', state_reason: null, exit_status: null, system_id: null, group_id: DEFAULTS.groupId, busy_task_id: null, created_at: t0, updated_at: t0 };
          await db.insertInto('wpars').values({ ...w, id: id() }).execute();
          await db.insertInto('wpars').values({ ...w, id: id() }).execute();
        }],
      ];
      for (const [what, attempt] of duplicates) await assert.rejects(attempt(), `${what} must be unique`);
      assert.equal((await db.selectFrom('users').select('id').where('name', '=', 'unique-user').execute()).length, 1);
    });

    it('rolls a transaction back whole: on a thrown error and on a constraint violation', async () => {
      const domain = (name: string) => ({ id: id(), name, description: '', created_at: now() });
      await assert.rejects(db.transaction().execute(async (tx) => {
        await tx.insertInto('relocation_domains').values(domain('rolled-back-1')).execute();
        throw new Error('changed my mind');
      }), /changed my mind/);
      await assert.rejects(db.transaction().execute(async (tx) => {
        await tx.insertInto('relocation_domains').values(domain('rolled-back-2')).execute();
        await tx.insertInto('relocation_domains').values(domain(DEFAULTS.domainName)).execute(); // duplicate name
      }));
      const left = await db.selectFrom('relocation_domains').select('name').where('name', 'in', ['rolled-back-1', 'rolled-back-2']).execute();
      assert.deepEqual(left, []);
      // And a transaction that succeeds commits everything.
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('relocation_domains').values(domain('committed-1')).execute();
        await tx.insertInto('relocation_domains').values(domain('committed-2')).execute();
      });
      assert.equal((await db.selectFrom('relocation_domains').select('id').where('name', 'in', ['committed-1', 'committed-2']).execute()).length, 2);
    });

    it('moves the codewords applied before 0012 to their serial\'s history, which outlives the complex', async () => {
      // Back to before 0012: codewords in a table of the complex's, deleted with it.
      await db.schema.dropTable('capacity_codeword_history').execute();
      await sql`delete from kysely_migration where name = '0012_codeword_history'`.execute(db);
      await sql`create table capacity_codewords (complex_id text not null references capacity_complexes(id) on delete cascade, sequence integer not null,
        kind text not null, quantity bigint not null, digest text not null, issued_at text not null, applied_at text not null, applied_by text not null,
        primary key (complex_id, sequence))`.execute(db);
      const complex = id();
      await db.insertInto('capacity_complexes').values({
        id: complex, name: 'old', serial: 'SN-OLD', total_cores: null, total_memory_gib: null, total_cells: null, rights_cores: 1, rights_memory_gib: null,
        rights_cells: null, temp_balance: 0, metered_until: 0, warning_period_s: 60, exhaustion_action: 'deactivate', temp_warned: 0, temp_exhausted: 0,
        last_sequence: 2, contacts: '[]', webhooks: '[]', created_at: now(), updated_at: now(),
      }).execute();
      for (const sequence of [1, 2]) {
        await sql`insert into capacity_codewords values (${complex}, ${sequence}, 'temporary', 3600, ${'d' + sequence}, ${now()}, ${now()}, 'admin')`.execute(db);
      }

      const again = await t.open();
      try {
        await again.db.deleteFrom('capacity_complexes').where('id', '=', complex).execute();
        const history = await again.db.selectFrom('capacity_codeword_history').select(['serial', 'sequence', 'digest']).orderBy('sequence').execute();
        assert.deepEqual(history, [{ serial: 'SN-OLD', sequence: 1, digest: 'd1' }, { serial: 'SN-OLD', sequence: 2, digest: 'd2' }]);
        assert.equal(Number((await sql<{ n: number | string }>`select count(*) as n from kysely_migration where name = '0012_codeword_history'`.execute(again.db)).rows[0]?.n), 1);
      } finally {
        await again.close();
      }
    });
  });
}

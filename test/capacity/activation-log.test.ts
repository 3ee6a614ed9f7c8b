// The activation log on a real database (SQLite and PostgreSQL) with a simulated clock: every
// change of a complex's life (declared, activated, moved, codewords, modified, exhausted by the
// manager itself, removed) is one or more entries with who, what, the values before and after,
// the codeword and when; refused changes leave none; an entry and its change commit together;
// filters, paging and the CSV export with values that need quoting.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { CapstanError } from '../../src/api/errors.js';
import type { ActivationLogEntry, ActivationLogQuery } from '../../src/api/capacity.js';
import { DB_KINDS, skipUnlessAvailable, worldPerSuite } from './fixtures.js';
import { parseCsv } from '../helpers/csv.js';

async function refused(code: string, p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof CapstanError && e.code === code);
}

const page = (q: Partial<ActivationLogQuery>): ActivationLogQuery => ({ limit: 1000, offset: 0, ...q });
/** An entry as [action, who, system, before, after], oldest first. */
const brief = (entries: ActivationLogEntry[]) => [...entries].reverse().map((e) => [e.action, e.who, e.system?.name ?? null, e.before, e.after]);

for (const kind of DB_KINDS) {
  describe(`capacity activation log (${kind})`, { skip: skipUnlessAvailable(kind) }, () => {
    const w = worldPerSuite(kind);

    it('records every change of a complex\'s life: who, what, before and after, the codeword, when', async () => {
      const cap = w.service();
      await w.addSystem('lg-a', 8);
      await w.addSystem('lg-b', 8);
      const t0 = new Date(w.clock.ms()).toISOString();
      const created = await cap.create({ name: 'lg', serial: 'SN-LG', systems: ['lg-a', 'lg-b'], rights: { cores: 2 }, instantAccessSeconds: 7200 }, 'alice');
      const log = async () => (await cap.activationLog(page({ complex: created.id }))).items;
      const since = async (before: number) => (await log()).slice(0, (await log()).length - before);

      let n = (await log()).length;
      assert.deepEqual(brief(await log()), [
        ['complex-created', 'alice', null, null, {
          name: 'lg', rightsCores: 2, rightsMemoryGiB: null, rightsCells: null, totalCores: null, totalMemoryGiB: null, totalCells: null,
          warningPeriodSeconds: 86_400, exhaustionAction: 'deactivate', contacts: '', webhooks: '',
        }],
        ['complex-created', 'alice', 'lg-a', null, { cores: 1, memoryGiB: null, cells: null }],
        ['complex-created', 'alice', 'lg-b', null, { cores: 1, memoryGiB: null, cells: null }],
        ['temporary-credited', 'alice', null, { balanceSeconds: 0 }, { balanceSeconds: 7200 }],
      ]);
      const first = (await log()).at(-1)!;
      assert.deepEqual([first.at, first.whoKind, first.complex, first.codeword], [t0, 'user', { id: created.id, name: 'lg', serial: 'SN-LG' }, null]);
      assert.match(first.detail, /complex lg created by alice/);

      w.clock.advance(10);
      await cap.activate('lg-a', { cores: 1 }, 'bob');
      w.clock.advance(10);
      const movedAt = new Date(w.clock.ms()).toISOString();
      await cap.move({ from: 'lg-a', to: 'lg-b', cores: 2 }, 'bob');
      assert.deepEqual(brief(await since(n)), [
        ['activate', 'bob', 'lg-a', { cores: 1 }, { cores: 2 }],
        ['move', 'bob', 'lg-a', { cores: 2 }, { cores: 0 }],
        ['move', 'bob', 'lg-b', { cores: 1 }, { cores: 3 }],
      ]);
      assert.match((await log())[0]!.detail, /2 core\(s\) moved from lg-a to lg-b by bob/);
      n = (await log()).length;

      // Refused changes leave nothing; metering is not a change.
      await refused('CAP-E0805', cap.activate('lg-b', { cores: 4 }, 'bob'));
      await refused('CAP-E0803', cap.applyCodeword({ codeword: w.codeword('SN-LG', 2, 'cores', 1) }, 'carol'));
      w.clock.advance(5);
      await cap.meterAll();
      assert.equal((await log()).length, n);

      w.clock.advance(5);
      await cap.applyCodeword({ codeword: w.codeword('SN-LG', 1, 'cores', 2) }, 'carol');
      await cap.applyCodeword({ codeword: w.codeword('SN-LG', 2, 'temporary', 3600) }, 'carol');
      await cap.applyCodeword({ codeword: w.codeword('SN-LG', 3, 'memory', 16) }, 'carol');
      const cw = await since(n);
      assert.deepEqual(brief(cw), [
        ['codeword-applied', 'carol', null, { rightsCores: 2 }, { rightsCores: 4 }],
        ['codeword-applied', 'carol', null, { balanceSeconds: Number(cw.at(-2)!.before!.balanceSeconds) }, { balanceSeconds: Number(cw.at(-2)!.before!.balanceSeconds) + 3600 }],
        ['codeword-applied', 'carol', null, { rightsMemoryGiB: null }, { rightsMemoryGiB: 16 }],
        ['codeword-applied', 'carol', 'lg-a', { memoryGiB: null }, { memoryGiB: 0 }],
        ['codeword-applied', 'carol', 'lg-b', { memoryGiB: null }, { memoryGiB: 0 }],
      ]);
      const history = await w.db.selectFrom('capacity_codeword_history').selectAll().where('serial', '=', 'SN-LG').orderBy('sequence').execute();
      assert.deepEqual([...cw].reverse().map((e) => e.codeword), [
        { sequence: 1, kind: 'cores', quantity: 2, digest: history[0]!.digest, issuedAt: history[0]!.issued_at },
        { sequence: 2, kind: 'temporary', quantity: 3600, digest: history[1]!.digest, issuedAt: history[1]!.issued_at },
        { sequence: 3, kind: 'memory', quantity: 16, digest: history[2]!.digest, issuedAt: history[2]!.issued_at },
        { sequence: 3, kind: 'memory', quantity: 16, digest: history[2]!.digest, issuedAt: history[2]!.issued_at },
        { sequence: 3, kind: 'memory', quantity: 16, digest: history[2]!.digest, issuedAt: history[2]!.issued_at },
      ]);
      n = (await log()).length;

      await cap.deactivate('lg-b', { cores: 1 }, 'bob');
      await cap.modify('lg', { warningPeriodSeconds: 600, contacts: ['ops@example.test'] }, 'alice');
      assert.deepEqual(brief(await since(n)), [
        ['deactivate', 'bob', 'lg-b', { cores: 3 }, { cores: 2 }],
        ['complex-modified', 'alice', null, { warningPeriodSeconds: 86_400, contacts: '' }, { warningPeriodSeconds: 600, contacts: 'ops@example.test' }],
      ]);
      n = (await log()).length;

      // Beyond the 4 core rights by 2 until the temporary capacity runs out: the manager's own action.
      await cap.activate('lg-a', { cores: 4 }, 'bob');
      const balance = (await cap.get('lg')).temporary.balanceSeconds;
      w.clock.advance(Math.ceil(balance / 2) + 1);
      await cap.meterAll();
      const exhausted = [...await since(n)].reverse();
      assert.deepEqual(exhausted.map((e) => [e.action, e.who, e.whoKind]), [
        ['activate', 'bob', 'user'],
        ['temporary-exhausted', 'system', 'system'],
        ...exhausted.slice(2).map(() => ['exhaustion-deactivate', 'system', 'system']),
      ]);
      assert.equal(exhausted[1]!.after!.coresInUse, 2);
      assert.match(exhausted[1]!.detail, /exhausted .* deactivated back to the rights/);
      const deactivated = exhausted.slice(2).reduce((sum, e) => sum + Number(e.before!.cores) - Number(e.after!.cores), 0);
      assert.equal(deactivated, 2, 'back to the usage rights');
      assert.ok(exhausted.slice(1).every((e) => e.at === exhausted[1]!.at), 'one change: one instant');
      n = (await log()).length;

      // Removed: the entries stay, ending with the removal, and are found by the complex's id or its last name.
      await cap.remove('lg', 'alice');
      const removed = (await log())[0]!;
      assert.equal(removed.action, 'complex-removed');
      assert.equal(removed.who, 'alice');
      assert.deepEqual([removed.before?.rightsCores, removed.before?.rightsMemoryGiB, removed.after], [4, 16, null]);
      assert.match(removed.detail, /lg-a, lg-b/);
      assert.equal((await log()).length, n + 1);
      assert.equal((await cap.activationLog(page({ complex: 'lg' }))).total, n + 1);
      assert.equal((await cap.activationLog(page({ complex: 'SN-LG' }))).total, n + 1);

      // The same name again is another complex: its own entries, numbered from 1.
      const again = await cap.create({ name: 'lg', serial: 'SN-LG', systems: ['lg-a'], rights: { cores: 1 } }, 'alice');
      const fresh = await cap.activationLog(page({ complex: 'lg' }));
      assert.deepEqual(fresh.items.map((e) => [e.id, e.action]).reverse(), [[`${again.id}/1`, 'complex-created'], [`${again.id}/2`, 'complex-created']]);

      // Filters: a system's entries, a time range, both; newest first, a page at a time.
      const forB = (await cap.activationLog(page({ system: 'lg-b' }))).items;
      assert.deepEqual(forB.map((e) => [e.action, e.system?.name]).reverse().slice(0, 4), [['complex-created', 'lg-b'], ['move', 'lg-b'], ['codeword-applied', 'lg-b'], ['deactivate', 'lg-b']]);
      assert.ok(forB.every((e) => e.system?.name === 'lg-b'), 'only lg-b\'s');
      const moved = await cap.activationLog(page({ since: movedAt, until: new Date(Date.parse(movedAt) + 1).toISOString() }));
      assert.deepEqual(moved.items.map((e) => [e.action, e.system?.name]), [['move', 'lg-b'], ['move', 'lg-a']]);
      assert.deepEqual((await cap.activationLog(page({ system: 'lg-a', since: movedAt, until: new Date(Date.parse(movedAt) + 1).toISOString() }))).items.map((e) => e.system?.name), ['lg-a']);
      const all = await cap.activationLog(page({}));
      const pages: ActivationLogEntry[] = [];
      for (let offset = 0; offset < all.total; offset += 4) {
        const p = await cap.activationLog({ limit: 4, offset });
        assert.equal(p.total, all.total);
        pages.push(...p.items);
      }
      assert.deepEqual(pages, all.items);
      for (let i = 1; i < all.items.length; i++) assert.ok(all.items[i - 1]!.at >= all.items[i]!.at, 'newest first');

      await refused('CAP-E1040', cap.activationLog(page({ since: movedAt, until: movedAt })));
      await refused('CAP-E0002', cap.activationLog(page({ complex: 'nosuch' })));
      await refused('CAP-E0002', cap.activationLog(page({ system: 'nosuch' })));
    });

    it('writes an entry in its change\'s transaction: a log that cannot be written refuses the change, which changes nothing', async () => {
      const cap = w.service();
      await w.addSystem('tx-a', 8);
      const c = await cap.create({ name: 'tx', serial: 'SN-TX', systems: ['tx-a'], rights: { cores: 2 }, instantAccessSeconds: 3600 }, 'alice');
      const before = await cap.get('tx');
      const ledger = await cap.ledger('tx', 100);
      const entries = (await cap.activationLog(page({ complex: 'tx' }))).total;
      if (kind === 'sqlite') {
        await sql`create trigger refuse_log before insert on capacity_activation_log begin select raise(abort, 'the log is unavailable'); end`.execute(w.db);
      } else {
        await sql`create function refuse_log() returns trigger language plpgsql as $$ begin raise exception 'the log is unavailable'; end $$`.execute(w.db);
        await sql`create trigger refuse_log before insert on capacity_activation_log for each row execute function refuse_log()`.execute(w.db);
      }
      try {
        w.clock.advance(30);
        await assert.rejects(cap.activate('tx-a', { cores: 1 }, 'bob'), /the log is unavailable/);
        await assert.rejects(cap.applyCodeword({ codeword: w.codeword('SN-TX', 1, 'cores', 2) }, 'bob'), /the log is unavailable/);
        await assert.rejects(cap.remove('tx', 'bob'), /the log is unavailable/);
      } finally {
        await sql`drop trigger refuse_log${sql.raw(kind === 'postgres' ? ' on capacity_activation_log' : '')}`.execute(w.db);
        if (kind === 'postgres') await sql`drop function refuse_log()`.execute(w.db);
      }
      assert.deepEqual(await cap.get('tx'), before, 'nothing changed: not the IA, the rights, the codewords or the meter');
      assert.deepEqual(await cap.ledger('tx', 100), ledger);
      assert.equal((await cap.activationLog(page({ complex: 'tx' }))).total, entries);
      // The same changes go through once the log can be written, each with its entry.
      await cap.activate('tx-a', { cores: 1 }, 'bob');
      await cap.applyCodeword({ codeword: w.codeword('SN-TX', 1, 'cores', 2) }, 'bob');
      const after = await cap.activationLog(page({ complex: c.id }));
      assert.deepEqual(after.items.slice(0, 2).map((e) => e.action), ['codeword-applied', 'activate']);
      // What an agent reports as applied (AA) is not a change of capacity: no entry.
      await cap.reportActual(c.systems[0]!.id, { cores: 3, memoryGiB: null, cells: null });
      assert.equal((await cap.activationLog(page({ complex: c.id }))).total, after.total);
    });

    it('exports CSV: a header, one row per entry, fields with commas, quotes and newlines quoted, formulas kept as text', async () => {
      const cap = w.service();
      await w.addSystem('csv-a', 8);
      const awkward = 'O"Brien, Jr.\nsecond line';
      await cap.create({ name: 'csv1', serial: 'SN-CSV', systems: ['csv-a'], rights: { cores: 2 } }, awkward);
      await cap.modify('csv1', { contacts: ['a@example.test', 'b@example.test'] }, '=HYPERLINK("http://x")');
      await cap.activate('csv-a', { cores: 0 }, 'plain');

      const text = await cap.activationLogCsv({ complex: 'csv1', limit: 100 });
      assert.ok(text.endsWith('\r\n'));
      const [header, ...rows] = parseCsv(text);
      assert.deepEqual(header, ['when', 'who', 'who_kind', 'action', 'complex', 'serial', 'system', 'before', 'after', 'codeword_sequence', 'codeword_kind', 'codeword_quantity', 'detail']);
      const json = (await cap.activationLog(page({ complex: 'csv1' }))).items;
      assert.equal(rows.length, json.length);
      const col = (name: string) => header!.indexOf(name);
      assert.deepEqual(rows.map((r) => r[col('who')]), ['plain', '\'=HYPERLINK("http://x")', awkward, awkward]);
      assert.deepEqual(rows.map((r) => r[col('action')]), ['activate', 'complex-modified', 'complex-created', 'complex-created']);
      const modified = rows[1]!;
      assert.deepEqual(JSON.parse(modified[col('after')]!), { contacts: 'a@example.test, b@example.test' });
      assert.equal(modified[col('detail')], json[1]!.detail);
      assert.equal(modified[col('when')], json[1]!.at);
      assert.equal(rows[0]![col('system')], 'csv-a');
      assert.deepEqual(JSON.parse(rows[0]![col('before')]!), { cores: 2, memoryGiB: null, cells: null }, 'asked for a system: an entry for it even when nothing of it changed');
      // The raw text: the awkward name quoted whole, its quote doubled, its newline inside the quotes.
      assert.ok(text.includes('"O""Brien, Jr.\nsecond line"'));
      assert.equal((await cap.activationLogCsv({ complex: 'csv1', limit: 1 })).split('\r\n').filter(Boolean).length, 2, 'limit: the header and one row');
    });
  });
}

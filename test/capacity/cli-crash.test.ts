// The real `capstan` CLI and a real manager process: the issuer's keygen and issue, the
// seed's icapstatus / icapmodify / icapnotify, exit codes; then the manager is killed
// (SIGKILL) while it meters temporary capacity and started again: the ledger covers every
// second once — the downtime included — and the balance is right to the second.
import { after, before, describe, it } from 'node:test';
import { until } from '../helpers/until.js';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import type { AppliedCodeword, ComplexView } from '../../src/api/capacity.js';
import { CliWorld, ok, parsed, refused } from '../cli/harness.js';

interface LedgerRow {
  kind: string;
  amount: number;
  from_s: number | null;
  to_s: number | null;
  excess_cores: number | null;
}

describe('instant capacity through the CLI and a manager killed while metering', () => {
  const w = new CliWorld();
  const dbFile = join(w.dataDir, 'capstan.db');
  /** Reads the running manager's database (WAL: a reader does not disturb the writer). */
  const read = <T>(sql: string): T[] => {
    const db = new SQLite(dbFile, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };
  const complex = () => read<{ temp_balance: number; metered_until: number }>("select temp_balance, metered_until from capacity_complexes where name = 'host1'")[0] as { temp_balance: number; metered_until: number };
  const ledger = () => read<LedgerRow>("select kind, amount, from_s, to_s, excess_cores from capacity_ledger order by seq");

  before(async () => {
    mkdirSync(w.dataDir, { recursive: true });
    writeFileSync(join(w.dataDir, 'manager.json'), JSON.stringify({ capacity: { meterIntervalSeconds: 1 } }));
    await w.startManager();
    const first = readFileSync(join(w.dataDir, 'initial-admin-password'), 'utf8').trim();
    ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin'], { input: `${first}\nadmin-pass-2\n` }));
  });
  after(() => w.close());

  it('issues codewords offline and applies them with the seed\'s commands', async () => {
    const keyFile = join(w.dir, 'issuer.key');
    const publicKey = ok(await w.cli(['codeword', 'keygen', '--out', keyFile])).stdout.trim();
    assert.match(publicKey, /^ed25519:[A-Za-z0-9_-]{43}$/);
    ok(await w.cli(['capacity', 'issuer', 'add', 'vendor', publicKey]));
    ok(await w.cli(['system', 'add', 'host1', '--host', '192.0.2.10']));
    ok(await w.cli(['capacity', 'complex', 'create', 'host1', '--serial', 'SN-1', '--rights-cores', '1', '--cores', '8', '--instant-access', '1d']));

    const status = ok(await w.cli(['icapstatus', 'host1'])).stdout;
    assert.match(status, /Cores\s+1 usage rights, 1 active, 7 inactive, 8 installed/);
    assert.match(status, /host1\s+Unknown\s+1\s+-.*pending/);
    refused(await w.cli(['icapmodify', '-a', '99', '-p', 'host1']), 6, 'CAP-E0806');
    ok(await w.cli(['icapmodify', '-a', '2', '-p', 'host1']));
    const after = parsed<ComplexView>(await w.cli(['icapstatus', '--json', 'host1']));
    assert.deepEqual([after.systems[0]?.intended.cores, after.systems[0]?.actual, after.temporary.coresInUse], [3, null, 2]);

    const codeword = ok(await w.cli(['codeword', 'issue', '--key', keyFile, '--serial', 'SN-1', '--sequence', '1', '--temporary', '1h'])).stdout.trim();
    const applied = parsed<AppliedCodeword>(await w.cli(['icapmodify', '--json', '-c', codeword]));
    assert.deepEqual([applied.kind, applied.sequence, applied.quantity], ['temporary', 1, 3600]);
    refused(await w.cli(['icapmodify', '-c', codeword]), 6, 'CAP-E0804');
    const typo = codeword.replace(/^(.)/, (c) => (c === 'A' ? 'B' : 'A'));
    refused(await w.cli(['icapmodify', '-c', typo]), 3, 'CAP-E0800 .*group 1');
    const elsewhere = ok(await w.cli(['codeword', 'issue', '--key', keyFile, '--serial', 'SN-2', '--sequence', '2', '--cores', '1'])).stdout.trim();
    refused(await w.cli(['capacity', 'apply', elsewhere]), 6, 'CAP-E0802');
    refused(await w.cli(['icapmodify', '-x', '1']), 2, 'usage: icapmodify');
    refused(await w.cli(['codeword', 'issue', '--key', keyFile, '--serial', 'SN-1', '--sequence', '2']), 2, 'exactly one of');

    const notify = parsed<{ contacts: string[] }>(await w.cli(['icapnotify', '--json', 'host1', 'ops@example.test']));
    assert.deepEqual(notify.contacts, ['ops@example.test']);
    // No relay configured: the test notification fails visibly.
    const test = await w.cli(['icapnotify', 'host1', '-t']);
    assert.equal(test.code, 1, test.stderr);
    assert.match(test.stdout, /email\s+ops@example\.test\s+failed\s+no SMTP relay is configured/);
  });

  it('after a SIGKILL mid-metering and a restart, every second is metered exactly once', async () => {
    // The manager meters every second: wait for a few debits, then kill it without warning.
    await until('three meter debits', () => ledger().filter((e) => e.kind === 'meter').length >= 3);
    await w.stopManager('SIGKILL');
    const killed = complex();
    // Down for at least three whole seconds past the last metered one.
    await until('three seconds of downtime', () => Math.floor(Date.now() / 1000) >= Number(killed.metered_until) + 3);
    await w.startManager();
    const restartedAt = Math.floor(Date.now() / 1000);
    await until('metering after the restart', () => Number(complex().metered_until) >= restartedAt + 2);
    await w.stopManager('SIGTERM');

    const entries = ledger();
    const credits = entries.filter((e) => e.kind !== 'meter').reduce((n, e) => n + Number(e.amount), 0);
    const debits = entries.filter((e) => e.kind === 'meter');
    assert.equal(credits, 86_400 + 3600, 'Instant Access Capacity and the temporary codeword');
    for (const d of debits) assert.equal(Number(d.excess_cores), 2);
    for (let i = 1; i < debits.length; i++) assert.equal(Number(debits[i]?.from_s), Number(debits[i - 1]?.to_s), 'contiguous: no second lost, none twice');
    const start = Number(debits[0]?.from_s);
    const end = Number(debits.at(-1)?.to_s);
    assert.ok(debits.some((d) => Number(d.from_s) <= Number(killed.metered_until) && Number(d.to_s) >= Number(killed.metered_until) + 3), 'the downtime is metered once, on restart');
    const final = complex();
    assert.equal(Number(final.metered_until), end);
    assert.equal(Number(final.temp_balance), credits - 2 * (end - start), 'right to the second');
  });
});

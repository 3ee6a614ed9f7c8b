// `capstan capacity log` with the real CLI and a real manager process: the table (newest first,
// who, what changed from what to what, the codeword), --json, --csv (the manager's RFC 4180
// export, read back field for field), the filters (--complex, --system, --since as a duration
// or an instant), paging, and the exit codes of what it refuses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActivationLogPage } from '../../src/api/capacity.js';
import { CliWorld, ok, parsed, refused } from '../cli/harness.js';
import { parseCsv } from '../helpers/csv.js';

describe('capstan capacity log against a manager process', () => {
  const w = new CliWorld();
  let startedAt = '';

  before(async () => {
    await w.startManager();
    const first = readFileSync(join(w.dataDir, 'initial-admin-password'), 'utf8').trim();
    ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin'], { input: `${first}\nadmin-pass-2\n` }));
    startedAt = new Date().toISOString();
    const keyFile = join(w.dir, 'issuer.key');
    const publicKey = ok(await w.cli(['codeword', 'keygen', '--out', keyFile])).stdout.trim();
    ok(await w.cli(['capacity', 'issuer', 'add', 'vendor', publicKey]));
    ok(await w.cli(['system', 'add', 'h1', '--host', '192.0.2.11']));
    ok(await w.cli(['system', 'add', 'h2', '--host', '192.0.2.12']));
    ok(await w.cli(['capacity', 'complex', 'create', 'rack', '--serial', 'SN-RACK', '--systems', 'h1,h2', '--rights-cores', '2', '--cores', '16', '--instant-access', '1d']));
    ok(await w.cli(['capacity', 'activate', 'h1', '--cores', '1']));
    ok(await w.cli(['capacity', 'move', '--from', 'h1', '--to', 'h2', '--cores', '2']));
    const codeword = ok(await w.cli(['codeword', 'issue', '--key', keyFile, '--serial', 'SN-RACK', '--sequence', '1', '--cores', '2'])).stdout.trim();
    ok(await w.cli(['icapmodify', '-c', codeword]));
  });
  after(() => w.close());

  it('prints the log as a table, newest first: who, what changed, the codeword', async () => {
    const lines = ok(await w.cli(['capacity', 'log'])).stdout.split('\n');
    assert.match(lines[0]!, /^When\s+Who\s+Action\s+Complex\s+System\s+Change\s+Codeword$/);
    const rows = lines.slice(2).filter(Boolean);
    assert.equal(rows.length, 8, 'created (the complex, h1, h2), credited, activated, moved (h1, h2), the codeword');
    assert.match(rows[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+admin\s+codeword-applied\s+rack\s+-\s+rightsCores 2 → 4\s+1 \(cores 2\)$/);
    assert.match(rows[1]!, /\s+admin\s+move\s+rack\s+h2\s+cores 1 → 3\s+-$/);
    assert.match(rows[2]!, /\s+admin\s+move\s+rack\s+h1\s+cores 2 → 0\s+-$/);
    assert.match(rows[3]!, /\s+admin\s+activate\s+rack\s+h1\s+cores 1 → 2\s+-$/);
    assert.match(rows[4]!, /\s+admin\s+temporary-credited\s+rack\s+-\s+balanceSeconds 0 → 86400\s+-$/);
    assert.match(rows[5]!, /\s+admin\s+complex-created\s+rack\s+h2\s+cores 1\s+-$/);
    assert.match(rows[6]!, /\s+admin\s+complex-created\s+rack\s+h1\s+cores 1\s+-$/);
    assert.match(rows[7]!, /\s+admin\s+complex-created\s+rack\s+-\s+complex rack created by admin/);
    const page = await w.cli(['capacity', 'log', '--limit', '3']);
    assert.equal(ok(page).stdout.split('\n').slice(2).filter(Boolean).length, 3);
    assert.match(page.stderr, /3 of 8 entries; the next ones with --offset 3/);
    const next = ok(await w.cli(['capacity', 'log', '--limit', '3', '--offset', '3'])).stdout.split('\n').slice(2).filter(Boolean);
    assert.match(next[0]!, /activate\s+rack\s+h1/);
  });

  it('filters by complex, system and time; --json answers the page', async () => {
    const all = parsed<ActivationLogPage>(await w.cli(['--json', 'capacity', 'log']));
    assert.equal(all.total, 8);
    assert.equal(all.items.length, 8);
    const h2 = parsed<ActivationLogPage>(await w.cli(['--json', 'capacity', 'log', '--system', 'h2', '--complex', 'rack']));
    assert.deepEqual(h2.items.map((e) => [e.action, e.system?.name, e.before, e.after]), [
      ['move', 'h2', { cores: 1 }, { cores: 3 }],
      ['complex-created', 'h2', null, { cores: 1, memoryGiB: null, cells: null }],
    ]);
    assert.equal(parsed<ActivationLogPage>(await w.cli(['--json', 'capacity', 'log', '--since', '1h'])).total, 8);
    assert.equal(parsed<ActivationLogPage>(await w.cli(['--json', 'capacity', 'log', '--until', startedAt])).total, 0);
    assert.equal(parsed<ActivationLogPage>(await w.cli(['--json', 'capacity', 'log', '--since', new Date(Date.now() + 60_000).toISOString()])).total, 0);
    const cw = all.items[0]!;
    assert.deepEqual([cw.action, cw.codeword?.sequence, cw.codeword?.kind, cw.codeword?.quantity, cw.whoKind], ['codeword-applied', 1, 'cores', 2, 'user']);
  });

  it('--csv prints the manager\'s CSV export, which reads back field for field', async () => {
    const r = ok(await w.cli(['capacity', 'log', '--csv', '--complex', 'rack']));
    const [header, ...rows] = parseCsv(r.stdout);
    assert.deepEqual(header, ['when', 'who', 'who_kind', 'action', 'complex', 'serial', 'system', 'before', 'after', 'codeword_sequence', 'codeword_kind', 'codeword_quantity', 'detail']);
    const all = parsed<ActivationLogPage>(await w.cli(['--json', 'capacity', 'log']));
    assert.deepEqual(rows.map((f) => [f[0], f[1], f[3], f[6], f[7] ? JSON.parse(f[7]) : null, f[8] ? JSON.parse(f[8]) : null, f[9], f[12]]),
      all.items.map((e) => [e.at, e.who, e.action, e.system?.name ?? '', e.before, e.after, e.codeword ? String(e.codeword.sequence) : '', e.detail]));
    // A detail with commas is quoted, whole.
    assert.match(r.stdout, /,"complex rack created by admin \(serial SN-RACK, 2 core usage rights\)"\r\n/);
    assert.equal(parseCsv(ok(await w.cli(['capacity', 'log', '--csv', '--limit', '2'])).stdout).length, 3, 'the header and two rows');
  });

  it('refuses what it cannot do with the exit codes of its kind', async () => {
    refused(await w.cli(['capacity', 'log', '--complex', 'nosuch']), 5, 'CAP-E0002');
    refused(await w.cli(['capacity', 'log', '--since', 'yesterday']), 2, 'not a time: yesterday');
    refused(await w.cli(['capacity', 'log', '--since', '1h', '--until', '2h']), 3, 'CAP-E1040');
    refused(await w.cli(['--json', 'capacity', 'log', '--csv']), 2, '--csv or --json');
    refused(await w.cli(['capacity', 'log', '--csv', '--offset', '5']), 2, '--offset does not apply');
    refused(await w.cli(['capacity', 'log', '--limit', 'many']), 2, 'not a count');
  });
});

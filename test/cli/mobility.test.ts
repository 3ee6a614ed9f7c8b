// `capstan system compat` and `capstan wpar targets` against a real manager process. The
// systems' host profiles are written into its database while it is stopped, as if their agents
// had reported just before a crash: the manager's start must test them (nothing fires the hook);
// then they are marked Online in the database, as if their agents were back.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { hostProfile } from '../manager/mobility-fixtures.js';
import { until } from '../helpers/until.js';
import { CliWorld, type CliResult } from './harness.js';

const ok = (r: CliResult): CliResult => {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
};
const json = <T>(r: CliResult): T => JSON.parse(ok(r).stdout) as T;
const GIB = 2 ** 30;

describe('capstan system compat and wpar targets', () => {
  const w = new CliWorld();
  const env = (): { env: Record<string, string> } => ({ env: { CAPSTAN_URL: w.url } });
  const cli = (args: string[]): Promise<CliResult> => w.cli(args, env());

  before(async () => {
    await w.startManager();
    const first = readFileSync(join(w.dataDir, 'initial-admin-password'), 'utf8').trim();
    ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin'], { input: `${first}\nadmin-pass-2\n` }));
    for (const name of ['alpha', 'beta', 'gamma', 'delta']) ok(await w.cli(['system', 'add', name, '--host', `${name}.example.test`]));
    ok(await w.cli(['wpar', 'create', 'web1']));
    await w.stopManager();

    const db = new SQLite(join(w.dataDir, 'capstan.db'));
    try {
      const set = db.prepare('update systems set profile = ?, state = ? where name = ?');
      set.run(JSON.stringify(hostProfile({ kernel: '6.1.0' })), 'Online', 'alpha');
      set.run(JSON.stringify(hostProfile({ kernel: '6.1.0' })), 'Online', 'beta');
      set.run(JSON.stringify(hostProfile({ kernel: '6.12.0', memoryBytes: 16 * GIB })), 'Online', 'gamma');
      // delta never reports.
      db.prepare("update wpars set system_id = (select id from systems where name = 'alpha'), state = 'Defined' where name = 'web1'").run();
    } finally {
      db.close();
    }
    await w.startManager();
    await until('the manager to test the three reported systems at its start', () => {
      const check = new SQLite(join(w.dataDir, 'capstan.db'), { readonly: true });
      try {
        return (check.prepare('select count(*) as n from system_mobility where compat_tested_at is not null').get() as { n: number }).n === 3;
      } finally {
        check.close();
      }
    });
    // Their agents are back (the manager starts with every system Offline until its agent says hello).
    const back = new SQLite(join(w.dataDir, 'capstan.db'));
    try {
      back.prepare("update systems set state = 'Online' where name in ('alpha', 'beta', 'gamma')").run();
    } finally {
      back.close();
    }
  });
  after(() => w.close());

  it('shows a system against every other, the failing tests each way, and a system not tested yet', async () => {
    const lines = ok(await cli(['system', 'compat', 'alpha'])).stdout.split('\n');
    assert.match(lines[0] ?? '', /^System\s+State\s+Failing →\s+Failing ←\s+Tested$/);
    assert.match(lines[2] ?? '', /^beta\s+fully compatible\s+-\s+-\s+\d{4}-/);
    assert.match(lines[3] ?? '', /^delta\s+testing not done\s+-\s+-\s+-$/);
    assert.match(lines[4] ?? '', /^gamma\s+outbound compatible\s+-\s+kernel\s+\d{4}-/);

    const withMemory = json<{ optionalTests: string[]; pairs: { other: { name: string }; state: string; outbound: { failing: string[] } | null }[] }>(
      await cli(['--json', 'system', 'compat', 'alpha', '--tests', 'memory']));
    assert.deepEqual(withMemory.optionalTests, ['memory']);
    assert.deepEqual(withMemory.pairs.map((p) => [p.other.name, p.state, p.outbound?.failing ?? null]), [['beta', 'fully', []], ['delta', 'testing', null], ['gamma', 'incompatible', ['memory']]]);

    const delta = ok(await cli(['system', 'compat', 'delta']));
    assert.match(delta.stderr, /compatibility testing of delta is not done/);
    assert.match(ok(await cli(['system', 'compat', 'gamma', '--details'])).stdout, /\nalpha \(inbound compatible\)\nTest\s+Counts\s+→\s+←\s+Reason\n[-\s]+\nosType\s+yes\s+pass\s+pass[\s\S]*\nkernel\s+yes\s+FAIL\s+pass\s+→ arrival kernel 6\.1\.0 is older than the departure's 6\.12\.0\n[\s\S]*\nmemory\s+no\s+pass\s+FAIL\s+← arrival memory 16\.0 GiB is less/);
  });

  it('lists where a WPAR may be relocated: automatic candidates, then every other system for manual selection', async () => {
    const r = ok(await cli(['wpar', 'targets', 'web1']));
    assert.match(r.stderr, /web1 on alpha; group default, relocation domain default; uses 0\.00 cores, 0 MiB/);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'Automatic selection (fully compatible, best first):');
    assert.match(lines[1] ?? '', /^Rank\s+System\s+Profile\s+CPU after\s+Memory after$/);
    assert.match(lines[3] ?? '', /^1\s+beta\s+sp-[0-9a-f]{12}\s+0%\s+0%$/);
    assert.equal(lines[4], '');
    assert.equal(lines[5], 'Other systems (manual selection):');
    assert.match(lines[6] ?? '', /^System\s+State\s+Offered\s+Confirm\s+Why not automatic$/);
    assert.match(lines[8] ?? '', /^delta\s+testing not done\s+no\s+no\s+compatibility testing is not done; its size is unknown/);
    assert.match(lines[9] ?? '', /^gamma\s+outbound compatible\s+yes\s+yes\s+outbound compatible: automatic selection takes only fully compatible systems$/);

    const t = json<{ ranked: { system: { name: string } }[]; others: { system: { name: string }; needsConfirmation: boolean }[] }>(await cli(['--json', 'wpar', 'targets', 'web1']));
    assert.deepEqual(t.ranked.map((x) => x.system.name), ['beta']);
    assert.deepEqual(t.others.map((x) => [x.system.name, x.needsConfirmation]), [['delta', false], ['gamma', true]]);
  });

  it('refuses unknown names and bad tests with the usual exit codes', async () => {
    const missing = await cli(['system', 'compat', 'nosuch']);
    assert.equal(missing.code, 5, missing.stderr);
    assert.match(missing.stderr, /CAP-E0002/);
    const bad = await cli(['system', 'compat', 'alpha', '--tests', 'bogus']);
    assert.equal(bad.code, 2, bad.stderr);
    const undeployed = await cli(['wpar', 'targets', 'nosuch']);
    assert.equal(undeployed.code, 5, undeployed.stderr);
  });
});

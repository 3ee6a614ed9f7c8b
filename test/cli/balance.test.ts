// `capstan balance status | plan | events | apply | dismiss` against a real manager process:
// the tables, --json, and refusals with their exit codes. (What the balancer decides is tested
// in test/unit/scheduler and test/manager/balance.test.ts.)
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BalancePlan, BalanceStatus } from '../../src/api/balance.js';
import { CliWorld, ok, type CliResult } from './harness.js';

const json = <T>(r: CliResult): T => JSON.parse(ok(r).stdout) as T;

describe('capstan balance', () => {
  const w = new CliWorld();

  before(async () => {
    await w.startManager();
    const first = readFileSync(join(w.dataDir, 'initial-admin-password'), 'utf8').trim();
    ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin'], { input: `${first}\nadmin-pass-2\n` }));
    const policy = join(w.dataDir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ enabled: true, automation: 'recommend', metrics: [{ metric: 'cpu', weight: 1 }], maxThreshold: 75, minThreshold: 5 }));
    ok(await w.cli(['group', 'create', 'web', '--policy', policy]));
  });
  after(() => w.close());

  it('status: every group with its mode and band, as a table and as JSON', async () => {
    const out = ok(await w.cli(['balance', 'status'])).stdout;
    assert.match(out, /^Group\s+Mode\s+State\s+Band/m);
    assert.match(out, /^web\s+recommend\s+-\s+5–75%/m);
    assert.match(out, /^default\s+off\s+/m);
    const s = json<BalanceStatus>(await w.cli(['--json', 'balance', 'status']));
    assert.deepEqual(s.groups.map((g) => [g.group.name, g.mode]), [['default', 'off'], ['web', 'recommend']]);
  });

  it('plan: a dry run per group, or for the one named; an unknown group is refused', async () => {
    const out = ok(await w.cli(['balance', 'plan', 'web'])).stdout;
    assert.match(out, /^web\s+recommend\s+0\.0%\s+5–75%\s+-\s+-\s+the group has no Active WPAR on a system$/m);
    const p = json<BalancePlan>(await w.cli(['--json', 'balance', 'plan']));
    assert.deepEqual(p.groups.map((g) => [g.group.name, g.proposal]), [['default', null], ['web', null]]);
    const bad = await w.cli(['balance', 'plan', 'nosuch']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /CAP-E0002/);
  });

  it('events: none yet; dismissing or applying an unknown recommendation is refused', async () => {
    assert.deepEqual(json<{ items: unknown[]; total: number }>(await w.cli(['--json', 'balance', 'events', '--group', 'web'])), { items: [], total: 0 });
    for (const verb of ['dismiss', 'apply']) {
      const r = await w.cli(['balance', verb, '00000000-0000-0000-0000-000000000000']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /CAP-E0002/);
    }
  });
});

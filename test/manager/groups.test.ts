// WPAR groups and their relocation policies: the policy rules without I/O, then the routes
// on SQLite and PostgreSQL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from 'typebox/value';
import { policyProblems, RelocationPolicy } from '../../src/api/groups.js';
import { DEFAULTS } from '../../src/manager/db/migrations.js';
import { count, DB_KINDS, refused, managerPerSuite, succeeded } from './wpars-fixtures.js';

const policy = (p: object = {}) => Value.Default(RelocationPolicy, structuredClone(p)) as RelocationPolicy;

describe('relocation policy rules', () => {
  it('accepts the defaults', () => {
    assert.deepEqual(policyProblems(policy()), []);
    assert.deepEqual(policyProblems(policy({ enabled: true })), []);
  });

  it('keeps the limit of a utilization metric at 1 and lets a rate metric set its own', () => {
    assert.deepEqual(policyProblems(policy({ metrics: [{ metric: 'cpu', weight: 1, limit: 2 }] })), ['cpu is a utilization metric: its limit must be 1']);
    assert.deepEqual(policyProblems(policy({ metrics: [{ metric: 'processes', weight: 1, limit: 500 }] })), []);
  });

  it('needs min below max, per metric and for the group', () => {
    assert.deepEqual(policyProblems(policy({ metrics: [{ metric: 'memory', weight: 1, limit: 1, min: 90, max: 10 }] })), ['memory: min is above max']);
    assert.deepEqual(policyProblems(policy({ minThreshold: 80, maxThreshold: 80 })), ['minThreshold must be below maxThreshold']);
  });

  it('refuses a metric listed twice', () => {
    assert.deepEqual(policyProblems(policy({ metrics: [{ metric: 'cpu', weight: 1, limit: 1 }, { metric: 'cpu', weight: 2, limit: 1 }] })), ['metric cpu is listed twice']);
  });

  it('needs a weight above zero when policy-based relocation is on (the seed: else the state is always zero)', () => {
    const zero = { metrics: [{ metric: 'cpu', weight: 0, limit: 1 }] };
    assert.deepEqual(policyProblems(policy(zero)), []);
    assert.deepEqual(policyProblems(policy({ ...zero, enabled: true })), ['policy-based relocation needs a metric with a weight above zero']);
  });
});

for (const { kind, skip } of DB_KINDS) {
  describe(`WPAR groups (${kind})`, { skip }, () => {
    const mgr = managerPerSuite(kind);
    const { call } = mgr;

    it('has the default group with the default policy filled in', async () => {
      const g = (await call('GET', '/groups/default', mgr.monitor)).json();
      assert.equal(g.id, DEFAULTS.groupId);
      assert.equal(g.isDefault, true);
      assert.deepEqual(g.policy, policy());
      assert.equal(g.policy.enabled, false);
      assert.equal(g.policy.averagingPeriodMinutes, 10);
    });

    it('creates a group with a policy, defaults completing it', async () => {
      const res = await call('POST', '/groups', mgr.admin, {
        name: 'web',
        description: 'web tier',
        policy: { enabled: true, metrics: [{ metric: 'cpu', weight: 2 }, { metric: 'processes', weight: 1, limit: 400, max: 90 }], triggerCount: 5 },
      });
      assert.equal(res.statusCode, 201, res.body);
      const g = res.json();
      assert.deepEqual(g.policy, {
        enabled: true,
        metrics: [{ metric: 'cpu', weight: 2, limit: 1 }, { metric: 'processes', weight: 1, limit: 400, max: 90 }],
        maxThreshold: 80,
        minThreshold: 20,
        averagingPeriodMinutes: 10,
        triggerCount: 5,
        compatibilityTests: [],
        postCopy: true,
        restartOnHostFailure: false,
        automation: 'recommend',
        pinned: [],
        affinity: [],
        antiAffinity: [],
      });
      assert.equal(g.wparCount, 0);
      assert.deepEqual((await call('GET', `/groups/${g.id}`, mgr.monitor)).json(), g);
    });

    it('refuses a policy that breaks its rules (CAP-E0303) or its schema (CAP-E0001), storing nothing', async () => {
      const before = await count(mgr.m, 'wpar_groups');
      const bad = await call('POST', '/groups', mgr.admin, { name: 'bad', policy: { enabled: true, metrics: [{ metric: 'cpu', weight: 0 }] } });
      refused(bad, 400, 'CAP-E0303');
      assert.deepEqual(bad.json().details.problems, ['policy-based relocation needs a metric with a weight above zero']);
      refused(await call('POST', '/groups', mgr.admin, { name: 'bad', policy: { metrics: [{ metric: 'cpu', weight: -1 }] } }), 400, 'CAP-E0001');
      refused(await call('POST', '/groups', mgr.admin, { name: 'bad', policy: { metrics: [{ metric: 'gpu', weight: 1 }] } }), 400, 'CAP-E0001');
      refused(await call('POST', '/groups', mgr.admin, { name: 'bad', policy: { averagingPeriodMinutes: 0 } }), 400, 'CAP-E0001');
      assert.equal(await count(mgr.m, 'wpar_groups'), before);
    });

    it('modifies name, description and policy; a refused change leaves the group as it was', async () => {
      await call('POST', '/groups', mgr.admin, { name: 'db' });
      const ok = await call('PATCH', '/groups/db', mgr.admin, { description: 'database tier', policy: { enabled: true, maxThreshold: 70 } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().policy.maxThreshold, 70);
      refused(await call('PATCH', '/groups/db', mgr.admin, { name: 'web' }), 409, 'CAP-E0003');
      refused(await call('PATCH', '/groups/db', mgr.admin, { policy: { minThreshold: 90, maxThreshold: 10 } }), 400, 'CAP-E0303');
      const g = (await call('GET', '/groups/db', mgr.monitor)).json();
      assert.equal(g.name, 'db');
      assert.equal(g.description, 'database tier');
      assert.equal(g.policy.maxThreshold, 70);
    });

    it('never removes the default group (CAP-E0300) nor one with WPARs (CAP-E0301)', async () => {
      refused(await call('DELETE', '/groups/default', mgr.admin), 409, 'CAP-E0300');
      await call('POST', '/groups', mgr.admin, { name: 'apps' });
      await succeeded(mgr.m, await call('POST', '/wpars', mgr.user, { name: 'member1', type: 'system', group: 'apps' }));
      refused(await call('DELETE', '/groups/apps', mgr.admin), 409, 'CAP-E0301');
      assert.equal((await call('GET', '/groups/apps', mgr.monitor)).json().wparCount, 1);
      await succeeded(mgr.m, await call('DELETE', '/wpars/member1', mgr.user));
      assert.equal((await call('DELETE', '/groups/apps', mgr.admin)).statusCode, 204);
      refused(await call('GET', '/groups/apps', mgr.monitor), 404, 'CAP-E0002');
    });

    it('lets only system managers create or change relocation policies (the seed: WPARUser may not)', async () => {
      const before = await count(mgr.m, 'wpar_groups');
      refused(await call('POST', '/groups', mgr.user, { name: 'mine' }), 403, 'CAP-E0102');
      refused(await call('PATCH', '/groups/db', mgr.user, { policy: { enabled: false } }), 403, 'CAP-E0102');
      refused(await call('DELETE', '/groups/db', mgr.monitor), 403, 'CAP-E0102');
      assert.equal(await count(mgr.m, 'wpar_groups'), before);
      assert.equal((await call('GET', '/groups', mgr.user)).statusCode, 200);
    });
  });
}

// The balancer through the services and the HTTP routes, on SQLite and PostgreSQL: a hot group
// in automatic mode starts a relocation task; one in recommend mode only records a
// recommendation, which a WPARAdministrator applies or dismisses; the group's rules (pinned
// WPARs) hold. Agents are stood in for as in mobility.test.ts: profiles written and the hub's
// hook fired; the test systems have no agent certificate, so a started relocation task ends
// at once (CAP-E0302) without moving anything.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BalanceEventView, BalancePlan, BalanceStatus } from '../../src/api/balance.js';
import type { TargetsView } from '../../src/api/placement.js';
import type { Page } from '../../src/api/resources.js';
import { RELOCATE_TASK, type RelocationParams } from '../../src/api/task-kinds.js';
import type { TestManager } from '../helpers/manager.js';
import { hostProfile } from './mobility-fixtures.js';
import { connectedSystem, DB_KINDS, managerPerSuite, refused, succeeded } from './wpars-fixtures.js';

const GIB = 2 ** 30;

async function relocations(m: TestManager): Promise<RelocationParams[]> {
  const rows = await m.services.db.selectFrom('tasks').select('params').where('kind', '=', RELOCATE_TASK).orderBy('created_at').execute();
  return rows.map((r) => JSON.parse(r.params) as RelocationParams);
}

for (const { kind, skip } of DB_KINDS) {
  describe(`balancer (${kind})`, { skip }, () => {
    const mgr = managerPerSuite(kind);
    const { call } = mgr;
    const ids: Record<string, string> = {};
    const policy = (automation: 'recommend' | 'automatic', extra: object = {}) => ({
      enabled: true, automation, metrics: [{ metric: 'cpu', weight: 1 }], maxThreshold: 70, minThreshold: 10, triggerCount: 1, ...extra,
    });
    const events = async (q = ''): Promise<BalanceEventView[]> => {
      const res = await call('GET', `/balance/events${q}`, mgr.monitor);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as Page<BalanceEventView>).items;
    };

    it('sets up two systems, fully compatible, and a hot WPAR of each group on the busy one', async () => {
      const m = mgr.m;
      for (const name of ['busy', 'idle']) {
        ids[name] = (await connectedSystem(m, mgr.admin, name)).id;
        await m.services.db.updateTable('systems').set({ profile: JSON.stringify(hostProfile()), state: 'Online' }).where('id', '=', ids[name]!).execute();
        m.services.agents.hub.profileReported(ids[name]!);
      }
      await m.services.mobility.compatibility.idle();
      assert.equal((await call('POST', '/groups', mgr.admin, { name: 'auto', policy: policy('automatic') })).statusCode, 201);
      assert.equal((await call('POST', '/groups', mgr.admin, { name: 'rec', policy: policy('recommend') })).statusCode, 201);
      assert.equal((await call('POST', '/groups', mgr.admin, { name: 'quiet' })).statusCode, 201);
      const now = Date.now();
      const sample = (kind: 'system' | 'wpar', id: string, cpuCores: number) => ({
        subject_kind: kind, subject_id: id, system_id: kind === 'wpar' ? ids.busy! : id, t: now - 60_000, cpu_cores: cpuCores, cpu_util: cpuCores / 8,
        memory_bytes: GIB, memory_util: 1 / 32, processes: 1, net_rx: 0, net_tx: 0, disk_read: 0, disk_write: 0, effective_cpu_util: null,
      });
      const rows = [sample('system', ids.busy!, 7.5), sample('system', ids.idle!, 0.4)];
      for (const [name, group] of [['a1', 'auto'], ['r1', 'rec'], ['q1', 'quiet']] as const) {
        await succeeded(m, await call('POST', '/wpars', mgr.user, { name, type: 'system', group, system: 'busy', start: true, checkpointable: true }));
        ids[name] = (await call('GET', `/wpars/${name}`, mgr.monitor)).json().id;
        // Each uses 2.4 of the busy system's 7.5 busy cores: 2.4 / (8 − 5.1) = 83% of what is left to it.
        rows.push(sample('wpar', ids[name]!, 2.4));
      }
      await m.services.db.insertInto('metric_samples').values(rows).execute();
    });

    it('refuses rules naming an unknown WPAR (CAP-E0930), changing nothing; stores known ones by id', async () => {
      refused(await call('PATCH', '/groups/rec', mgr.admin, { policy: policy('recommend', { pinned: ['nosuch'] }) }), 400, 'CAP-E0930');
      refused(await call('PATCH', '/groups/rec', mgr.admin, { policy: policy('recommend', { affinity: [['r1', 'a1']], antiAffinity: [['a1', ids.r1]] }) }), 400, 'CAP-E0303');
      const g = (await call('GET', '/groups/rec', mgr.monitor)).json();
      assert.deepEqual([g.policy.pinned, g.policy.affinity], [[], []]);
      // Off (not enabled), but a dry run still shows what it would do.
      const res = await call('PATCH', '/groups/quiet', mgr.admin, { policy: { ...policy('automatic'), enabled: false, pinned: ['q1'] } });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().policy.pinned, [ids.q1]);
    });

    it('a dry run says what each group would move now, and why, with the numbers; pinned WPARs stay', async () => {
      const res = await call('GET', '/balance/plan', mgr.monitor);
      assert.equal(res.statusCode, 200, res.body);
      const plan = (res.json() as BalancePlan).groups;
      const of = (name: string) => plan.find((g) => g.group.name === name)!;
      assert.deepEqual(plan.map((g) => [g.group.name, g.mode]), [['auto', 'automatic'], ['default', 'off'], ['quiet', 'off'], ['rec', 'recommend']]);
      for (const name of ['auto', 'rec']) {
        const p = of(name);
        assert.ok(p.state > 70, `${name}: ${p.state}`);
        assert.deepEqual([p.proposal?.heat, p.proposal?.from?.name, p.proposal?.to.name], ['hot', 'busy', 'idle'], JSON.stringify(p));
        assert.ok(p.proposal!.after < p.proposal!.before && p.proposal!.gain > 2, JSON.stringify(p.proposal));
      }
      assert.deepEqual(of('quiet').wpars.map((w) => [w.wpar.name, w.pinned]), [['q1', true]]);
      assert.equal(of('quiet').proposal, null);
      assert.match(of('quiet').reason, /none movable: pinned/);
      const one = (await call('GET', '/balance/plan?group=rec', mgr.monitor)).json() as BalancePlan;
      assert.deepEqual(one.groups.map((g) => g.group.name), ['rec']);
      refused(await call('GET', '/balance/plan?group=nosuch', mgr.monitor), 404, 'CAP-E0002');
    });

    it('a pass: automatic mode starts a relocation task, recommend mode only records a recommendation, off does nothing', async () => {
      const m = mgr.m;
      await m.services.balance.pass();
      const moves = await relocations(m);
      assert.deepEqual(moves.map((p) => [p.name, p.fromId, p.toId]), [['a1', ids.busy, ids.idle]]);
      const auto = await events('?group=auto');
      assert.deepEqual(auto.map((e) => [e.mode, e.status, e.proposal.wpar.name, e.proposal.to.name]), [['automatic', 'started', 'a1', 'idle']]);
      assert.match(auto[0]!.trigger, /a1 hot for 1 rounds/);
      assert.match(auto[0]!.proposal.reason, /the group is hot/);
      const task = await m.services.tasks.wait(auto[0]!.taskId!, 10_000);
      assert.equal(task.kind, RELOCATE_TASK);
      const rec = await events('?group=rec');
      assert.deepEqual(rec.map((e) => [e.mode, e.status, e.proposal.wpar.name, e.taskId]), [['recommend', 'open', 'r1', null]]);
      assert.deepEqual(await events('?group=quiet'), []);

      // The next pass: the open recommendation holds its group; the moved WPAR settles.
      await m.services.balance.pass();
      assert.equal((await relocations(m)).length, 1);
      assert.equal((await events('?group=rec')).length, 1);
      const status = (await call('GET', '/balance', mgr.monitor)).json() as BalanceStatus;
      const g = status.groups.find((x) => x.group.name === 'rec')!;
      assert.match(g.lastRound!.outcome, /waits to be applied or dismissed/);
      assert.deepEqual(g.lastRound!.wpars.map((w) => [w.wpar.name, w.heat]), [['r1', 'hot']]);
      assert.deepEqual(g.lastEvents.map((e) => e.status), ['open']);
      assert.match(status.groups.find((x) => x.group.name === 'auto')!.lastRound!.outcome, /no move helps enough|none movable/);
    });

    it('a WPARAdministrator dismisses or applies a recommendation; a WPARUser may not; a closed one stays closed', async () => {
      const m = mgr.m;
      const [open] = await events('?group=rec&status=open');
      refused(await call('POST', `/balance/events/${open!.id}/apply`, mgr.user, {}), 403, 'CAP-E0102');
      const dismissed = await call('POST', `/balance/events/${open!.id}/dismiss`, mgr.admin, {});
      assert.equal(dismissed.statusCode, 200, dismissed.body);
      assert.equal(dismissed.json().status, 'dismissed');
      refused(await call('POST', `/balance/events/${open!.id}/dismiss`, mgr.admin, {}), 409, 'CAP-E0931');
      refused(await call('POST', `/balance/events/${open!.id}/apply`, mgr.admin, {}), 409, 'CAP-E0931');
      refused(await call('POST', '/balance/events/00000000-0000-0000-0000-000000000000/apply', mgr.admin, {}), 404, 'CAP-E0002');
      assert.equal((await relocations(m)).length, 1);

      // Released: the next pass recommends again, and applying it relocates.
      await m.services.balance.pass();
      const [again] = await events('?group=rec&status=open');
      assert.ok(again && again.id !== open!.id);
      const applied = await call('POST', `/balance/events/${again.id}/apply`, mgr.admin, {});
      assert.equal(applied.statusCode, 202, applied.body);
      assert.deepEqual((await relocations(m)).map((p) => p.name), ['a1', 'r1']);
      const after = (await events('?group=rec'))[0]!;
      assert.deepEqual([after.status, after.taskId, after.decidedBy !== null], ['applied', applied.json().id, true]);
      await m.services.tasks.wait(applied.json().id, 10_000);
    });

    it("manual and automatic selection honour the group's affinity rules", async () => {
      const targets = async () => (await call('GET', '/wpars/q1/targets', mgr.monitor)).json() as TargetsView;
      assert.deepEqual((await targets()).ranked.map((r) => r.system.name), ['idle']);
      const res = await call('PATCH', '/groups/quiet', mgr.admin, { policy: { ...policy('automatic'), enabled: false, affinity: [['q1', 'a1']] } });
      assert.equal(res.statusCode, 200, res.body);
      const t = await targets();
      assert.deepEqual(t.ranked, []);
      assert.deepEqual(t.others.find((o) => o.system.name === 'idle')?.notAutomatic, ['affinity: it stays with a1, which runs elsewhere']);
      refused(await call('POST', '/wpars/q1/actions/relocate', mgr.admin, {}), 409, 'CAP-E0926');
    });

    it('stops its loop: start and stop leave no pass running', async () => {
      const b = mgr.m.services.balance;
      b.start();
      assert.equal((await call('GET', '/balance', mgr.monitor)).json().running, true);
      await b.stop();
      assert.equal((await call('GET', '/balance', mgr.monitor)).json().running, false);
    });
  });
}

// Compatibility testing in the background and relocation targets, through the services and
// the HTTP routes, on SQLite and PostgreSQL. Agents are stood in for by writing a system's
// host profile and firing the agent hub's "profile reported" hook, as the hub does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostProfile } from '../../src/api/agents.js';
import type { PairView, SystemCompatibilityView } from '../../src/api/compatibility.js';
import type { TargetsView } from '../../src/api/placement.js';
import { CompatibilityService } from '../../src/manager/mobility/compatibility-service.js';
import type { TestManager } from '../helpers/manager.js';
import { silentLog } from './fixtures/test-db.js';
import { hostProfile } from './mobility-fixtures.js';
import { connectedSystem, DB_KINDS, managerPerSuite, refused, succeeded, type Headers } from './wpars-fixtures.js';

const GIB = 2 ** 30;

/** What an agent's hello or "update profile" does: the profile is stored, then the hub tells its listeners. */
async function report(m: TestManager, id: string, profile: HostProfile, state: 'Online' | 'Offline' = 'Online'): Promise<void> {
  await m.services.db.updateTable('systems').set({ profile: JSON.stringify(profile), state }).where('id', '=', id).execute();
  m.services.agents.hub.profileReported(id);
}

async function addSystem(m: TestManager, admin: Headers, name: string, domain?: string): Promise<string> {
  const res = await m.app.inject({ method: 'POST', url: '/api/v1/systems', headers: admin, payload: { name, host: `${name}.example.test`, ...(domain ? { domain } : {}) } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as string;
}

async function resultRows(m: TestManager): Promise<number> {
  const row = await m.services.db.selectFrom('compatibility_results').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

const pairWith = (v: SystemCompatibilityView, other: string): PairView => {
  const p = v.pairs.find((x) => x.other.name === other);
  assert.ok(p, `no pair with ${other} in ${JSON.stringify(v.pairs.map((x) => x.other.name))}`);
  return p;
};

for (const { kind, skip } of DB_KINDS) {
  describe(`compatibility testing (${kind})`, { skip }, () => {
    const mgr = managerPerSuite(kind);
    const { call } = mgr;
    const compat = () => mgr.m.services.mobility.compatibility;
    const view = async (system: string, tests?: string[]): Promise<SystemCompatibilityView> => {
      const res = await call('GET', `/systems/${system}/compatibility${tests ? `?${tests.map((t) => `tests=${t}`).join('&')}` : ''}`, mgr.monitor);
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const ids: Record<string, string> = {};

    it('tests a reported system against every other system with a profile, both directions', async () => {
      ids.alpha = await addSystem(mgr.m, mgr.admin, 'alpha');
      await report(mgr.m, ids.alpha, hostProfile({ kernel: '6.1.0' }));
      await compat().idle();
      const alone = await view('alpha');
      assert.equal(alone.testing.done, true);
      assert.deepEqual(alone.pairs, []);

      ids.beta = await addSystem(mgr.m, mgr.admin, 'beta');
      await report(mgr.m, ids.beta, hostProfile({ kernel: '6.12.0' }));
      await compat().idle();
      assert.equal(await resultRows(mgr.m), 2);

      const a = pairWith(await view('alpha'), 'beta');
      assert.equal(a.state, 'outbound', 'to the newer kernel, not back');
      assert.deepEqual([a.outbound?.passed, a.outbound?.failing, a.inbound?.passed, a.inbound?.failing], [true, [], false, ['kernel']]);
      const kernelBack = a.inbound?.tests.find((t) => t.test === 'kernel');
      assert.deepEqual(kernelBack, { test: 'kernel', passed: false, departure: '6.12.0', arrival: '6.1.0', reason: 'arrival kernel 6.1.0 is older than the departure\'s 6.12.0' });
      assert.equal(pairWith(await view('beta'), 'alpha').state, 'inbound');
      const sys = (await call('GET', '/systems/beta', mgr.monitor)).json();
      assert.equal(typeof sys.compatibilityTestedAt, 'string');
      assert.equal(sys.placementBlocked, false);
    });

    it('keeps a pair "testing" while one side has not reported', async () => {
      ids.gamma = await addSystem(mgr.m, mgr.admin, 'gamma');
      const g = await view('gamma');
      assert.equal(g.testing.done, false);
      assert.deepEqual(g.pairs.map((p) => [p.other.name, p.state, p.outbound, p.inbound]), [['alpha', 'testing', null, null], ['beta', 'testing', null, null]]);
      assert.equal(pairWith(await view('alpha'), 'gamma').state, 'testing');
      assert.equal((await call('GET', '/systems/gamma', mgr.monitor)).json().compatibilityTestedAt, null);
    });

    it('applies optional tests asked for, and shows the whole matrix', async () => {
      await report(mgr.m, ids.gamma!, hostProfile({ kernel: '6.1.0', memoryBytes: 16 * GIB }));
      await compat().idle();
      assert.equal(pairWith(await view('alpha'), 'gamma').state, 'fully');
      const withMemory = pairWith(await view('alpha', ['memory']), 'gamma');
      assert.equal(withMemory.state, 'inbound');
      assert.deepEqual(withMemory.outbound?.failing, ['memory']);

      const res = await call('GET', '/compatibility?tests=memory', mgr.monitor);
      assert.equal(res.statusCode, 200, res.body);
      const matrix = res.json();
      assert.deepEqual(matrix.optionalTests, ['memory']);
      assert.deepEqual(matrix.systems.map((s: { name: string; testing: { done: boolean } }) => [s.name, s.testing.done]), [['alpha', true], ['beta', true], ['gamma', true]]);
      const name = (id: string) => Object.entries(ids).find(([, v]) => v === id)?.[0];
      assert.deepEqual(matrix.pairs.map((p: { a: string; b: string; state: string; failing: object }) => [name(p.a), name(p.b), p.state, p.failing]), [
        ['alpha', 'beta', 'outbound', { aToB: [], bToA: ['kernel'] }],
        ['alpha', 'gamma', 'inbound', { aToB: ['memory'], bToA: [] }],
        ['beta', 'gamma', 'inbound', { aToB: ['kernel', 'memory'], bToA: [] }],
      ]);
      refused(await call('GET', '/compatibility?tests=bogus', mgr.monitor), 400, 'CAP-E0001');
      refused(await call('GET', '/systems/nosuch/compatibility', mgr.monitor), 404, 'CAP-E0002');
    });

    it('discards and redoes a system\'s results when its profile is updated', async () => {
      const before = pairWith(await view('alpha'), 'beta').testedAt;
      await report(mgr.m, ids.beta!, hostProfile({ kernel: '6.1.0' }));
      // From the report on, before the background testing ran: nothing is offered with it.
      assert.equal(compat().pending(ids.beta!), true);
      await compat().idle();
      assert.equal(compat().pending(ids.beta!), false);
      const after = pairWith(await view('alpha'), 'beta');
      assert.equal(after.state, 'fully');
      assert.notEqual(after.testedAt, before);
      assert.equal(await resultRows(mgr.m), 6, 'two rows per pair, the old ones gone');
    });

    it('does not test again when a reconnecting agent reports the same profile', async () => {
      const before = (await view('alpha')).testing.testedAt;
      await report(mgr.m, ids.alpha!, hostProfile({ kernel: '6.1.0', collectedAt: '2031-01-01T00:00:00Z' }));
      await compat().idle();
      assert.equal((await view('alpha')).testing.testedAt, before);
    });

    it('takes a burst of reports one system at a time and ends with the newest profiles', async () => {
      const kernels = ['6.1.0', '6.2.0', '6.3.0', '6.4.0', '6.5.0'];
      const burst: Promise<void>[] = [];
      for (const k of kernels) {
        burst.push(report(mgr.m, ids.alpha!, hostProfile({ kernel: k })), report(mgr.m, ids.gamma!, hostProfile({ kernel: k, memoryBytes: 16 * GIB })));
      }
      // The last word, written after the burst (PostgreSQL's pool may reorder concurrent writes).
      await Promise.all(burst);
      await report(mgr.m, ids.alpha!, hostProfile({ kernel: '6.9.0' }));
      await compat().idle();
      assert.equal(await resultRows(mgr.m), 6);
      const a = await view('alpha');
      assert.deepEqual(a.pairs.map((p) => [p.other.name, p.state]), [['beta', 'inbound'], ['gamma', 'inbound']]);
      assert.equal(a.pairs[0]?.inbound?.tests.find((t) => t.test === 'kernel')?.arrival, '6.9.0');
    });

    it('tests again at start what a previous process left unfinished or untested', async () => {
      const { db } = mgr.m.services;
      // As if the manager died while testing alpha, and beta's agent reported while it was down.
      await db.updateTable('system_mobility').set({ compat_tested_at: null }).where('system_id', '=', ids.alpha!).execute();
      await db.updateTable('systems').set({ profile: JSON.stringify(hostProfile({ kernel: '6.9.0' })) }).where('id', '=', ids.beta!).execute();
      const gammaBefore = (await view('gamma')).testing.testedAt;
      const restarted = new CompatibilityService(db, silentLog);
      await restarted.start();
      assert.equal(restarted.pending(ids.alpha!) && restarted.pending(ids.beta!), true);
      assert.equal(restarted.pending(ids.gamma!), false);
      await restarted.idle();
      await restarted.stop();
      const a = await view('alpha');
      assert.equal(a.testing.done, true);
      assert.equal(pairWith(a, 'beta').state, 'fully');
      assert.equal((await view('gamma')).testing.testedAt, gammaBefore, 'an up-to-date system is not tested again');
    });

    it('removes a system\'s pairs with the system', async () => {
      assert.equal((await call('DELETE', '/systems/gamma', mgr.admin)).statusCode, 204);
      assert.equal(await resultRows(mgr.m), 2);
      assert.deepEqual((await view('alpha')).pairs.map((p) => p.other.name), ['beta']);
      const left = await mgr.m.services.db.selectFrom('system_mobility').select('system_id').where('system_id', '=', ids.gamma!).execute();
      assert.deepEqual(left, []);
    });
  });

  describe(`relocation targets (${kind})`, { skip }, () => {
    const mgr = managerPerSuite(kind);
    const { call } = mgr;
    const compat = () => mgr.m.services.mobility.compatibility;
    const targets = async (wpar: string): Promise<TargetsView> => {
      const res = await call('GET', `/wpars/${wpar}/targets`, mgr.monitor);
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const ids: Record<string, string> = {};
    const other = (t: TargetsView, name: string) => t.others.find((o) => o.system.name === name);

    it('refuses a group policy naming an unknown domain; stores a known one by id, with mobility defaults', async () => {
      const prod = (await call('POST', '/domains', mgr.admin, { name: 'prod' })).json();
      await call('POST', '/domains', mgr.admin, { name: 'test' });
      refused(await call('POST', '/groups', mgr.admin, { name: 'web', policy: { domain: 'nope' } }), 400, 'CAP-E0900');
      refused(await call('POST', '/groups', mgr.admin, { name: 'web', policy: { compatibilityTests: ['bogus'] } }), 400, 'CAP-E0001');
      refused(await call('POST', '/groups', mgr.admin, { name: 'web', policy: { systemProfiles: ['not-a-profile'] } }), 400, 'CAP-E0001');
      refused(await call('POST', '/groups', mgr.admin, { name: 'web', policy: { compatibilityTests: ['ntp', 'ntp'] } }), 400, 'CAP-E0303');
      const res = await call('POST', '/groups', mgr.admin, { name: 'web', policy: { domain: 'prod', compatibilityTests: ['memory'] } });
      assert.equal(res.statusCode, 201, res.body);
      const p = res.json().policy;
      assert.deepEqual([p.domain, p.compatibilityTests, p.postCopy, p.restartOnHostFailure, p.systemProfiles], [prod.id, ['memory'], true, false, undefined]);
      const dflt = (await call('GET', '/groups/default', mgr.monitor)).json().policy;
      assert.deepEqual([dflt.domain, dflt.compatibilityTests, dflt.postCopy, dflt.restartOnHostFailure], [undefined, [], true, false]);
      refused(await call('PATCH', '/groups/web', mgr.admin, { policy: { domain: 'gone' } }), 400, 'CAP-E0900');
      assert.equal((await call('GET', '/groups/web', mgr.monitor)).json().policy.domain, prod.id);
    });

    it('ranks only fully compatible, tested, online, open systems of the group\'s domain, and offers the rest manually', async () => {
      const m = mgr.m;
      const base = hostProfile({ kernel: '6.1.0' });
      const { id: departure } = await connectedSystem(m, mgr.admin, 'dep');
      ids.dep = departure;
      await m.services.db.updateTable('systems').set({ domain_id: (await m.services.inventory.domains.get('prod')).id }).where('id', '=', departure).execute();
      await report(m, departure, base);
      for (const [name, domain, profile, state] of [
        ['quiet', 'prod', base, 'Online'],
        ['busy', 'prod', base, 'Online'],
        ['newer', 'prod', hostProfile({ kernel: '6.12.0' }), 'Online'],
        ['small', 'prod', hostProfile({ kernel: '6.1.0', memoryBytes: 16 * GIB }), 'Online'],
        ['elsewhere', 'test', base, 'Online'],
        ['down', 'prod', base, 'Offline'],
      ] as const) {
        ids[name] = await addSystem(m, mgr.admin, name, domain);
        await report(m, ids[name]!, profile, state);
      }
      await compat().idle();
      // Reported, but its testing has not run: the hook was not fired.
      ids.fresh = await addSystem(m, mgr.admin, 'fresh', 'prod');
      await m.services.db.updateTable('systems').set({ profile: JSON.stringify(base), state: 'Online' }).where('id', '=', ids.fresh).execute();

      await succeeded(m, await call('POST', '/wpars', mgr.user, { name: 'app1', type: 'system', group: 'web', system: 'dep' }));
      const wpar = (await call('GET', '/wpars/app1', mgr.monitor)).json();
      const now = Date.now();
      const sample = (kind: 'system' | 'wpar', id: string, cpuCores: number, memoryBytes: number, t = now - 60_000) => ({
        subject_kind: kind, subject_id: id, system_id: kind === 'wpar' ? departure : id, t, cpu_cores: cpuCores, cpu_util: cpuCores / 8,
        memory_bytes: memoryBytes, memory_util: memoryBytes / (32 * GIB), processes: 1, net_rx: 0, net_tx: 0, disk_read: 0, disk_write: 0, effective_cpu_util: null,
      });
      await m.services.db.insertInto('metric_samples').values([
        sample('wpar', wpar.id, 1, 2 * GIB), sample('wpar', wpar.id, 3, 2 * GIB, now - 120_000),
        sample('system', ids.busy!, 5, 20 * GIB), sample('system', ids.quiet!, 1, 4 * GIB),
        // Older than the group's averaging period: not counted.
        sample('system', ids.quiet!, 8, 30 * GIB, now - 3600_000),
      ]).execute();

      const t = await targets('app1');
      assert.deepEqual([t.departure.name, t.group.name, t.domain.name, t.optionalTests, t.use], ['dep', 'web', 'prod', ['memory'], { cpuCores: 2, memoryBytes: 2 * GIB }]);
      assert.deepEqual(t.ranked.map((r) => [r.system.name, r.cpuUtil, r.memoryUtil]), [['quiet', 3 / 8, 6 / 32], ['busy', 7 / 8, 22 / 32]]);
      assert.deepEqual(t.others.map((o) => [o.system.name, o.state, o.offered, o.needsConfirmation]), [
        ['down', 'fully', false, false],
        ['elsewhere', 'fully', true, false],
        ['fresh', 'testing', false, false],
        ['newer', 'outbound', true, true],
        ['small', 'inbound', true, true],
      ]);
      assert.deepEqual(other(t, 'elsewhere')?.notAutomatic, ['in relocation domain test, not prod']);
      assert.equal(other(t, 'fresh')?.notOffered, 'compatibility testing is not done');
      assert.equal(other(t, 'down')?.notOffered, 'the system is Offline');
    });

    it('checks a chosen target: its state and whether to confirm, or why it is not offered', async () => {
      const { targets: svc } = mgr.m.services.mobility;
      assert.deepEqual(await svc.check('app1', 'quiet'), { state: 'fully', needsConfirmation: false });
      assert.deepEqual(await svc.check('app1', 'elsewhere'), { state: 'fully', needsConfirmation: false });
      assert.deepEqual(await svc.check('app1', 'newer'), { state: 'outbound', needsConfirmation: true });
      await assert.rejects(svc.check('app1', 'fresh'), { code: 'CAP-E0901' });
      await assert.rejects(svc.check('app1', 'down'), { code: 'CAP-E0302' });
      await assert.rejects(svc.check('app1', 'dep'), { code: 'CAP-E0903' });
      await assert.rejects(svc.check('app1', 'nosuch'), { code: 'CAP-E0002' });
    });

    it('restarts a WPAR lost with its system where its memory fits, CPU aside, or says why no system would take it', async () => {
      const { targets: svc } = mgr.m.services.mobility;
      const wparId = (await call('GET', '/wpars/app1', mgr.monitor)).json().id as string;
      const hungry = (cpuCores: number, memoryBytes: number) => ({
        subject_kind: 'wpar' as const, subject_id: wparId, system_id: ids.dep!, t: Date.now() - 30_000, cpu_cores: cpuCores, cpu_util: 1,
        memory_bytes: memoryBytes, memory_util: 0, processes: 1, net_rx: 0, net_tx: 0, disk_read: 0, disk_write: 0, effective_cpu_util: null,
      });
      const drop = () => mgr.m.services.db.deleteFrom('metric_samples').where('subject_id', '=', wparId).where('cpu_cores', '>=', 20).execute();
      try {
        // Busier than any system has CPU for: relocation ranks none, a restart still takes the quietest.
        await mgr.m.services.db.insertInto('metric_samples').values(hungry(20, 2 * GIB)).execute();
        assert.deepEqual((await targets('app1')).ranked, []);
        assert.deepEqual(await svc.restartTarget('app1', 0), { target: 'quiet', reasons: [] });
        // Memory must fit: then every system says why not ("fresh" still testing: not waited for with no time to wait).
        await drop();
        await mgr.m.services.db.insertInto('metric_samples').values(hungry(20, 300 * GIB)).execute();
        const none = await svc.restartTarget('app1', 0);
        assert.equal(none.target, undefined);
        assert.match(none.reasons.find((r) => r.startsWith('quiet:')) ?? '', /not enough free memory/);
        assert.match(none.reasons.find((r) => r.startsWith('fresh:')) ?? '', /compatibility testing is not done/);
      } finally {
        await drop();
      }
    });

    it('offers a system once its testing is done', async () => {
      mgr.m.services.agents.hub.profileReported(ids.fresh!);
      await compat().idle();
      assert.deepEqual((await targets('app1')).ranked.map((r) => r.system.name), ['fresh', 'quiet', 'busy']);
      assert.deepEqual(await mgr.m.services.mobility.targets.check('app1', 'fresh'), { state: 'fully', needsConfirmation: false });
    });

    it('leaves out a system being evacuated', async () => {
      await mgr.m.services.mobility.compatibility.setPlacementBlocked(ids.quiet!, true);
      assert.equal((await call('GET', '/systems/quiet', mgr.monitor)).json().placementBlocked, true);
      const t = await targets('app1');
      assert.deepEqual(t.ranked.map((r) => r.system.name), ['fresh', 'busy']);
      assert.equal(other(t, 'quiet')?.notOffered, 'the system is being evacuated');
      await assert.rejects(mgr.m.services.mobility.targets.check('app1', 'quiet'), { code: 'CAP-E0904' });
      // Nor does it take a WPAR deployed there by hand, made and deployed at once or later.
      refused(await call('POST', '/wpars', mgr.user, { name: 'late1', type: 'system', system: 'quiet' }), 409, 'CAP-E0929');
      refused(await call('GET', '/wpars/late1', mgr.monitor), 404, 'CAP-E0002');
      await succeeded(mgr.m, await call('POST', '/wpars', mgr.user, { name: 'late2', type: 'system' }));
      refused(await call('POST', '/wpars/late2/actions/deploy', mgr.user, { system: 'quiet' }), 409, 'CAP-E0929');
      assert.equal((await call('GET', '/wpars/late2', mgr.monitor)).json().state, 'Undeployed');
      await succeeded(mgr.m, await call('DELETE', '/wpars/late2', mgr.user));
      await mgr.m.services.mobility.compatibility.setPlacementBlocked(ids.quiet!, false);
      assert.equal((await call('GET', '/systems/quiet', mgr.monitor)).json().placementBlocked, false);
    });

    it('stays in the domain of the WPAR\'s system when the group names none, and refuses an undeployed WPAR', async () => {
      await succeeded(mgr.m, await call('POST', '/wpars', mgr.user, { name: 'app2', type: 'system', system: 'dep' }));
      const t = await targets('app2');
      assert.deepEqual([t.group.name, t.domain.name, t.optionalTests], ['default', 'prod', []]);
      assert.equal(other(t, 'small'), undefined, 'fully compatible without the memory test');
      await succeeded(mgr.m, await call('POST', '/wpars', mgr.user, { name: 'idle1', type: 'system' }));
      refused(await call('GET', '/wpars/idle1/targets', mgr.monitor), 409, 'CAP-E0902');
      refused(await call('GET', '/wpars/nosuch/targets', mgr.monitor), 404, 'CAP-E0002');
    });
  });
}

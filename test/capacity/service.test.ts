// CapacityService on a real database (SQLite and PostgreSQL) with a simulated clock:
// complexes, codewords with every refusal, activation and the 30-minute rule, the meter and
// its ledger, exhaustion, actual active reports from agents, and a restart mid-metering.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CapstanError } from '../../src/api/errors.js';
import type { ComplexView } from '../../src/api/capacity.js';
import { DB_KINDS, skipUnlessAvailable, worldPerSuite } from './fixtures.js';

async function refused(code: string, p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof CapstanError && e.code === code);
}

const meterDebits = (entries: { kind: string; amount: number }[]): number => entries.filter((e) => e.kind === 'meter').reduce((n, e) => n - e.amount, 0);

for (const kind of DB_KINDS) {
  describe(`capacity service (${kind})`, { skip: skipUnlessAvailable(kind) }, () => {
    const w = worldPerSuite(kind);

    it('declares a complex: rights spread over its systems, Instant Access Capacity credited, IA ≠ AA until reported', async () => {
      const cap = w.service();
      await w.addSystem('c1-a', 8);
      await w.addSystem('c1-b', 8);
      const c = await cap.create({ name: 'c1', serial: 'SN-C1', systems: ['c1-a', 'c1-b'], rights: { cores: 5, memoryGiB: 16 }, instantAccessSeconds: 7200 }, 'admin');
      assert.deepEqual(c.systems.map((s) => [s.name, s.intended.cores, s.intended.memoryGiB, s.actual, s.pending]), [['c1-a', 3, 8, null, true], ['c1-b', 2, 8, null, true]]);
      assert.deepEqual(c.cores, { total: 16, rights: 5, active: 5, inactive: 11 });
      assert.deepEqual(c.memoryGiB, { total: 128, rights: 16, active: 16, inactive: 112 });
      assert.equal(c.cells, null);
      assert.deepEqual([c.temporary.balanceSeconds, c.temporary.coresInUse, c.temporary.projectedExpiry], [7200, 0, null]);
      assert.deepEqual(c.compliance, { compliant: true, reasons: [] });
      assert.deepEqual((await cap.ledger('c1', 10)).map((e) => [e.kind, e.amount, e.balanceAfter]), [['instant-access', 7200, 7200]]);
      assert.deepEqual(await cap.enforcementFor((c.systems[0] as { id: string }).id), { systemId: c.systems[0]?.id, complexId: c.id, serial: 'SN-C1', cores: 3, memoryGiB: 8, cells: null });

      await refused('CAP-E0003', cap.create({ name: 'c1', serial: 'SN-OTHER', systems: [await w.addSystem('c1-c')], rights: { cores: 1 } }, 'admin'));
      await refused('CAP-E0003', cap.create({ name: 'c1x', serial: 'SN-C1', systems: ['c1-c'], rights: { cores: 1 } }, 'admin'));
      await refused('CAP-E0810', cap.create({ name: 'c1y', serial: 'SN-C1Y', systems: ['c1-a'], rights: { cores: 1 } }, 'admin'));
      await refused('CAP-E0002', cap.create({ name: 'c1z', serial: 'SN-C1Z', systems: ['nope'], rights: { cores: 1 } }, 'admin'));
      assert.equal((await cap.list()).length, 1);
    });

    it('applies codewords in order and refuses every bad one with its own code, changing nothing', async () => {
      const cap = w.service();
      await w.addSystem('c2-a', 8);
      await cap.create({ name: 'c2', serial: 'SN-C2', systems: ['c2-a'], rights: { cores: 2 } }, 'admin');
      const first = w.codeword('SN-C2', 1, 'cores', 2);
      const applied = await cap.applyCodeword({ codeword: first }, 'admin');
      assert.deepEqual([applied.complex.name, applied.kind, applied.sequence, applied.quantity, applied.status.cores.rights, applied.status.lastSequence], ['c2', 'cores', 1, 2, 4, 1]);

      const before = await cap.get('c2');
      const ledgerBefore = await cap.ledger('c2', 100);
      const typo = first.slice(0, 3) + (first[3] === '7' ? '8' : '7') + first.slice(4);
      await refused('CAP-E0800', cap.applyCodeword({ codeword: typo }, 'admin'));
      await refused('CAP-E0800', cap.applyCodeword({ codeword: 'HELLO-WORLD' }, 'admin'));
      const { generateIssuerKey, issueCodeword, parsePrivateKey } = await import('../../src/manager/capacity/codeword.js');
      const stranger = issueCodeword({ kind: 'cores', serial: 'SN-C2', sequence: 2, quantity: 8, issuedAt: w.clock.seconds }, parsePrivateKey(generateIssuerKey().privateKeyPem));
      await refused('CAP-E0801', cap.applyCodeword({ codeword: stranger }, 'admin'));
      await refused('CAP-E0802', cap.applyCodeword({ codeword: w.codeword('SN-ELSEWHERE', 2, 'cores', 1) }, 'admin'));
      await refused('CAP-E0802', cap.applyCodeword({ codeword: w.codeword('SN-C1', 1, 'cores', 1), complex: 'c2' }, 'admin'));
      await refused('CAP-E0803', cap.applyCodeword({ codeword: w.codeword('SN-C2', 3, 'cores', 1) }, 'admin'));
      await refused('CAP-E0804', cap.applyCodeword({ codeword: first }, 'admin'));
      await refused('CAP-E0803', cap.applyCodeword({ codeword: w.codeword('SN-C2', 1, 'cores', 9) }, 'admin'));
      assert.deepEqual(await cap.get('c2'), before);
      assert.deepEqual(await cap.ledger('c2', 100), ledgerBefore);

      const temp = await cap.applyCodeword({ codeword: w.codeword('SN-C2', 2, 'temporary', 3600), complex: 'SN-C2' }, 'admin');
      assert.equal(temp.status.temporary.balanceSeconds, 3600);
      const mem = await cap.applyCodeword({ codeword: w.codeword('SN-C2', 3, 'memory', 32) }, 'admin');
      assert.deepEqual(mem.status.memoryGiB?.rights, 32, 'memory is governed from its first rights');
      assert.equal(mem.status.systems[0]?.intended.memoryGiB, 0);
      assert.deepEqual((await cap.ledger('c2', 100)).map((e) => [e.kind, e.amount, e.codewordSequence]), [['codeword', 3600, 2]]);
    });

    it('keeps a serial\'s applied codewords for ever: a complex made again continues the sequence', async () => {
      const cap = w.service();
      await w.addSystem('c9-a', 8);
      await cap.create({ name: 'c9', serial: 'SN-C9', systems: ['c9-a'], rights: { cores: 1 } }, 'admin');
      const one = w.codeword('SN-C9', 1, 'temporary', 3600);
      const two = w.codeword('SN-C9', 2, 'cores', 2);
      await cap.applyCodeword({ codeword: one }, 'admin');
      await cap.applyCodeword({ codeword: two }, 'admin');
      await cap.remove('c9', 'admin');

      const again = await cap.create({ name: 'c9-again', serial: 'SN-C9', systems: ['c9-a'], rights: { cores: 1 } }, 'admin');
      assert.equal(again.lastSequence, 2);
      await refused('CAP-E0804', cap.applyCodeword({ codeword: one }, 'admin'));
      await refused('CAP-E0804', cap.applyCodeword({ codeword: two }, 'admin'));
      await refused('CAP-E0803', cap.applyCodeword({ codeword: w.codeword('SN-C9', 1, 'temporary', 7200) }, 'admin'));
      assert.deepEqual(await cap.get('c9-again'), again, 'refused codewords change nothing');
      const three = await cap.applyCodeword({ codeword: w.codeword('SN-C9', 3, 'temporary', 600) }, 'admin');
      assert.deepEqual([three.complex.name, three.status.lastSequence, three.status.temporary.balanceSeconds], ['c9-again', 3, 600]);
      // Another serial's sequence is its own.
      await w.addSystem('c10-a', 8);
      assert.equal((await cap.create({ name: 'c10', serial: 'SN-C10', systems: ['c10-a'], rights: { cores: 1 } }, 'admin')).lastSequence, 0);
    });

    it('activates within the rights, beyond them with 30 minutes of temporary capacity per core; deactivates always', async () => {
      const cap = w.service();
      const a = await w.addSystem('c3-a', 8);
      await w.addSystem('c3-b', 8);
      await cap.create({ name: 'c3', serial: 'SN-C3', systems: ['c3-a', 'c3-b'], rights: { cores: 2 }, instantAccessSeconds: 3599 }, 'admin');
      const before = await cap.get('c3');
      await refused('CAP-E0805', cap.activate('c3-a', { cores: 2 }, 'admin'));
      await refused('CAP-E0806', cap.activate('c3-a', { cores: 8 }, 'admin'));
      await refused('CAP-E0807', cap.deactivate('c3-a', { cores: 2 }, 'admin'));
      await refused('CAP-E0813', cap.activate('c3-a', { cells: 1 }, 'admin'));
      assert.deepEqual(await cap.get('c3'), before);

      const one = await cap.activate('c3-a', { cores: 1 }, 'admin');
      assert.deepEqual(one.systems.map((s) => s.intended.cores), [2, 1]);
      assert.equal(one.temporary.coresInUse, 1);
      assert.equal(one.temporary.projectedExpiry, new Date((w.clock.seconds + 3599) * 1000).toISOString());
      // A second core beyond the rights would need another 1800 core-seconds.
      await refused('CAP-E0805', cap.activate('c3-b', { cores: 2 }, 'admin'));

      const moved = await cap.move({ from: 'c3-a', to: 'c3-b', cores: 2 }, 'admin');
      assert.deepEqual(moved.systems.map((s) => s.intended.cores), [0, 3]);
      assert.equal(moved.temporary.coresInUse, 1, 'moving keeps the total');
      const down = await cap.deactivate('c3-b', { cores: 3 }, 'admin');
      assert.deepEqual([down.cores.active, down.temporary.coresInUse], [0, 0]);
      assert.deepEqual(await cap.enforcementFor(a), { systemId: a, complexId: down.id, serial: 'SN-C3', cores: 0, memoryGiB: null, cells: null });
      await refused('CAP-E0809', cap.move({ from: 'c3-b', to: 'c2-a', cores: 1 }, 'admin'));
      await refused('CAP-E0808', cap.activate(await w.addSystem('loose'), { cores: 1 }, 'admin'));
    });

    it('meters every second beyond the rights over a simulated clock, at actual active once the agent reports', async () => {
      const cap = w.service();
      const a = await w.addSystem('c4-a');
      await cap.create({ name: 'c4', serial: 'SN-C4', systems: ['c4-a'], rights: { cores: 2 }, instantAccessSeconds: 100_000 }, 'admin');
      await cap.activate('c4-a', { cores: 3 }, 'admin');
      w.clock.advance(60);
      await cap.meterAll();
      let c = await cap.get('c4');
      assert.equal(c.temporary.balanceSeconds, 100_000 - 3 * 60, 'never reported: the intended cores are metered');
      assert.equal(c.systems[0]?.pending, true);

      // The agent applies only 4 of the 5 intended cores (a core failed): 2 beyond the rights.
      w.clock.advance(10);
      await cap.reportActual(a, { cores: 4, memoryGiB: null, cells: null });
      w.clock.advance(30);
      await cap.meterAll();
      c = await cap.get('c4');
      assert.equal(c.temporary.balanceSeconds, 100_000 - 3 * 70 - 2 * 30);
      assert.deepEqual([c.systems[0]?.actual?.cores, c.systems[0]?.pending, c.cores.active], [4, true, 4]);
      await cap.reportActual(a, { cores: 5, memoryGiB: null, cells: null });
      assert.equal((await cap.get('c4')).systems[0]?.pending, false);

      // Repeated runs at the same instant charge nothing more; the ledger's debits are contiguous.
      await cap.meterAll();
      await cap.meterAll();
      const debits = (await cap.ledger('c4', 100)).filter((e) => e.kind === 'meter').reverse();
      assert.equal(meterDebits(debits), 3 * 70 + 2 * 30);
      for (let i = 1; i < debits.length; i++) assert.equal(debits[i]?.from, debits[i - 1]?.to);
      assert.equal((await cap.get('c4')).temporary.balanceSeconds, debits.at(-1)?.balanceAfter);
    });

    it('a restarted manager meters from the durable watermark: the downtime is charged once, nothing twice', async () => {
      const first = w.service();
      await w.addSystem('c5-a');
      const created = await first.create({ name: 'c5', serial: 'SN-C5', systems: ['c5-a'], rights: { cores: 1 }, instantAccessSeconds: 50_000 }, 'admin');
      const start = w.clock.seconds;
      await first.activate('c5-a', { cores: 2 }, 'admin');
      w.clock.advance(17);
      await first.meterAll();
      // The first manager dies here; the second starts 3 minutes later, on the same database.
      w.clock.advance(180);
      const second = w.service();
      await second.meterAll();
      await second.meterAll();
      w.clock.advance(3);
      await second.meterAll();
      const c = await second.get('c5');
      assert.equal(c.temporary.balanceSeconds, 50_000 - 2 * (17 + 180 + 3));
      assert.equal(c.temporary.meteredUntil, new Date((start + 200) * 1000).toISOString());
      const debits = (await second.ledger(created.id, 100)).filter((e) => e.kind === 'meter').reverse();
      assert.deepEqual(debits.map((d) => [d.amount, d.excessCores]), [[-34, 2], [-360, 2], [-6, 2]]);
    });

    it('warns before depletion and, once exhausted, deactivates back to the rights and notifies', async () => {
      const cap = w.service();
      await w.addSystem('c6-a');
      await w.addSystem('c6-b');
      await cap.create({ name: 'c6', serial: 'SN-C6', systems: ['c6-a', 'c6-b'], rights: { cores: 2 }, instantAccessSeconds: 7200, warningPeriodSeconds: 1200, contacts: ['ops@example.test'] }, 'admin');
      await cap.activate('c6-a', { cores: 2 }, 'admin');
      await cap.activate('c6-b', { cores: 1 }, 'admin');
      // 3 cores beyond the rights burn 7200 core-seconds in 2400 s; the warning is due 1200 s before.
      w.clock.advance(1199);
      await cap.meterAll();
      const kinds = async () => (await cap.deliveryLog({ complex: 'c6', limit: 100 })).map((d) => d.kind).filter((k) => k !== 'configuration');
      assert.deepEqual(await kinds(), []);
      w.clock.advance(1);
      await cap.meterAll();
      assert.deepEqual(await kinds(), ['warning']);
      w.clock.advance(600);
      await cap.meterAll();
      assert.deepEqual(await kinds(), ['warning'], 'once');
      w.clock.advance(600);
      await cap.meterAll();
      const c = await cap.get('c6');
      assert.equal(c.temporary.balanceSeconds, 0);
      assert.deepEqual(c.systems.map((s) => s.intended.cores), [0, 2], 'back to the 2 core rights: c6-a (3 cores) gives up 3');
      assert.deepEqual(await kinds(), ['exception', 'warning']);
      const log = await cap.deliveryLog({ complex: 'c6', limit: 100 });
      assert.ok(log.every((d) => d.status === 'failed' && /no SMTP relay/.test(d.error ?? '')), 'no relay configured: recorded as failed');
      assert.ok(c.compliance.compliant);
      w.clock.advance(100);
      await cap.meterAll();
      assert.equal((await cap.get('c6')).temporary.balanceSeconds, 0, 'nothing beyond the rights: nothing metered');
    });

    it('with the "notify" action, an exhausted complex goes negative and out of compliance', async () => {
      const cap = w.service();
      await w.addSystem('c7-a');
      await cap.create({ name: 'c7', serial: 'SN-C7', systems: ['c7-a'], rights: { cores: 1 }, instantAccessSeconds: 1800, exhaustionAction: 'notify' }, 'admin');
      await cap.activate('c7-a', { cores: 1 }, 'admin');
      w.clock.advance(1810);
      await cap.meterAll();
      const c: ComplexView = await cap.get('c7');
      assert.equal(c.temporary.balanceSeconds, -10);
      assert.equal(c.systems[0]?.intended.cores, 2);
      assert.equal(c.compliance.compliant, false);
      assert.match(c.compliance.reasons.join(), /negative/);
      await cap.deactivate('c7-a', { cores: 1 }, 'admin');
      assert.equal((await cap.get('c7')).compliance.compliant, false, 'a negative balance stays non-compliant');
    });
  });
}

// Stored metrics on both databases: ingest (idempotent), query by range, 5-minute rollups
// and retention; the Prometheus export; and the seed's effective utilisation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MetricValues } from '../../src/api/metrics.js';
import { effectiveUtilisation } from '../../src/api/utilisation.js';
import { prometheusText } from '../../src/manager/metrics/prometheus.js';
import { MetricsStore } from '../../src/manager/metrics/store.js';
import { startTestManager, type TestManager } from '../helpers/manager.js';
import { DB_KINDS } from './wpars-fixtures.js';

const values = (cpuCores: number, extra: Partial<MetricValues> = {}): MetricValues => ({
  cpuCores, cpuUtil: cpuCores / 2, memoryBytes: 1000, memoryUtil: 0.1, processes: 3,
  netRxBytesPerSec: 10, netTxBytesPerSec: 20, diskReadBytesPerSec: 0, diskWriteBytesPerSec: 5, effectiveCpuUtil: null, ...extra,
});

describe('effective utilisation', () => {
  it('is WPAR use / (1 - (system use - WPAR use))', () => {
    assert.equal(effectiveUtilisation(0.25, 0.75), 0.5);
    assert.equal(effectiveUtilisation(0.5, 0.5), 0.5);
    assert.equal(effectiveUtilisation(0, 1), 0);
    assert.equal(effectiveUtilisation(0.1, 1), 1, 'capped: a WPAR cannot use more than all that is left');
  });
});

for (const { kind, skip } of DB_KINDS) {
  describe(`metrics store (${kind})`, { skip }, () => {
    let m: TestManager;
    let store: MetricsStore;
    let systemId: string;
    const wparIds = new Map([['w1', 'wpar-1']]);
    // Two days ago, on a 5-minute boundary.
    const t0 = Math.floor((Date.now() - 2 * 86400_000) / 300_000) * 300_000;

    before(async () => {
      m = await startTestManager({ kind });
      store = new MetricsStore(m.services.db);
      systemId = (await m.services.inventory.systems.create({ name: 'host1', host: 'host1.test' })).id;
    });
    after(async () => { await m?.close(); });

    it('stores samples once, drops unknown WPARs, and answers a recent range raw', async () => {
      const now = Date.now();
      const sample = { t: now - 10_000, host: values(1), wpars: { w1: values(0.5, { effectiveCpuUtil: 0.4 }), unknown: values(9) } };
      await store.ingest(systemId, [sample], wparIds);
      await store.ingest(systemId, [sample], wparIds);
      const host = await store.query('system', systemId, now - 60_000, now);
      assert.equal(host.resolution, 'raw');
      assert.equal(host.points.length, 1);
      assert.equal(host.points[0]!.cpuCores, 1);
      const w = await store.query('wpar', 'wpar-1', now - 60_000, now);
      assert.equal(w.points[0]!.effectiveCpuUtil, 0.4);
      assert.equal(store.latest.size, 2);
    });

    it('rolls complete 5-minute buckets into means, keeps them, and drops raw samples past a day', async () => {
      const samples = [0, 1, 2].map((i) => ({ t: t0 + i * 100_000, host: values(i), wpars: {} }));
      samples.push({ t: t0 + 300_000, host: values(10), wpars: {} });
      await store.ingest(systemId, samples, wparIds);
      await store.maintain(Date.now());
      await store.maintain(Date.now());
      const old = await store.query('system', systemId, t0 - 1, t0 + 600_000);
      assert.equal(old.resolution, 'rollup');
      assert.deepEqual(old.points.map((p) => [Date.parse(p.t) - t0, p.cpuCores]), [[0, 1], [300_000, 10]]);
      const raw = await m.services.db.selectFrom('metric_samples').select('t').where('t', '<', Date.now() - 86400_000).execute();
      assert.equal(raw.length, 0);
    });

    it('exports the newest values in the Prometheus text format', async () => {
      const text = await prometheusText(m.services.db, store);
      assert.match(text, /^# TYPE capstan_system_cpu_cores gauge$/m);
      assert.match(text, /^capstan_system_cpu_cores\{system="host1"\} 1 \d+$/m, 'the newest sample, not the last one stored');
      assert.match(text, /^capstan_system_online\{system="host1"\} 0$/m);
    });
  });
}

// The agent's metrics outbox on a real file: what is added survives the process (a new outbox
// on the same file stands for a restart after SIGKILL), only an acknowledgement removes it,
// a torn last line is ignored, and the file stays bounded.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricSample } from '../../../src/api/agents.js';
import { MetricsOutbox } from '../../../src/agent/control/outbox.js';

const dir = mkdtempSync(join(tmpdir(), 'capstan-outbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fresh = (): string => join(dir, `outbox-${++files}.jsonl`);

const values = { cpuCores: 0.5, cpuUtil: 0.25, memoryBytes: 1, memoryUtil: 0.1, processes: 3, netRxBytesPerSec: 0, netTxBytesPerSec: 0, diskReadBytesPerSec: 0, diskWriteBytesPerSec: 0, effectiveCpuUtil: null };
const sample = (t: number): MetricSample => ({ t, host: values, wpars: { w1: values } });
const times = (o: MetricsOutbox): number[] => o.after(0).map((p) => p.sample.t);
const lines = (file: string): number => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;

describe('metrics outbox', () => {
  it('keeps every sample until acknowledged, across a restart', () => {
    const file = fresh();
    const a = new MetricsOutbox(file);
    for (const t of [1, 2, 3]) a.add(sample(t));
    assert.deepEqual(a.after(1).map((p) => p.seq), [2, 3]);
    const restarted = new MetricsOutbox(file);
    assert.deepEqual(times(restarted), [1, 2, 3]);
    restarted.ack(2);
    assert.deepEqual(times(restarted), [3]);
    restarted.add(sample(4));
    assert.deepEqual(restarted.after(0).map((p) => p.seq), [3, 4], 'sequence numbers go on after a restart');
    assert.deepEqual(times(new MetricsOutbox(file)), [3, 4]);
    restarted.ack(4);
    assert.equal(restarted.size, 0);
    assert.equal(lines(file), 0, 'all delivered: nothing left on disk');
    assert.equal(new MetricsOutbox(file).size, 0);
  });

  it('an acknowledgement of what is already gone changes nothing', () => {
    const o = new MetricsOutbox(fresh());
    o.add(sample(1));
    o.ack(0);
    assert.deepEqual(times(o), [1]);
  });

  it('ignores a line torn by a kill mid-write', () => {
    const file = fresh();
    const o = new MetricsOutbox(file);
    o.add(sample(1));
    appendFileSync(file, '{"seq":2,"sample":{"t":');
    const restarted = new MetricsOutbox(file);
    assert.deepEqual(times(restarted), [1]);
    restarted.add(sample(3));
    assert.deepEqual(times(new MetricsOutbox(file)), [1, 3]);
  });

  it('holds at most its bound, dropping the oldest, and keeps the file bounded too', () => {
    const file = fresh();
    const o = new MetricsOutbox(file, 5);
    for (let t = 1; t <= 12; t++) o.add(sample(t));
    assert.deepEqual(times(o), [8, 9, 10, 11, 12]);
    assert.equal(lines(file), 5);
    assert.deepEqual(times(new MetricsOutbox(file, 5)), [8, 9, 10, 11, 12]);
  });

  it('rewrites the file once acknowledged lines pile up', () => {
    const file = fresh();
    const o = new MetricsOutbox(file);
    for (let t = 1; t <= 1500; t++) {
      o.add(sample(t));
      if (t % 10 === 0) o.ack(t - 1); // the manager is always one sample behind
    }
    assert.ok(lines(file) <= 1001 + 1, `the file holds ${lines(file)} lines`);
    assert.deepEqual(times(new MetricsOutbox(file)), times(o));
  });
});

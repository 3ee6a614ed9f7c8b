// A day of metrics buffered by an agent that could not reach the manager (a host with four
// WPARs): replayed through the agent's real control channel and outbox into a real manager,
// every sample is stored and only then leaves the outbox.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { HostProfile, MetricSample, WparReport } from '../../src/api/agents.js';
import { SAMPLE_INTERVAL_MS, type MetricValues } from '../../src/api/metrics.js';
import { normalizeWparSpec, type WparSpec } from '../../src/api/wpar.js';
import { ControlChannel } from '../../src/agent/control/channel.js';
import { AgentFiles } from '../../src/agent/control/config.js';
import { configureAgent } from '../../src/agent/control/configure.js';
import { MAX_PENDING, MetricsOutbox } from '../../src/agent/control/outbox.js';
import { loadManagerConfig } from '../../src/manager/config.js';
import { startManager, type RunningManager } from '../../src/manager/main.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/until.js';

const WPARS = ['w1', 'w2', 'w3', 'w4'];
const profile: HostProfile = {
  hostname: 'host1', cpu: { vendor: 'GenuineIntel', model: 'test', flags: ['sse2'], cores: 4, mhz: 2000 }, memoryBytes: 2 ** 33,
  kernel: '6.1.0', os: { id: 'debian', version: '12', name: 'Debian GNU/Linux 12' }, libc: 'glibc 2.36', runc: '1.1.5', criu: '4.2.1',
  cgroupVersion: 2, ntpSynchronized: true, privileges: { available: [], default: [] }, memoryTransfer: { postCopy: false, preCopy: false }, collectedAt: new Date().toISOString(),
};
const values = (cpu: number): MetricValues => ({
  cpuCores: cpu, cpuUtil: cpu / 4, memoryBytes: 2 ** 28, memoryUtil: 0.03, processes: 7,
  netRxBytesPerSec: 1, netTxBytesPerSec: 2, diskReadBytesPerSec: 3, diskWriteBytesPerSec: 4, effectiveCpuUtil: null,
});

describe('a day of buffered metrics', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'capstan-backlog-'));
  const agentDir = mkdtempSync(join(tmpdir(), 'capstan-backlog-agent-'));
  let manager: RunningManager | undefined;
  let channel: ControlChannel | undefined;

  before(async () => {
    manager = await startManager(loadManagerConfig({ dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent' }), pino({ level: 'silent' }));
    await configureAgent(new AgentFiles(agentDir), {
      managerHost: '127.0.0.1', managerPort: Number(new URL(manager.url).port), agentPort: await freePort(), host: '127.0.0.1', name: 'host1',
      password: manager.services.agents.enrolment.registrationPassword(),
    });
  });
  after(async () => {
    channel?.stop();
    await manager?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(agentDir, { recursive: true, force: true });
  });

  it('is stored whole once the agent reconnects, and acknowledged only then', async () => {
    const files = new AgentFiles(agentDir);
    const outbox = new MetricsOutbox(files.spoolFile);
    const t0 = Date.now() - MAX_PENDING * SAMPLE_INTERVAL_MS;
    for (let i = 0; i < MAX_PENDING; i++) {
      const sample: MetricSample = { t: t0 + i * SAMPLE_INTERVAL_MS, host: values(1), wpars: Object.fromEntries(WPARS.map((w) => [w, values(0.25)])) };
      outbox.add(sample);
    }
    assert.equal(outbox.size, MAX_PENDING);
    const wpars: WparReport[] = WPARS.map((name) => ({ name, spec: normalizeWparSpec({ name, type: 'system' } as WparSpec), state: 'Active' }));
    channel = new ControlChannel({
      managerHost: '127.0.0.1', managerPort: Number(new URL(manager!.url).port), identity: () => files.identity(), outbox,
      hello: async () => ({ type: 'hello', agentVersion: 'test', profile, wpars }),
      onMessage: () => undefined, onState: () => undefined, log: pino({ level: 'silent' }),
    });
    channel.start();
    await until('the outbox acknowledged', () => outbox.size === 0, { within: 300_000 });
    const stored = await manager!.services.db.selectFrom('metric_samples').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), MAX_PENDING * (1 + WPARS.length));
  });
});

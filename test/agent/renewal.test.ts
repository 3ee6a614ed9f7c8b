// The agent's side of certificate renewal, against a real manager whose agent certificates
// live a few seconds: the agent asks for a new certificate once a third of the life is left,
// keeps it only for its own new key, serves it to peers at once, and — after the old one
// expired — reconnects with the new one when the manager restarts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { AgentFiles } from '../../src/agent/control/config.js';
import { configureAgent } from '../../src/agent/control/configure.js';
import { Agent } from '../../src/agent/daemon.js';
import { loadManagerConfig } from '../../src/manager/config.js';
import { startManager, type RunningManager } from '../../src/manager/main.js';
import { importKey, readCertificate, certifiesKey } from '../../src/pki/x509.js';
import { startHarness, type Harness } from '../engine/harness.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/until.js';

/** Short enough to see renewal and expiry within a test; a tenth of it is the clock-skew allowance. */
const LIFETIME_S = 12;

describe('agent certificate renewal', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'capstan-renew-'));
  const agentDir = mkdtempSync(join(tmpdir(), 'capstan-renew-agent-'));
  const files = new AgentFiles(agentDir);
  let port = 0;
  let agentPort = 0;
  let manager: RunningManager | undefined;
  let host: Harness | undefined;
  let agent: Agent | undefined;

  const start = async (): Promise<RunningManager> => {
    const config = loadManagerConfig({ dataDir, host: '127.0.0.1', port, logLevel: 'silent', agents: { certificateLifetimeSeconds: LIFETIME_S } });
    const m = await startManager(config, pino({ level: 'silent' }));
    port = Number(new URL(m.url).port);
    return m;
  };
  /** Connected now (the system's state may still say Online from before a restart). */
  const connected = (m: RunningManager) => until('host1 connected', async () => (await m.services.agents.list()).some((a) => a.systemName === 'host1' && a.connected));
  const serial = (pem: string) => readCertificate(pem).serialNumber.toUpperCase();
  /** The certificate the agent's own port presents. */
  const served = () => new Promise<string>((resolve, reject) => {
    const id = files.identity();
    const s = connect({ host: '127.0.0.1', port: agentPort, key: id.key, cert: id.cert, ca: id.ca, checkServerIdentity: () => undefined }, () => {
      resolve(s.getPeerCertificate().serialNumber.toUpperCase());
      s.end();
    });
    s.on('error', reject);
  });

  before(async () => {
    manager = await start();
    host = await startHarness();
    agentPort = await freePort();
    await configureAgent(files, {
      managerHost: '127.0.0.1', managerPort: port, agentPort, host: '127.0.0.1', name: 'host1',
      password: manager.services.agents.enrolment.registrationPassword(),
      engine: { engineRoot: host.root, bridge: host.bridge, imageRoot: host.env.CAPSTAN_IMAGE_ROOT! },
    });
    agent = new Agent(files, pino({ level: 'silent' }));
    await agent.start();
    await connected(manager);
  });

  after(async () => {
    await agent?.stop();
    await manager?.stop();
    await host?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(agentDir, { recursive: true, force: true });
  });

  it('renews before expiry, and connects with the new certificate once the old one expired', async () => {
    const first = readCertificate(files.identity().cert);
    const firstSerial = serial(files.identity().cert);
    assert.ok(first.notAfter.getTime() - first.notBefore.getTime() <= (LIFETIME_S * 1.1 + 1) * 1000, 'the configured lifetime');

    const renewed = await until('a renewed certificate', () => {
      const id = files.identity();
      return serial(id.cert) !== firstSerial && id;
    });
    assert.ok(await certifiesKey(renewed.cert, await importKey(renewed.key)), 'the new certificate is for the key kept with it');
    assert.ok(readCertificate(renewed.cert).notAfter > first.notAfter);
    assert.equal(await served(), serial(renewed.cert), 'peers see the new certificate at once');

    // Past the first certificate's end, a new connection can only be made with the renewed one.
    await until('the first certificate to expire', () => Date.now() > first.notAfter.getTime() + 1000);
    await manager!.stop();
    manager = await start();
    await connected(manager);
  });
});

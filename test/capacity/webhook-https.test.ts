// Webhook notifications over real HTTPS: local receivers with certificates the test makes. A
// receiver whose certificate a CA the manager is told to trust (notifications.webhookCa) signed
// for its address gets the notice as JSON; one no trusted CA vouches for (no CA configured, a
// self-signed certificate, a certificate for another name) gets nothing, and the delivery is
// recorded failed with the TLS reason named and logged, tried once, without failing the change.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { selfSignedServer, testCa, type ServerCertificate } from '../helpers/test-pki.js';
import { until } from '../helpers/until.js';
import { worldPerSuite } from './fixtures.js';

interface Received {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  encrypted: boolean;
  body: unknown;
}

/** An HTTPS receiver on a loopback port: what it received, and how many TLS handshakes it refused. */
class Receiver {
  readonly received: Received[] = [];
  tlsFailures = 0;
  private server?: Server;
  url = '';

  constructor(private readonly identity: ServerCertificate) {}

  async start(): Promise<void> {
    this.server = createServer({ cert: this.identity.cert, key: this.identity.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          encrypted: 'encrypted' in req.socket && req.socket.encrypted === true,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        res.writeHead(204).end();
      });
    });
    this.server.on('tlsClientError', () => this.tlsFailures++);
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/capstan`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * The receiver sees a refused handshake a moment after the manager gave up on it: wait for
 * `n`, then a little longer, to see that no attempt follows (the delivery was tried once).
 */
async function handshakesRefused(r: Receiver, n: number): Promise<void> {
  await until(`${n} refused handshakes`, () => r.tlsFailures >= n, { within: 10_000, every: 20 });
  await sleep(300);
  assert.equal(r.tlsFailures, n, 'one attempt, no retry');
}

/** The manager's log lines, as JSON. */
function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

describe('webhook notifications over HTTPS', () => {
  const w = worldPerSuite('sqlite');
  const dir = mkdtempSync(join(tmpdir(), 'capstan-webhook-'));
  const caFile = join(dir, 'webhook-ca.pem');
  let trusted: Receiver;
  let selfSigned: Receiver;
  let otherName: Receiver;

  before(async () => {
    const ca = await testCa('Capstan test webhook CA');
    writeFileSync(caFile, ca.cert);
    trusted = new Receiver(await ca.sign(['127.0.0.1', 'localhost']));
    selfSigned = new Receiver(await selfSignedServer(['127.0.0.1', 'localhost']));
    otherName = new Receiver(await ca.sign(['receiver.example.test']));
    for (const r of [trusted, selfSigned, otherName]) await r.start();
    await w.addSystem('hook-a', 8);
    await w.service().create({ name: 'hook', serial: 'SN-HOOK', systems: ['hook-a'], rights: { cores: 2 }, instantAccessSeconds: 7200, warningPeriodSeconds: 60, webhooks: [trusted.url] }, 'admin');
  });
  after(async () => {
    for (const r of [trusted, selfSigned, otherName]) await r?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the notice as JSON over HTTPS to a receiver the trusted CA vouches for', async () => {
    const cap = w.service({ notifications: { webhookCa: caFile } });
    trusted.received.length = 0;
    await cap.activate('hook-a', { cores: 1 }, 'admin');
    await cap.flush();
    assert.equal(trusted.received.length, 1);
    const [got] = trusted.received;
    assert.deepEqual([got?.method, got?.path, got?.encrypted, got?.headers['content-type'], got?.headers['user-agent']], ['POST', '/hooks/capstan', true, 'application/json', 'capstan-manager']);
    const body = got?.body as { kind: string; subject: string; text: string; complex: { name: string }; data: object; at: string };
    assert.deepEqual([body.kind, body.subject, body.complex.name, body.data], ['configuration', 'hook: 1 cores activated on hook-a by admin', 'hook', {}]);
    assert.match(body.text, /Instant capacity configuration change on complex hook \(serial SN-HOOK\)/);
    assert.ok(Date.parse(body.at) > 0);
    const [delivery] = await cap.deliveryLog({ complex: 'hook', limit: 1 });
    assert.deepEqual([delivery?.channel, delivery?.target, delivery?.status, delivery?.error], ['webhook', trusted.url, 'sent', null]);

    const [test] = await cap.testNotification('hook');
    assert.deepEqual([test?.status, test?.error], ['sent', null]);
    assert.equal((trusted.received.at(-1)?.body as { kind: string }).kind, 'test');
  });

  it('refuses a receiver no trusted CA vouches for: nothing sent, the delivery failed with the reason, logged, tried once', async () => {
    const { log, lines } = capturedLog();
    const cap = w.service({ log });
    const before = trusted.received.length;
    const failuresBefore = trusted.tlsFailures;
    const failed = async () => (await cap.deliveryLog({ complex: 'hook', limit: 100 })).filter((d) => d.status === 'failed').length;
    const failedBefore = await failed();
    // The change itself goes through: a notification never fails it.
    const changed = await cap.activate('hook-a', { cores: 1 }, 'admin');
    assert.equal(changed.systems[0]?.intended.cores, 4);
    await cap.flush();
    assert.equal(trusted.received.length, before, 'the receiver got nothing');
    await handshakesRefused(trusted, failuresBefore + 1);
    const [delivery] = await cap.deliveryLog({ complex: 'hook', limit: 1 });
    assert.equal(delivery?.status, 'failed');
    assert.match(delivery?.error ?? '', /^the receiver's TLS certificate is not trusted \(unable to verify the first certificate; UNABLE_TO_VERIFY_LEAF_SIGNATURE\): the manager trusts the system's CAs and those of notifications\.webhookCa in manager\.json$/);
    const logged = lines.filter((l) => l.msg === 'notification not delivered');
    assert.equal(logged.length, 1);
    assert.deepEqual([logged[0]?.channel, logged[0]?.target, logged[0]?.err], ['webhook', trusted.url, delivery?.error]);
    // Each notice is one delivery, recorded once: the next one is tried (and fails) on its own.
    const [test] = await cap.testNotification('hook');
    assert.equal(test?.status, 'failed');
    await handshakesRefused(trusted, failuresBefore + 2);
    assert.equal(await failed(), failedBefore + 2);
  });

  it('refuses a self-signed receiver and one whose certificate names another host, even with the CA configured', async () => {
    const { log, lines } = capturedLog();
    const cap = w.service({ notifications: { webhookCa: caFile }, log });
    await cap.modify('hook', { webhooks: [selfSigned.url, otherName.url, trusted.url] }, 'admin');
    await cap.flush();
    lines.length = 0;
    const deliveries = await cap.testNotification('hook');
    const byTarget = new Map(deliveries.map((d) => [d.target, d]));
    assert.equal(byTarget.get(trusted.url)?.status, 'sent');
    assert.equal(byTarget.get(selfSigned.url)?.status, 'failed');
    assert.match(byTarget.get(selfSigned.url)?.error ?? '', /^the receiver's TLS certificate is not trusted \(self-signed certificate; DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    assert.equal(byTarget.get(otherName.url)?.status, 'failed');
    assert.match(byTarget.get(otherName.url)?.error ?? '', /^the receiver's TLS certificate is not trusted \(Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list: ; ERR_TLS_CERT_ALTNAME_INVALID\)/);
    assert.deepEqual([selfSigned.received.length, otherName.received.length], [0, 0]);
    assert.deepEqual(lines.filter((l) => l.msg === 'notification not delivered').map((l) => l.target).sort(), [otherName.url, selfSigned.url].sort());
  });

  it('refuses to start with a webhookCa file that holds no certificate', () => {
    const bad = join(dir, 'not-a-ca.pem');
    writeFileSync(bad, 'hello');
    assert.throws(() => w.service({ notifications: { webhookCa: bad } }), /notifications\.webhookCa: .*not-a-ca\.pem holds no PEM certificate/);
    assert.throws(() => w.service({ notifications: { webhookCa: join(dir, 'missing.pem') } }), /notifications\.webhookCa: cannot read .*missing\.pem/);
  });
});

// A real SMTP exchange: a local SMTP server (smtp-server) stands in for the relay; the meter,
// on a simulated clock, reaches the warning period and the depletion warning arrives there
// by SMTP. A relay that refuses is recorded as a failed delivery.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { worldPerSuite } from './fixtures.js';

/** The Subject header, unfolded (long headers are folded over lines). */
function subjectOf(message: string): string | undefined {
  return /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(message)?.[1]?.replace(/\r?\n(?=[ \t])/g, '');
}

interface Received {
  from: string;
  to: string[];
  data: string;
}

describe('notifications over SMTP', () => {
  const w = worldPerSuite('sqlite');
  const received: Received[] = [];
  let refuse = false;
  let port = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(_address, _session, callback) {
      callback(refuse ? Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });

  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    port = (server.server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('delivers the depletion warning to the complex\'s contacts through the relay', async () => {
    const cap = w.service({ notifications: { smtp: { host: '127.0.0.1', port, from: 'capstan@example.test' } } });
    await w.addSystem('mail-a');
    await cap.create({ name: 'mail', serial: 'SN-MAIL', systems: ['mail-a'], rights: { cores: 1 }, instantAccessSeconds: 36_000, warningPeriodSeconds: 3600, contacts: ['ops@example.test', 'cfo@example.test'] }, 'admin');
    await cap.activate('mail-a', { cores: 2 }, 'admin');
    await cap.flush();
    const subjects = () => received.map((r) => subjectOf(r.data));
    assert.deepEqual(subjects(), [
      '[capstan] mail: complex mail created by admin (serial SN-MAIL, 1 core usage rights)',
      '[capstan] mail: 2 cores activated on mail-a by admin',
    ], 'configuration changes');

    // 2 cores beyond the rights: 36000 core-seconds last 5 hours; warned 1 hour before.
    w.clock.advance(4 * 3600 - 1);
    await cap.meterAll();
    assert.equal(received.length, 2);
    w.clock.advance(1);
    await cap.meterAll();
    assert.equal(received.length, 3);
    const mail = received[2] as Received;
    assert.equal(mail.from, 'capstan@example.test');
    assert.deepEqual(mail.to, ['ops@example.test', 'cfo@example.test']);
    const expiry = new Date((w.clock.seconds + 3600) * 1000).toISOString();
    assert.equal(subjectOf(mail.data), `[capstan] temporary capacity of mail runs out at ${expiry}`);
    assert.match(mail.data, /7200 core-seconds of temporary capacity are left/);
    const log = await cap.deliveryLog({ complex: 'mail', limit: 10 });
    assert.deepEqual(log.map((d) => [d.kind, d.channel, d.status]).sort(), [['configuration', 'email', 'sent'], ['configuration', 'email', 'sent'], ['warning', 'email', 'sent']]);
  });

  it('records a delivery the relay refuses as failed, with the reason; the test notification says so', async () => {
    const cap = w.service({ notifications: { smtp: { host: '127.0.0.1', port, from: 'capstan@example.test' } } });
    refuse = true;
    try {
      const [d] = await cap.testNotification('mail');
      assert.equal(d?.status, 'failed');
      assert.match(d?.error ?? '', /mailbox unavailable/);
    } finally {
      refuse = false;
    }
    const [ok] = await cap.testNotification('mail');
    assert.equal(ok?.status, 'sent');
    assert.equal(subjectOf(received.at(-1)?.data ?? ''), '[capstan] test notification for complex mail');
  });
});

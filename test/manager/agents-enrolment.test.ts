// Agent registration and trust on both databases: the password, certificates signed by the
// manager's CA, renewal, revocation, registrations that wait for an administrator, the
// throttle per address; every refusal with its code and nothing stored.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AgentEnrolment, REGISTRATION_PASSWORD_FILE } from '../../src/manager/agents/enrolment.js';
import { certificateRequest, newKey } from '../../src/pki/x509.js';
import { startTestManager, type TestManager } from '../helpers/manager.js';
import { count, DB_KINDS } from './wpars-fixtures.js';

for (const { kind, skip } of DB_KINDS) {
  describe(`agent enrolment (${kind})`, { skip }, () => {
    let m: TestManager;
    let enrolment: AgentEnrolment;
    before(async () => {
      m = await startTestManager({ kind });
      enrolment = m.services.agents.enrolment;
    });
    after(async () => { await m?.close(); });

    const request = async (name: string, password = enrolment.registrationPassword()) => {
      const key = await newKey();
      return { password, csr: await certificateRequest(name, key.keys), name, host: '192.0.2.7', agentPort: 9510 };
    };
    const certRows = async () => (await m.services.db.selectFrom('agent_certificates').selectAll().execute()).length;

    const FROM = '192.0.2.50';
    it('refuses a wrong password and a malformed request, storing nothing', async () => {
      await assert.rejects(enrolment.register(await request('h1', 'wrong-password'), FROM), { code: 'CAP-E0600' });
      await assert.rejects(enrolment.register({ ...(await request('h1')), csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----' }, FROM), { code: 'CAP-E0602' });
      assert.equal(await count(m, 'systems'), 0);
      assert.equal(await certRows(), 0);
    });

    it('signs the agent a certificate of its CA, naming its system, and adds the system', async () => {
      const res = await enrolment.register(await request('h1'), FROM);
      const cert = new X509Certificate(res.certificate);
      assert.ok(cert.verify(new X509Certificate(res.caCertificate).publicKey), 'signed by the CA');
      assert.match(cert.subject, new RegExp(res.systemId));
      assert.equal(await enrolment.systemOf(cert.serialNumber), res.systemId);
      assert.equal((await m.services.inventory.systems.get('h1')).state, 'Unknown');
    });

    it('renews: the new certificate works at once, the old one until the agent has saved the new one', async () => {
      const { id } = await m.services.inventory.systems.get('h1');
      const old = (await enrolment.list(() => false))[0]!.certificateSerial;
      const pem = await enrolment.renew(id, (await request('h1')).csr);
      const renewed = new X509Certificate(pem).serialNumber;
      assert.equal(await enrolment.systemOf(renewed), id);
      assert.equal(await enrolment.systemOf(old), id);
      assert.equal(await enrolment.retire(id, renewed), true);
      await assert.rejects(enrolment.systemOf(old), { code: 'CAP-E0601' });
      assert.ok((await enrolment.revokedSerials()).includes(old));
      assert.equal(await enrolment.retire(id, renewed), false, 'nothing more to revoke');
      await assert.rejects(enrolment.retire(id, old), { code: 'CAP-E0601' }, 'a revoked certificate cannot retire the current one');
    });

    it('never lets a registration take a system over by itself: it waits for an administrator, who may refuse', async () => {
      const { id } = await m.services.inventory.systems.get('h1');
      const current = (await enrolment.list(() => false))[0]!.certificateSerial;
      const intruder = await request('h1');
      await assert.rejects(enrolment.register(intruder, '198.51.100.9'), { code: 'CAP-E0613' });
      await assert.rejects(enrolment.register(intruder, '198.51.100.9'), { code: 'CAP-E0613' }, 'asking again waits on');
      assert.equal(await enrolment.systemOf(current), id, 'the registered agent is untouched');
      const [waiting] = await enrolment.requests.list();
      assert.equal(waiting!.systemName, 'h1');
      assert.equal(waiting!.state, 'pending');
      assert.equal(waiting!.source, '198.51.100.9');
      assert.match(waiting!.keyFingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

      assert.equal((await enrolment.requests.decide('h1', 'refused', 'admin')).state, 'refused');
      await assert.rejects(enrolment.register(intruder, '198.51.100.9'), { code: 'CAP-E0614' });
      await assert.rejects(enrolment.requests.decide('h1', 'approved', 'admin'), { code: 'CAP-E0615' }, 'a decision is final');
      await assert.rejects(enrolment.requests.decide('nosuch', 'approved', 'admin'), { code: 'CAP-E0615' });
      assert.equal(await enrolment.systemOf(current), id);
      assert.equal(await certRows(), 2);
    });

    it('an approved registration takes the system over when its agent asks again: the old certificates are revoked', async () => {
      const { id } = await m.services.inventory.systems.get('h1');
      const current = (await enrolment.list(() => false))[0]!.certificateSerial;
      const reinstalled = await request('h1');
      await assert.rejects(enrolment.register(reinstalled, FROM), { code: 'CAP-E0613' });
      await assert.rejects(enrolment.register({ ...reinstalled, host: '203.0.113.1' }, FROM), { code: 'CAP-E0613' }, 'another host replaces the request');
      await assert.rejects(enrolment.register(reinstalled, FROM), { code: 'CAP-E0613' }, 'and this one replaces it again');
      await enrolment.requests.decide('h1', 'approved', 'admin');
      const again = await enrolment.register(reinstalled, FROM);
      assert.equal(again.systemId, id);
      await assert.rejects(enrolment.systemOf(current), { code: 'CAP-E0601' });
      assert.equal(await enrolment.systemOf(new X509Certificate(again.certificate).serialNumber), id);
      assert.deepEqual(await enrolment.requests.list(), [], 'the request is done with');

      await m.services.inventory.systems.remove('h1');
      const serial = new X509Certificate(again.certificate).serialNumber;
      await assert.rejects(enrolment.systemOf(serial), { code: 'CAP-E0601' });
      assert.ok((await enrolment.revokedSerials()).includes(serial));
    });

    it('throttles failed registrations per address, the right password included', async () => {
      for (let i = 0; i < 5; i++) await assert.rejects(enrolment.register(await request('h2', 'guess-' + String(i).repeat(12)), '198.51.100.77'), { code: 'CAP-E0600' });
      await assert.rejects(enrolment.register(await request('h2'), '198.51.100.77'), { code: 'CAP-E0616' });
      await enrolment.register(await request('h2'), '198.51.100.78');
    });

    it('needs a registration password of 16 characters', async () => {
      assert.throws(() => enrolment.setPassword('fifteen-chars!!'), { code: 'CAP-E0001' });
      writeFileSync(join(m.dataDir, REGISTRATION_PASSWORD_FILE), 'short-by-hand\n');
      await assert.rejects(enrolment.register(await request('h3', 'short-by-hand'), FROM), { code: 'CAP-E0612' });
      enrolment.setPassword('sixteen-chars-ok');
      await enrolment.register(await request('h3', 'sixteen-chars-ok'), FROM);
    });
  });
}

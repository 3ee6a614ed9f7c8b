// Agent registration and trust on both databases: the password, certificates signed by the
// manager's CA, renewal, revocation; every refusal with its code and nothing stored.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AgentEnrolment } from '../../src/manager/agents/enrolment.js';
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

    it('refuses a wrong password and a malformed request, storing nothing', async () => {
      await assert.rejects(enrolment.register(await request('h1', 'wrong-password')), { code: 'CAP-E0600' });
      await assert.rejects(enrolment.register({ ...(await request('h1')), csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----' }), { code: 'CAP-E0602' });
      assert.equal(await count(m, 'systems'), 0);
      assert.equal(await certRows(), 0);
    });

    it('signs the agent a certificate of its CA, naming its system, and adds the system', async () => {
      const res = await enrolment.register(await request('h1'));
      const cert = new X509Certificate(res.certificate);
      assert.ok(cert.verify(new X509Certificate(res.caCertificate).publicKey), 'signed by the CA');
      assert.match(cert.subject, new RegExp(res.systemId));
      assert.equal(await enrolment.systemOf(cert.serialNumber), res.systemId);
      assert.equal((await m.services.inventory.systems.get('h1')).state, 'Unknown');
    });

    it('renews: the new certificate works, and so does the old one until it expires', async () => {
      const { id } = await m.services.inventory.systems.get('h1');
      const pem = await enrolment.renew(id, (await request('h1')).csr);
      assert.equal(await enrolment.systemOf(new X509Certificate(pem).serialNumber), id);
      assert.equal(await certRows(), 2);
    });

    it('re-registering a host revokes its older certificates; removing the system revokes all', async () => {
      const before = (await enrolment.list(() => false))[0]!;
      const again = await enrolment.register(await request('h1'));
      await assert.rejects(enrolment.systemOf(before.certificateSerial), { code: 'CAP-E0601' });
      const serial = new X509Certificate(again.certificate).serialNumber;
      assert.equal(await enrolment.systemOf(serial), again.systemId);
      assert.ok((await enrolment.revokedSerials()).includes(before.certificateSerial));

      await m.services.inventory.systems.remove('h1');
      await assert.rejects(enrolment.systemOf(serial), { code: 'CAP-E0601' });
      assert.ok((await enrolment.revokedSerials()).includes(serial));
    });
  });
}

// The manager's certificate authority: made on first start in the data directory, it signs
// the certificates of registered agents (mutual TLS on the control channel and between agents).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurableSync } from '../../fs/durable.js';
import { importKey, issue, newKey, readCertificate, readRequest } from '../../pki/x509.js';

/** Agent certificates are short-lived (30 days unless configured); agents renew them once a third of the time is left. */
export const DEFAULT_AGENT_CERT_SECONDS = 30 * 86_400;
const CA_CERT_SECONDS = 3650 * 86_400;

export interface SignedCertificate {
  pem: string;
  /** Upper-case hex, as TLS peers report it. */
  serial: string;
  notAfter: Date;
}

export class CertificateAuthority {
  private constructor(readonly certPem: string, private readonly keys: CryptoKeyPair) {}

  static async open(dataDir: string): Promise<CertificateAuthority> {
    const dir = join(dataDir, 'pki');
    const certFile = join(dir, 'ca.pem');
    const keyFile = join(dir, 'ca.key');
    if (existsSync(certFile) && existsSync(keyFile)) {
      return new CertificateAuthority(readFileSync(certFile, 'utf8'), await importKey(readFileSync(keyFile, 'utf8')));
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = await newKey();
    const cert = await issue({ subject: 'Capstan agent CA', publicKey: key.keys.publicKey, keys: key.keys, lifetimeSeconds: CA_CERT_SECONDS, usage: 'ca' });
    // The key first, each file whole and durable: a certificate without its key, or half a
    // key, would be unusable after a crash here (and every agent's certificate with it).
    writeFileDurableSync(keyFile, key.key, 0o600);
    writeFileDurableSync(certFile, cert.toString('pem'), 0o644);
    return new CertificateAuthority(cert.toString('pem'), key.keys);
  }

  /** Signs a request for the agent of `systemId` (the certificate's common name). */
  async sign(csrPem: string, systemId: string, lifetimeSeconds = DEFAULT_AGENT_CERT_SECONDS): Promise<SignedCertificate> {
    const csr = await readRequest(csrPem);
    const cert = await issue({
      subject: systemId,
      publicKey: await csr.publicKey.export(),
      issuer: { cert: readCertificate(this.certPem), keys: this.keys },
      lifetimeSeconds,
      usage: 'client',
    });
    return { pem: cert.toString('pem'), serial: cert.serialNumber.toUpperCase(), notAfter: cert.notAfter };
  }
}

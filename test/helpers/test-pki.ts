// Certificates a test makes for itself: a private CA, server certificates it signs for the
// names a test server answers on (loopback), and self-signed ones nobody vouches for. ECDSA
// P-256 through the keys of src/pki (WebCrypto), certificates through @peculiar/x509, as the
// manager's own CA makes agents' certificates.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { newKey } from '../../src/pki/x509.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface TestCa {
  /** PEM: what a client is told to trust. */
  cert: string;
  sign(hosts: string[], opts?: { commonName?: string }): Promise<ServerCertificate>;
}

export interface ServerCertificate {
  /** PEM certificate and PKCS#8 PEM key, as a server (or `capstan manager --tls-cert/--tls-key`) takes them. */
  cert: string;
  key: string;
}

const serial = () => Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^./, '1');

const altNames = (hosts: string[]): x509.SubjectAlternativeNameExtension =>
  new x509.SubjectAlternativeNameExtension(hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h })));

function serverExtensions(hosts: string[]): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    altNames(hosts),
  ];
}

export async function testCa(name: string): Promise<TestCa> {
  const ca = await newKey();
  const caCert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${name}`,
    issuer: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 30 * DAY_MS),
    publicKey: ca.keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return {
    cert: caCert.toString('pem'),
    async sign(hosts, opts = {}) {
      const leaf = await newKey();
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${opts.commonName ?? hosts[0] ?? 'server'}`,
        issuer: caCert.subject,
        notBefore: new Date(Date.now() - DAY_MS),
        notAfter: new Date(Date.now() + 30 * DAY_MS),
        publicKey: leaf.keys.publicKey,
        signingKey: ca.keys.privateKey,
        signingAlgorithm: ALG,
        extensions: [...serverExtensions(hosts), await x509.AuthorityKeyIdentifierExtension.create(caCert)],
      });
      return { cert: cert.toString('pem'), key: leaf.key };
    },
  };
}

/** A server certificate that signs itself: no CA vouches for it. */
export async function selfSignedServer(hosts: string[]): Promise<ServerCertificate> {
  const k = await newKey();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${hosts[0] ?? 'server'}`,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 30 * DAY_MS),
    keys: k.keys,
    signingAlgorithm: ALG,
    extensions: serverExtensions(hosts),
  });
  return { cert: cert.toString('pem'), key: k.key };
}

// Certificates for the manager's CA and its agents: ECDSA P-256 keys through WebCrypto,
// certificates and requests through @peculiar/x509. Shared by the manager (signs), the agent
// (requests) and the load generator of bench/manager.
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface KeyPem {
  /** PKCS#8 PEM. */
  key: string;
  keys: CryptoKeyPair;
}

export async function newKey(): Promise<KeyPem> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey);
  return { key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), keys };
}

export async function importKey(pem: string): Promise<CryptoKeyPair> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('no PEM key');
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
  // The public half comes back through a JWK without the private component.
  const jwk = await webcrypto.subtle.exportKey('jwk', privateKey);
  delete jwk.d;
  jwk.key_ops = ['verify'];
  const publicKey = await webcrypto.subtle.importKey('jwk', jwk, ALG, true, ['verify']);
  return { privateKey, publicKey } as unknown as CryptoKeyPair;
}

export async function certificateRequest(commonName: string, keys: CryptoKeyPair): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${escapeDn(commonName)}`, keys, signingAlgorithm: ALG });
  return csr.toString('pem');
}

export interface IssueOptions {
  subject: string;
  publicKey: CryptoKey;
  issuer?: { cert: x509.X509Certificate; keys: CryptoKeyPair };
  /** Self-signed when no issuer. */
  keys?: CryptoKeyPair;
  lifetimeSeconds: number;
  ca?: boolean;
  usage: 'client' | 'ca';
}

export async function issue(opts: IssueOptions): Promise<x509.X509Certificate> {
  const signer = opts.issuer?.keys ?? opts.keys;
  if (!signer) throw new Error('issue: no signing key');
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  serial[0] = serial[0]! & 0x7f; // a positive INTEGER
  const now = Date.now();
  const extensions: x509.Extension[] = opts.usage === 'ca'
    ? [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)]
    : [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      // Agents are clients of the manager and, for peer transfers, servers to each other.
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]),
    ];
  return x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject: `CN=${escapeDn(opts.subject)}`,
    issuer: opts.issuer ? opts.issuer.cert.subject : `CN=${escapeDn(opts.subject)}`,
    // Valid a little before now for peers whose clocks run behind (a tenth of a short lifetime at most).
    notBefore: new Date(now - Math.min(5 * 60_000, opts.lifetimeSeconds * 100)),
    notAfter: new Date(now + opts.lifetimeSeconds * 1000),
    publicKey: opts.publicKey,
    signingKey: signer.privateKey,
    signingAlgorithm: ALG,
    extensions,
  });
}

/** Parses and checks a PEM request; throws when its signature does not hold. */
export async function readRequest(pem: string): Promise<x509.Pkcs10CertificateRequest> {
  const csr = new x509.Pkcs10CertificateRequest(pem);
  if (!(await csr.verify())) throw new Error('the certificate request is not signed by its key');
  return csr;
}

export function readCertificate(pem: string): x509.X509Certificate {
  return new x509.X509Certificate(pem);
}

/** Whether the certificate is for this key pair's public key. */
export async function certifiesKey(certPem: string, keys: CryptoKeyPair): Promise<boolean> {
  const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey as unknown as webcrypto.CryptoKey));
  return spki.equals(Buffer.from(readCertificate(certPem).publicKey.rawData));
}

function escapeDn(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, '\\$1');
}

/** SHA-256 of a public key (its SubjectPublicKeyInfo) as AA:BB:…, for a person to compare. */
function fingerprintOfKey(spki: ArrayBuffer | Uint8Array): string {
  return createHash('sha256').update(Buffer.from(spki as ArrayBuffer)).digest('hex').toUpperCase().match(/../g)!.join(':');
}

/** The fingerprint of the key a certificate request is for (the request is checked first). */
export async function requestKeyFingerprint(csrPem: string): Promise<string> {
  return fingerprintOfKey((await readRequest(csrPem)).publicKey.rawData);
}

/** The fingerprint of a key pair's public key: what `capstan agent configure` shows the administrator. */
export async function keyFingerprint(keys: CryptoKeyPair): Promise<string> {
  return fingerprintOfKey(await webcrypto.subtle.exportKey('spki', keys.publicKey as unknown as webcrypto.CryptoKey));
}

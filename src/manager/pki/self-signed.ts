// The manager's default HTTPS identity: a self-signed certificate made on first start,
// kept in the data directory, replaceable by the user's own certificate and key.
import forge from 'node-forge';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface TlsMaterial {
  cert: string;
  key: string;
}

export function selfSignedCertificate(commonName: string, altNames: string[]): TlsMaterial {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 825 * 86400_000);
  const attrs = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Capstan' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: altNames.map((n) => (/^[\d.]+$|:/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })),
    },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** The user's certificate and key when configured, else the generated one (made once). */
export function managerTls(dataDir: string, configured: { cert?: string; key?: string }): TlsMaterial {
  if (configured.cert && configured.key) {
    return { cert: readFileSync(configured.cert, 'utf8'), key: readFileSync(configured.key, 'utf8') };
  }
  // One without the other is a mistake, not a wish for the generated certificate.
  if (configured.cert || configured.key) throw new Error('the TLS certificate and its key go together: give both --tls-cert and --tls-key (tls.cert and tls.key in manager.json)');
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'manager.crt');
  const keyFile = join(dir, 'manager.key');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const host = hostname();
    const made = selfSignedCertificate(host, [host, 'localhost', '127.0.0.1', '::1']);
    writeFileSync(keyFile, made.key, { mode: 0o600 });
    writeFileSync(certFile, made.cert);
  }
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

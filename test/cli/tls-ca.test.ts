// A manager started with the user's own certificate (`capstan manager --tls-cert --tls-key`,
// signed by a private CA the test makes) and the real CLI: without the CA the login fails
// with a clear error and writes nothing, and so does a call; with `capstan login --ca CA.pem`
// the login keeps the CA (not a pinned certificate) and the calls that follow succeed; a CA
// that did not sign the manager's certificate is refused with the reason, and so is the
// manager's own certificate in place of its CA; CAPSTAN_CA gives the CA to scripts that log in
// with CAPSTAN_URL and CAPSTAN_TOKEN.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fingerprintOf, peerCertificate } from '../../src/client/api-client.js';
import { testCa } from '../helpers/test-pki.js';
import { CliWorld, ok, refused } from './harness.js';

/** A CLI on another host: the manager's data directory (and any certificate in it) is not at hand. */
const elsewhere = { CAPSTAN_DATA_DIR: '/nonexistent' };

describe('a manager with your own certificate, and the CLI trusting its CA', () => {
  const w = new CliWorld();
  const caFile = join(w.dir, 'company-ca.pem');
  const strangerFile = join(w.dir, 'stranger-ca.pem');
  const certFile = join(w.dir, 'manager.crt');
  const keyFile = join(w.dir, 'manager.key');
  let firstPassword = '';
  const profileOf = (name: string) => JSON.parse(readFileSync(join(w.dir, `${name}.json`), 'utf8')) as { url: string; token: string; ca?: string; certificate?: string };

  before(async () => {
    const ca = await testCa('Example Corp internal CA');
    const identity = await ca.sign(['127.0.0.1', 'localhost'], { commonName: 'capstan.example.test' });
    writeFileSync(caFile, ca.cert);
    writeFileSync(strangerFile, (await testCa('Somebody else\'s CA')).cert);
    writeFileSync(certFile, identity.cert);
    writeFileSync(keyFile, identity.key, { mode: 0o600 });
    await w.startManager({ args: ['--tls-cert', certFile, '--tls-key', keyFile] });
    firstPassword = readFileSync(join(w.dataDir, 'initial-admin-password'), 'utf8').trim();
  });
  after(() => w.close());

  it('serves the given certificate, not a generated one', async () => {
    const peer = await peerCertificate(w.url);
    assert.equal(fingerprintOf(peer.pem), fingerprintOf(readFileSync(certFile, 'utf8')));
    assert.equal(peer.trusted, false, 'no system CA vouches for a private CA\'s certificate');
    assert.equal((await peerCertificate(w.url, readFileSync(caFile, 'utf8'))).trusted, true);
    assert.equal(existsSync(join(w.dataDir, 'tls', 'manager.crt')), false, 'nothing generated');
    // A certificate without its key is a mistake, not a wish for the generated one.
    const halfway = new CliWorld();
    try {
      await assert.rejects(halfway.startManager({ args: ['--tls-cert', certFile] }), /manager exited 1: .*give both --tls-cert and --tls-key/);
    } finally {
      await halfway.close();
    }
  });

  it('refuses the login without the CA, with a clear error, and writes nothing', async () => {
    const r = await w.cli(['login', w.url, '-u', 'admin', '--password-stdin'], { input: `${firstPassword}\n`, env: elsewhere, profile: 'none' });
    refused(r, 8, /presents a certificate no system CA vouches for/);
    assert.match(r.stderr, /not trusted \(compare the fingerprint, then use --accept-certificate or --ca FILE\)/);
    assert.match(r.stderr, new RegExp(fingerprintOf(readFileSync(certFile, 'utf8'))));
    assert.equal(existsSync(join(w.dir, 'none.json')), false);
  });

  it('refuses a CA that did not sign the manager\'s certificate, saying so', async () => {
    const r = await w.cli(['login', w.url, '-u', 'admin', '--password-stdin', '--ca', strangerFile], { input: `${firstPassword}\n`, env: elsewhere, profile: 'stranger' });
    refused(r, 8, /presents a certificate \(issued by CN=Example Corp internal CA, SHA-256 [0-9A-F:]+\) that the certificates in .*stranger-ca\.pem do not vouch for: unable to verify the first certificate \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
    assert.equal(existsSync(join(w.dir, 'stranger.json')), false);
    refused(await w.cli(['login', w.url, '--password-stdin', '--ca', keyFile], { input: '\n', env: elsewhere, profile: 'stranger' }), 2, /--ca .*manager\.key: holds no PEM certificate/);
    refused(await w.cli(['login', w.url, '--password-stdin', '--ca', join(w.dir, 'missing.pem')], { input: '\n', env: elsewhere, profile: 'stranger' }), 2, /--ca .*missing\.pem: ENOENT/);
  });

  it('logs in with --ca, keeping the CA, and the calls that follow succeed', async () => {
    ok(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin', '--ca', caFile], { input: `${firstPassword}\nadmin-pass-2\n`, env: elsewhere }));
    const profile = profileOf('cli');
    assert.equal(profile.ca?.trim(), readFileSync(caFile, 'utf8').trim(), 'the CA is kept');
    assert.equal(profile.certificate, undefined, 'not a pinned certificate: one the CA renews is trusted too');
    const me = JSON.parse(ok(await w.cli(['--json', 'whoami'], { env: elsewhere })).stdout) as { name: string; url: string };
    assert.deepEqual([me.name, me.url], ['admin', w.url]);
    ok(await w.cli(['system', 'add', 'ca-host', '--host', '192.0.2.20'], { env: elsewhere }));
    assert.match(ok(await w.cli(['system', 'list'], { env: elsewhere })).stdout, /ca-host\s+192\.0\.2\.20/);
    // The name the manager is reached by must be in its certificate: localhost is, so that login works too.
    ok(await w.cli(['login', w.url.replace('127.0.0.1', 'localhost'), '-u', 'admin', '--password-stdin', '--ca', caFile], { input: 'admin-pass-2\n', env: elsewhere, profile: 'byname' }));
    assert.equal(JSON.parse(ok(await w.cli(['--json', 'whoami'], { env: elsewhere, profile: 'byname' })).stdout).name, 'admin');
    // The manager's own certificate is no anchor when a CA issued it: the CA is asked for, by name.
    refused(await w.cli(['login', w.url, '-u', 'admin', '--password-stdin', '--ca', certFile], { input: 'admin-pass-2\n', env: elsewhere, profile: 'pinned' }), 8,
      /manager\.crt holds the manager's own certificate, which CN=Example Corp internal CA issued: give that CA's certificate with --ca/);
    assert.equal(existsSync(join(w.dir, 'pinned.json')), false);
  });

  it('a call without the CA fails with a clear error; CAPSTAN_CA gives it to scripts', async () => {
    const { token } = profileOf('cli');
    const script = { ...elsewhere, CAPSTAN_URL: w.url, CAPSTAN_TOKEN: token };
    const r = await w.cli(['whoami'], { env: script, profile: 'script' });
    refused(r, 8, /cannot reach the manager at .*: unable to verify the first certificate \(the manager's certificate is not trusted: run `capstan login .*` to check and pin it, or to trust its CA with --ca FILE\)/);
    assert.equal(JSON.parse(ok(await w.cli(['--json', 'whoami'], { env: { ...script, CAPSTAN_CA: caFile }, profile: 'script' })).stdout).name, 'admin');
    refused(await w.cli(['whoami'], { env: { ...script, CAPSTAN_CA: strangerFile }, profile: 'script' }), 8, /unable to verify the first certificate/);
  });
});

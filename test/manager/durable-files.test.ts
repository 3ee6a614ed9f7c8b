// Files that must survive a power loss (engine records, agent identity, password files, the
// CA): written whole through a scratch file, with the given mode, nothing left behind, and
// concurrent writes of one file never tripping over each other.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeFileDurable, writeFileDurableSync } from '../../src/fs/durable.js';
import { CertificateAuthority } from '../../src/manager/pki/ca.js';

describe('durable files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-durable-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces a file whole, with the mode asked for, leaving no scratch file', () => {
    const file = join(dir, 'secret');
    writeFileSync(file, 'old', { mode: 0o644 });
    writeFileDurableSync(file, 'new\n', 0o600);
    assert.equal(readFileSync(file, 'utf8'), 'new\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['secret']);
  });

  it('lets concurrent writes of one file each land whole', async () => {
    const file = join(dir, 'record.json');
    const bodies = Array.from({ length: 20 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(4096) }));
    await Promise.all(bodies.map((b) => writeFileDurable(file, b)));
    assert.ok(bodies.includes(readFileSync(file, 'utf8')));
    assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
  });

  it('keeps the CA key readable by its owner only, and opens the same CA again', async () => {
    const data = join(dir, 'manager');
    const ca = await CertificateAuthority.open(data);
    assert.equal(statSync(join(data, 'pki', 'ca.key')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(data, 'pki')).sort(), ['ca.key', 'ca.pem']);
    assert.equal((await CertificateAuthority.open(data)).certPem, ca.certPem);
  });
});

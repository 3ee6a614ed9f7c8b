import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, findCriu, MIN_CRIU_VERSION } from '../../src/agent/engine/criu.js';
import { run } from '../../src/agent/exec.js';

test('compareVersions orders dotted numeric versions', () => {
  assert.equal(compareVersions('4.2', '4.2'), 0);
  assert.equal(compareVersions('4.2', '4.2.0'), 0);
  assert.equal(compareVersions('4.2.1', '4.2'), 1);
  assert.equal(compareVersions('4.1.1', '4.2'), -1);
  assert.equal(compareVersions('3.17', '4.2'), -1);
  // Numeric, not lexical: 4.10 is newer than 4.9.
  assert.equal(compareVersions('4.10', '4.9'), 1);
  assert.equal(compareVersions('10.0', '9.99.99'), 1);
  // Suffixes and a leading v are ignored.
  assert.equal(compareVersions('v4.2.1', '4.2.1-1'), 0);
  assert.equal(compareVersions('4.2.1+git', '4.2.1'), 0);
  assert.throws(() => compareVersions('criu', '4.2'), /not a version/);
});

test('findCriu finds a CRIU >= 4.2 that runs', async () => {
  const criu = await findCriu();
  assert.ok(compareVersions(criu.version, MIN_CRIU_VERSION) >= 0, `version ${criu.version}`);
  const r = await run(criu.path, ['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Version: ${criu.version.replace(/\./g, '\\.')}$`, 'm'));
  // Cached: the same answer without a second lookup.
  assert.equal(await findCriu(), criu);
});

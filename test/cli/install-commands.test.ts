// scripts/install-commands.sh: a wrapper for every seed command, each reaching its implementation
// in the build (the local commands' runner, or `capstan` with the seed's syntax).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { localCommands } from '../../src/cli/local/index.js';

const REMOTE_SEED_COMMANDS = ['icapstatus', 'icapmodify', 'icapnotify', 'lwiMapRole'];

describe('install-commands.sh', () => {
  const sbin = mkdtempSync(join(tmpdir(), 'capstan-sbin-'));
  const run = (name: string, args: string[]) => spawnSync(join(sbin, name), args, { encoding: 'utf8', env: { ...process.env, CAPSTAN_DATA_DIR: '/nonexistent' } });

  before(() => {
    const r = spawnSync('bash', ['scripts/install-commands.sh'], { encoding: 'utf8', env: { ...process.env, CAPSTAN_SBIN: sbin } });
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => rmSync(sbin, { recursive: true, force: true }));

  it('installs capstan, every local command and the seed commands the manager answers', () => {
    for (const name of ['capstan', ...Object.keys(localCommands), ...REMOTE_SEED_COMMANDS]) {
      accessSync(join(sbin, name), constants.X_OK);
    }
  });

  it('chwpar is the local command', () => {
    const r = run('chwpar', ['--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: chwpar .*<name>/);
    assert.match(r.stdout, /-S privs=/);
  });

  it('icapstatus, icapmodify, icapnotify and lwiMapRole take the seed\'s syntax through capstan', () => {
    for (const [name, args] of [['icapstatus', ['-x']], ['icapmodify', ['-a', '2']], ['icapnotify', []], ['lwiMapRole', ['-bogus']]] as const) {
      const r = run(name, [...args]);
      assert.equal(r.status, 2, `${name}: usage error expected\n${r.stderr}`);
      assert.match(r.stderr, new RegExp(`usage: ${name}`), name);
    }
  });
});
